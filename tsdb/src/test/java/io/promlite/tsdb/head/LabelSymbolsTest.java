package io.promlite.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.LabelsCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class LabelSymbolsTest {
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

    /** Every set round-trips both ways, and matches exactly the sets {@link LabelsCodec#matches} matches. */
    private static void assertBehavesLikeTheStoredEncoding(LabelSymbols symbols, List<Labels> sets) {
        for (Labels a : sets) {
            byte[] stored = LabelsCodec.encode(a);
            byte[] encoded = symbols.encode(stored);
            assertEquals(a, symbols.decode(encoded));
            assertArrayEquals(stored, symbols.toStored(encoded), a.toString());
            for (Labels b : sets) {
                assertEquals(a.equals(b), symbols.matches(encoded, b), a + " vs " + b);
            }
        }
    }

    @Test
    void labelSetsRoundTripAndMatchAsInTheStoredEncoding() {
        assertBehavesLikeTheStoredEncoding(new LabelSymbols(1 << 10), SETS);
    }

    /** Every set, numbered as far as the table allows and spelled out, expands to its stored encoding in one reused buffer. */
    private static void assertWritesTheStoredEncodingIntoAReusedBuffer(LabelSymbols symbols) {
        byte[] buffer = new byte[256];
        Arrays.fill(buffer, (byte) 0x55);
        for (Labels set : SETS) {
            byte[] stored = LabelsCodec.encode(set);
            for (byte[] encoded : List.of(symbols.encode(stored), LabelSymbols.spelledOut(stored))) {
                assertEquals(stored.length, LabelSymbols.storedLength(encoded));
                int at = 7;
                assertEquals(at + stored.length, symbols.writeStored(encoded, buffer, at));
                assertArrayEquals(stored, Arrays.copyOfRange(buffer, at, at + stored.length), set.toString());
                assertEquals(set, symbols.decode(encoded));
            }
        }
    }

    @Test
    void writesTheStoredEncodingOfNumberedAndSpelledOutSetsIntoAReusedBuffer() {
        LabelSymbols symbols = new LabelSymbols(1 << 10);
        assertWritesTheStoredEncodingIntoAReusedBuffer(symbols);
        assertTrue(symbols.size() > 10);
        // A full table: sets mix numbered and spelled-out strings.
        assertWritesTheStoredEncodingIntoAReusedBuffer(new LabelSymbols(3));
    }

    @Test
    void aSpelledOutSetNumbersNoStringsAndDecodesWithAnyTable() {
        byte[] stored = LabelsCodec.encode(SETS.get(4));
        byte[] encoded = LabelSymbols.spelledOut(stored);
        LabelSymbols fresh = new LabelSymbols(1 << 10);
        assertEquals(SETS.get(4), fresh.decode(encoded));
        assertArrayEquals(stored, fresh.toStored(encoded));
        assertEquals(0, fresh.size());
    }

    @Test
    void numberedStringsShrinkTheEncodingAndAreSharedByDecodedSets() {
        LabelSymbols symbols = new LabelSymbols(1 << 10);
        Labels first = Labels.of("__name__", "node_cpu_seconds_total", "instance", "farm-00001:9100",
                "job", "node", "cpu", "3", "mode", "user");
        Labels second = Labels.of("__name__", "node_cpu_seconds_total", "instance", "farm-00001:9100",
                "job", "node", "cpu", "3", "mode", "system");
        byte[] stored = LabelsCodec.encode(second);
        symbols.encode(LabelsCodec.encode(first));
        byte[] encoded = symbols.encode(stored);
        // One byte for the stored length, the count and each string.
        assertEquals(12, encoded.length);
        assertTrue(stored.length > 80);
        Labels a = symbols.decode(symbols.encode(LabelsCodec.encode(first)));
        Labels b = symbols.decode(encoded);
        assertSame(a.value(0), b.value(0));
        assertSame(a.value(2), b.value(2));
        assertEquals(second, b);
    }

    @Test
    void aFullTableSpellsNewStringsOut() {
        LabelSymbols symbols = new LabelSymbols(3);
        assertBehavesLikeTheStoredEncoding(symbols, SETS);
        assertEquals(3, symbols.size());
        // __name__, up and job got the numbers; the rest is spelled out.
        byte[] encoded = symbols.encode(LabelsCodec.encode(Labels.of("__name__", "up", "job", "node")));
        assertEquals(2 + 3 + 1 + "node".length(), encoded.length);
    }

    @Test
    void aStringIsSpelledOutWhereItsNumberWouldTakeMoreBytes() {
        LabelSymbols symbols = new LabelSymbols(1 << 14);
        for (int i = 0; i < 8192; i++) {
            symbols.encode(LabelsCodec.encode(Labels.of("n" + i, "v")));
        }
        // Numbers from 8192 on take three bytes; "x" spelled out takes two.
        byte[] encoded = symbols.encode(LabelsCodec.encode(Labels.of("v", "x")));
        assertEquals(2 + 1 + 2, encoded.length);
        assertEquals(Labels.of("v", "x"), symbols.decode(encoded));
    }

    @Test
    void setsNumberedByOneThreadDecodeInAnother() throws InterruptedException {
        LabelSymbols symbols = new LabelSymbols(1 << 16);
        ConcurrentLinkedQueue<byte[]> handedOver = new ConcurrentLinkedQueue<>();
        List<Throwable> failures = new ArrayList<>();
        int sets = 20_000;
        Thread writer = new Thread(() -> {
            for (int i = 0; i < sets; i++) {
                handedOver.add(symbols.encode(LabelsCodec.encode(Labels.of("__name__", "m" + i, "k", "v" + (i % 97)))));
            }
        });
        Thread reader = new Thread(() -> {
            int seen = 0;
            try {
                while (seen < sets) {
                    byte[] encoded = handedOver.poll();
                    if (encoded != null) {
                        assertEquals(Labels.of("__name__", "m" + seen, "k", "v" + (seen % 97)), symbols.decode(encoded));
                        seen++;
                    }
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        writer.start();
        reader.start();
        writer.join();
        reader.join();
        assertEquals(List.of(), failures);
    }
}
