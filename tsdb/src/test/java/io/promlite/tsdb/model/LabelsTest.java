package io.promlite.tsdb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

class LabelsTest {
    @Test
    void sortsByNameAndDropsEmptyValues() {
        Labels l = Labels.of("job", "a", "__name__", "up", "env", "");
        assertEquals(2, l.size());
        assertEquals("__name__", l.name(0));
        assertEquals("job", l.name(1));
        assertNull(l.get("env"));
        assertEquals("{__name__=\"up\", job=\"a\"}", l.toString());
    }

    @Test
    void equalityAndOrderFollowPrometheus() {
        assertEquals(Labels.of("a", "1", "b", "2"), Labels.of("b", "2", "a", "1"));
        assertTrue(Labels.of("a", "1").compareTo(Labels.of("a", "1", "b", "2")) < 0);
        assertTrue(Labels.of("a", "2").compareTo(Labels.of("a", "1", "b", "2")) > 0);
    }

    @Test
    void regexMatchersAreFullyAnchoredAndDotMatchesNewline() {
        Matcher m = Matcher.of(Matcher.Type.REGEX, "job", "image.*");
        assertTrue(m.matches("image-gallery"));
        assertFalse(m.matches("my-image-gallery"));
        assertTrue(Matcher.of(Matcher.Type.REGEX, "x", "a.b").matches("a\nb"));
        assertTrue(Matcher.of(Matcher.Type.NOT_EQUAL, "env", "prod").matches(Labels.of("job", "a")));
        assertThrows(PatternSyntaxException.class, () -> Matcher.of(Matcher.Type.REGEX, "x", "("));
    }

    @Test
    void staleMarkerIsRecognisedByBitsOnly() {
        assertTrue(StaleNaN.is(StaleNaN.VALUE));
        assertFalse(StaleNaN.is(Double.NaN));
        assertEquals(StaleNaN.BITS, Double.doubleToRawLongBits(StaleNaN.VALUE));
    }

    @Test
    void labelSetsBuiltFromEqualStringsShareTheirInstances() {
        Labels a = Labels.of("instance", new String("host-1:9100"), new String("job"), "node");
        Labels b = Labels.of(new String("instance"), new String("host-1:9100"), "job", new String("node"));
        assertEquals(a, b);
        for (int i = 0; i < a.size(); i++) {
            assertSame(a.name(i), b.name(i));
            assertSame(a.value(i), b.value(i));
        }
    }

    @Test
    void pairsInOrderAndPairsOutOfOrderMakeTheSameLabelsAsOf() {
        Labels sorted = Labels.ofSorted("__name__", "up", "instance", new String("host-1:9100"), "job", "node");
        assertEquals(Labels.of("job", "node", "__name__", "up", "instance", "host-1:9100"), sorted);
        assertSame(Labels.of("instance", "host-1:9100").value(0), sorted.value(1));
        assertEquals(Labels.of("b", "2", "a", "1"), Labels.ofSorted("b", "2", "a", "1"));
        assertEquals(Labels.of("a", "1"), Labels.ofSorted("a", "1", "b", ""));
        assertEquals(Labels.of("a", "2"), Labels.ofSorted("a", "1", "a", "2"));
        assertSame(Labels.EMPTY, Labels.ofSorted());
        assertThrows(IllegalArgumentException.class, () -> Labels.ofSorted("a", "1", "b"));
    }

    @Test
    void filterKeepsTheAcceptedLabelsInOrder() {
        Labels l = Labels.of("__name__", "up", "instance", "h", "job", "node");
        assertEquals(Labels.of("instance", "h", "job", "node"), l.filter(n -> !n.equals("__name__")));
        assertSame(l, l.filter(n -> true));
        assertSame(Labels.EMPTY, l.filter(n -> false));
    }
}
