package io.promlite.promql.script;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbException;
import io.promlite.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** The storage PromQL tests run against: the real RocksDB store in a fresh temporary directory. */
public final class TestStorages {
    /** Scripts place samples decades apart; retention must never drop any of them mid-test. */
    private static final Duration KEEP_EVERYTHING = Duration.ofDays(365L * 1000);

    private TestStorages() {
    }

    /** A fresh, empty store; closing it also deletes its directory. */
    public static Storage create() {
        try {
            Path dir = Files.createTempDirectory("promql-test-tsdb");
            Tsdb tsdb = Tsdb.open(new TsdbOptions(dir, KEEP_EVERYTHING, 0, new PrometheusRegistry()));
            return new TemporaryStorage(tsdb, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TsdbException e) {
            throw new IllegalStateException("cannot open a test store", e);
        }
    }

    private record TemporaryStorage(Tsdb tsdb, Path dir) implements Storage {
        @Override
        public Appender appender() {
            return tsdb.appender();
        }

        @Override
        public Querier querier(long mint, long maxt) {
            return tsdb.querier(mint, maxt);
        }

        @Override
        public void close() {
            tsdb.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
