package io.promlite.app;

import io.promlite.config.ConfigException;
import io.promlite.config.PromDurations;
import io.promlite.config.PromliteConfig;
import io.promlite.logging.LogfmtLogger;
import io.promlite.tsdb.TsdbException;
import io.promlite.web.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar promlite.jar [flags]}: flags carry Prometheus's names. Exit codes: 0 after a
 * clean stop, 1 when the configuration or storage cannot be used, 2 for a bad command line.
 */
@Command(name = "promlite", mixinStandardHelpOptions = true, versionProvider = BuildInfo.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "A lightweight, Prometheus-compatible scrape server.")
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = "--config.file", paramLabel = "FILE",
            description = "Prometheus configuration file path. Without it, promlite scrapes itself.")
    Path configFile;

    @Option(names = "--storage.tsdb.path", paramLabel = "DIR", defaultValue = "data/",
            description = "Base path for metrics storage (default: ${DEFAULT-VALUE}).")
    Path storagePath;

    @Option(names = "--web.listen-address", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:9090",
            converter = ListenAddressConverter.class,
            description = "Address to listen on for the API and /metrics (default: ${DEFAULT-VALUE}).")
    ListenAddress listenAddress;

    @Option(names = "--storage.tsdb.retention.time", paramLabel = "DURATION", defaultValue = "15d",
            converter = DurationConverter.class,
            description = "How long to retain samples in storage (default: ${DEFAULT-VALUE}).")
    Duration retention;

    @Option(names = "--log.level", paramLabel = "LEVEL", defaultValue = "info",
            converter = LogLevelConverter.class,
            description = "Only log messages with the given severity or above: debug, info, warn, error "
                    + "(default: ${DEFAULT-VALUE}).")
    String logLevel;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public Integer call() throws InterruptedException {
        LogfmtLogger.setLevel(logLevel);
        ServerSettings settings = new ServerSettings(configFile, storagePath, listenAddress, retention);
        PromliteConfig config;
        try {
            config = Promlite.loadConfig(settings);
        } catch (ConfigException e) {
            log.atError().addKeyValue("file", String.valueOf(configFile)).addKeyValue("err", e.getMessage())
                    .log("Error loading config (--config.file={})", configFile);
            return 1;
        }
        log.atInfo().addKeyValue("version", BuildInfo.VERSION).log("Starting promlite");
        Promlite server;
        try {
            server = Promlite.start(settings, config);
        } catch (TsdbException e) {
            log.atError().addKeyValue("err", e.getMessage()).log("Opening storage failed");
            return 1;
        } catch (RuntimeException e) {
            log.atError().addKeyValue("err", String.valueOf(e.getMessage())).log("Starting promlite failed");
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        server.awaitClosed();
        return 0;
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return PromDurations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("not a valid duration string: \"" + value + "\"");
            }
        }
    }

    static final class ListenAddressConverter implements CommandLine.ITypeConverter<ListenAddress> {
        @Override
        public ListenAddress convert(String value) {
            try {
                return ListenAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LogLevelConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                LogfmtLogger.parseLevel(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
