package io.promlite.web.api;

import java.time.Instant;
import java.util.Map;

/** What the status endpoints report about the running server, owned by the composition root. */
public interface ServerStatus {
    /** The loaded configuration as YAML. */
    String configYaml();

    /** Whether the last (re)load of the configuration succeeded. */
    boolean lastReloadSuccessful();

    /** When the configuration in use was loaded. */
    Instant lastConfigTime();

    Instant startTime();

    /** Command-line flags by name without dashes, with their values (defaults included). */
    Map<String, String> flags();

    /** The retention in Prometheus's runtimeinfo wording, e.g. {@code 15d} or {@code 15d or 10GiB}. */
    String storageRetention();
}
