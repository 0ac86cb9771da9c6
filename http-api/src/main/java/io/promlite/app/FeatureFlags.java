package io.promlite.app;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --enable-feature}: options by Prometheus's names. As in Prometheus, the flag may repeat and
 * each value may list several options separated by commas; an option promlite does not know is
 * logged and ignored, never an error, so a Prometheus command line keeps working.
 */
final class FeatureFlags {
    private static final Logger log = LoggerFactory.getLogger(FeatureFlags.class);

    static final String PROMQL_DELAYED_NAME_REMOVAL = "promql-delayed-name-removal";

    private FeatureFlags() {
    }

    /** The known options among the flag's values, each logged as Prometheus logs it. */
    static Set<String> parse(List<String> flagValues) {
        Set<String> enabled = new LinkedHashSet<>();
        for (String value : flagValues) {
            for (String option : value.split(",", -1)) {
                switch (option) {
                    case "" -> {
                    }
                    case PROMQL_DELAYED_NAME_REMOVAL -> {
                        enabled.add(option);
                        log.info("Experimental PromQL delayed name removal enabled.");
                    }
                    default -> log.atWarn().addKeyValue("option", option).log("Unknown option for --enable-feature");
                }
            }
        }
        return enabled;
    }
}
