package io.promlite.scraper.scrape;

import io.promlite.config.ScrapeConfig;
import io.promlite.tsdb.model.Labels;

/** The label_limit, label_name_length_limit and label_value_length_limit checks, with Prometheus's texts. */
final class LabelLimits {
    private LabelLimits() {
    }

    /** The violated limit's message, or null when the series is within all limits. */
    static String check(Labels labels, ScrapeConfig config) {
        if (config.labelLimit() > 0 && labels.size() > config.labelLimit()) {
            return "label_limit exceeded (metric: " + truncate(labels.getOrEmpty(Labels.METRIC_NAME)) + ", number of labels: " + labels.size()
                    + ", limit: " + config.labelLimit() + ")";
        }
        if (config.labelNameLengthLimit() == 0 && config.labelValueLengthLimit() == 0) {
            return null;
        }
        for (int i = 0; i < labels.size(); i++) {
            String name = labels.name(i);
            String value = labels.value(i);
            if (config.labelNameLengthLimit() > 0 && name.length() > config.labelNameLengthLimit()) {
                return "label_name_length_limit exceeded (metric: " + truncate(labels.getOrEmpty(Labels.METRIC_NAME))
                        + ", label name: " + truncate(name) + ", length: " + name.length()
                        + ", limit: " + config.labelNameLengthLimit() + ")";
            }
            int valueLength = value.codePointCount(0, value.length());
            if (config.labelValueLengthLimit() > 0 && valueLength > config.labelValueLengthLimit()) {
                return "label_value_length_limit exceeded (metric: " + truncate(labels.getOrEmpty(Labels.METRIC_NAME))
                        + ", label name: " + truncate(name) + ", value: \"" + truncate(value) + "\", length: "
                        + valueLength + ", limit: " + config.labelValueLengthLimit() + ")";
            }
        }
        return null;
    }

    /** Go's %.50s: at most 50 characters. */
    private static String truncate(String s) {
        return s.length() <= 50 ? s : s.substring(0, s.offsetByCodePoints(0, 50));
    }
}
