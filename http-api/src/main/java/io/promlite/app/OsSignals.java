package io.promlite.app;

import io.promlite.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** The process's signal handling, kept apart because {@code sun.misc.Signal} is the JDK's only way to it. */
final class OsSignals {
    private static final Logger log = LoggerFactory.getLogger(OsSignals.class);

    private OsSignals() {
    }

    /**
     * As for Prometheus: SIGHUP reloads the configuration (a rejected one is logged and kept
     * out); SIGTERM and SIGINT stop cleanly and the process exits 0.
     */
    static void install(Promlite server) {
        try {
            Signal.handle(new Signal("HUP"), signal -> {
                try {
                    server.reload();
                } catch (ConfigException | RuntimeException e) {
                    // Already logged by reload(); the running configuration stays in effect.
                }
            });
            for (String stop : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(stop), signal -> {
                    log.atWarn().addKeyValue("signal", "SIG" + signal.getName())
                            .log("Received an OS signal, exiting gracefully...");
                    server.close();
                });
            }
        } catch (IllegalArgumentException unsupported) {
            log.warn("Signals are not available on this platform; use /-/reload to reload the configuration");
        }
    }
}
