package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.promlite.config.ScrapeConfig;
import io.promlite.config.TlsConfig;
import io.promlite.tsdb.model.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelLimitsTest {
    private static ScrapeConfig limits(int labels, int nameLength, int valueLength) {
        return new ScrapeConfig("j", Duration.ofSeconds(1), Duration.ofSeconds(1), "/metrics", "http", List.of(),
                false, true, Map.of(), 0, labels, nameLength, valueLength, 0, List.of(), List.of(), List.of(), List.of(), true, null, TlsConfig.DEFAULT);
    }

    private static final Labels SERIES = Labels.of("__name__", "m", "long_label_name", "värde");

    @Test
    void withinLimitsOrUnlimited() {
        assertNull(LabelLimits.check(SERIES, limits(0, 0, 0)));
        assertNull(LabelLimits.check(SERIES, limits(2, 15, 5)));
    }

    @Test
    void reportsTheFirstViolationInPrometheusWords() {
        assertEquals("label_limit exceeded (metric: m, number of labels: 2, limit: 1)",
                LabelLimits.check(SERIES, limits(1, 0, 0)));
        assertEquals("label_name_length_limit exceeded (metric: m, label name: long_label_name, length: 15, limit: 10)",
                LabelLimits.check(SERIES, limits(0, 10, 0)));
        assertEquals("label_value_length_limit exceeded (metric: m, label name: long_label_name, value: \"värde\","
                        + " length: 5, limit: 4)",
                LabelLimits.check(SERIES, limits(0, 0, 4)), "lengths count characters, not bytes");
    }
}
