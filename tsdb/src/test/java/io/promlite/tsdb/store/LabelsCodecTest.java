package io.promlite.tsdb.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelsCodecTest {
    private static final List<Labels> SETS = List.of(
            Labels.of("__name__", "up", "job", "node"),
            Labels.of("__name__", "up", "job", "nodf"),
            Labels.of("__name__", "up", "job", "node", "x", "1"),
            Labels.of("__name__", "up", "jo", "bnode"),
            Labels.of("__name__", "température", "pièce", "salle à manger"),
            Labels.of("__name__", "température", "pièce", "salle à mangeR"),
            Labels.of("a", "Aa"),
            Labels.of("a", "BB"),
            Labels.of("a", "日本"),
            Labels.of("a", "日本語"));

    @Test
    void hashOfTheEncodingEqualsHashOfTheLabels() {
        for (Labels l : SETS) {
            byte[] encoded = LabelsCodec.encode(l);
            assertEquals(LabelsCodec.hash(l), LabelsCodec.hash(encoded), l.toString());
            assertEquals(l, LabelsCodec.decode(encoded));
        }
    }

    @Test
    void aDecoderDecodesEverySetOnceSharingEachDistinctString() {
        LabelsCodec.Decoder decoder = new LabelsCodec.Decoder();
        for (int round = 0; round < 2; round++) {
            for (Labels l : SETS) {
                assertEquals(l, decoder.decode(LabelsCodec.encode(l)));
            }
            // Enough distinct strings to grow the table several times.
            for (int i = 0; i < 2000; i++) {
                Labels l = Labels.of("__name__", "m" + (i % 7), "k", "v" + i);
                assertEquals(l, decoder.decode(LabelsCodec.encode(l)));
            }
        }
        Labels a = decoder.decode(LabelsCodec.encode(Labels.of("__name__", "up", "job", "Aa")));
        Labels b = decoder.decode(LabelsCodec.encode(Labels.of("__name__", "up", "job", "BB")));
        assertSame(a.value(0), b.value(0));
        assertSame(a.name(1), b.name(1));
        assertEquals("Aa", a.value(1));
        assertEquals("BB", b.value(1));
    }

    @Test
    void matchesOnlyTheEncodedLabelSet() {
        for (Labels a : SETS) {
            byte[] encoded = LabelsCodec.encode(a);
            for (Labels b : SETS) {
                assertEquals(a.equals(b), LabelsCodec.matches(encoded, b), a + " vs " + b);
            }
        }
    }

    @Test
    void differentSetsWhoseStringsShareHashCodesStillDifferInMatching() {
        // "Aa" and "BB" have the same String.hashCode, so these two sets hash alike.
        Labels a = Labels.of("a", "Aa");
        Labels b = Labels.of("a", "BB");
        assertEquals(LabelsCodec.hash(a), LabelsCodec.hash(b));
        assertTrue(LabelsCodec.matches(LabelsCodec.encode(a), a));
        assertFalse(LabelsCodec.matches(LabelsCodec.encode(a), b));
    }

    /** Encoded comparison orders as the decoded label sets do, including where UTF-8 and UTF-16 orders differ. */
    @Test
    void encodedLabelSetsCompareAsDecodedOnes() {
        List<Labels> sets = new java.util.ArrayList<>(SETS);
        sets.add(Labels.EMPTY);
        sets.add(Labels.of("a", ""));
        sets.add(Labels.of("a", "", "b", "x"));
        sets.add(Labels.of("a", "x".repeat(200)));
        sets.add(Labels.of("a", "x".repeat(199) + "y"));
        // U+FFFD sorts after a supplementary character in UTF-16, before it in UTF-8.
        sets.add(Labels.of("a", "\uFFFD"));
        sets.add(Labels.of("a", "\uD83D\uDE00"));
        sets.add(Labels.of("a", "\uE000z"));
        for (Labels x : sets) {
            for (Labels y : sets) {
                assertEquals(Integer.signum(x.compareTo(y)),
                        Integer.signum(LabelsCodec.compare(LabelsCodec.encode(x), LabelsCodec.encode(y))), x + " vs " + y);
            }
        }
    }
}
