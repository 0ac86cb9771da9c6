package io.promlite.web.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoFloatTest {
    /** Expected spellings are what Go's strconv.FormatFloat(v, 'f' or 'e', -1, 64) returns. */
    @ParameterizedTest
    @CsvSource({
        "42, 42",
        "0, 0",
        "-0.0, -0",
        "0.1, 0.1",
        "1.5, 1.5",
        "-2.25, -2.25",
        "123456789012, 123456789012",
        "0.000001, 0.000001",
        "0.0000001, 1e-07",
        "1e21, 1e+21",
        "1.5e22, 1.5e+22",
        "999999999999999900000, 999999999999999900000",
        "1700000000.123, 1700000000.123",
        "NaN, NaN",
        "Infinity, +Inf",
        "-Infinity, -Inf",
        "4.9e-324, 5e-324",
        "0.001, 0.001",
        "0.0009765625, 0.0009765625",
        "9999999.5, 9999999.5",
        "10000000, 10000000",
        "10000000.5, 10000000.5",
        "999999999999999, 999999999999999",
        "1e15, 1000000000000000",
        "3901990.4166666665, 3901990.4166666665",
    })
    void apiSpelling(String input, String expected) {
        assertEquals(expected, GoFloat.api(Double.parseDouble(input)));
    }

    @ParameterizedTest
    @CsvSource({
        "42, 42",
        "0.0001, 0.0001",
        "0.00001, 1e-05",
        "1e20, 100000000000000000000",
        "1e21, 1e+21",
        "2.5e-300, 2.5e-300",
    })
    void gSpelling(String input, String expected) {
        assertEquals(expected, GoFloat.g(Double.parseDouble(input)));
    }

    /** Go's strconv.FormatFloat(v, 'g', -1, 64), as the text exposition format writes values. */
    @ParameterizedTest
    @CsvSource({
        "42, 42",
        "0, 0",
        "123456, 123456",
        "1000000, 1e+06",
        "123456789, 1.23456789e+08",
        "0.0001, 0.0001",
        "0.000015, 1.5e-05",
        "-2000000, -2e+06",
        "NaN, NaN",
        "Infinity, +Inf",
    })
    void expositionSpelling(String input, String expected) {
        assertEquals(expected, GoFloat.exposition(Double.parseDouble(input)));
    }

    /** The shortcuts for integers and for [1e-3, 1e7) spell every value as the general path does. */
    @Test
    void apiShortcutsAgreeWithTheGeneralSpelling() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            double magnitude = Math.pow(10, r.nextDouble(-4, 16));
            double v = switch (i % 4) {
                case 0 -> Math.rint(magnitude);
                case 1 -> Math.rint(magnitude * 100) / 100;
                case 2 -> -magnitude;
                default -> magnitude;
            };
            assertEquals(GoFloat.format(v, 'f'), GoFloat.api(v), () -> "value " + v);
        }
    }
}
