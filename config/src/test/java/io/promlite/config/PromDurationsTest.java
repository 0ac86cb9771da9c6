package io.promlite.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PromDurationsTest {
    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "0s, 0",
            "100ms, 100",
            "15s, 15000",
            "1m30s, 90000",
            "1h, 3600000",
            "2d, 172800000",
            "1w, 604800000",
            "1y, 31536000000",
            "1y2w3d4h5m6s7ms, 33019506007",
    })
    void parsesPrometheusSyntax(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), PromDurations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1.5s", "-1s", "1s1m", "1S", " 1s", "1m 30s", "abc", "1d1y", "s"})
    void rejectsMalformed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromDurations.parse(text));
        assertEquals("not a valid duration string: \"" + text + "\"", e.getMessage());
    }

    @Test
    void rejectsEmptyAndOverflow() {
        assertEquals("empty duration string",
                assertThrows(IllegalArgumentException.class, () -> PromDurations.parse("")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromDurations.parse("300y"));
        assertThrows(IllegalArgumentException.class, () -> PromDurations.parse("99999999999999999999s"));
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0s",
            "100, 100ms",
            "90000, 1m30s",
            "3600000, 1h",
            "7776000000, 90d",
            "1209600000, 2w",
            "63072000000, 2y",
            "90061001, 1d1h1m1s1ms",
    })
    void formatsLikePrometheus(long millis, String text) {
        assertEquals(text, PromDurations.format(Duration.ofMillis(millis)));
        assertEquals(Duration.ofMillis(millis), PromDurations.parse(text));
    }
}
