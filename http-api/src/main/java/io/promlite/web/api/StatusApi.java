package io.promlite.web.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbStats;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code /api/v1/status/*}: build, configuration, flags, runtime and storage status. */
public final class StatusApi {
    /**
     * The version reported as {@code version}. Grafana reads it as a Prometheus version (semver)
     * to decide which API features to use; promlite answers the API and PromQL as Prometheus 3.x
     * does, so it reports a 3.x version and its own version in {@code promliteVersion}, a field
     * Prometheus clients ignore.
     */
    public static final String PROMETHEUS_COMPATIBLE_VERSION = "3.0.0";

    private static final long HEAD_SPAN_MS = 3 * 3600 * 1000;

    private final String promliteVersion;
    private final ServerStatus status;
    private final Tsdb tsdb;

    public StatusApi(String promliteVersion, ServerStatus status, Tsdb tsdb) {
        this.promliteVersion = promliteVersion;
        this.status = status;
        this.tsdb = tsdb;
    }

    /** No {@code features} member: Grafana takes a non-empty one as a sign of Mimir. */
    public HttpResponse buildInfo(HttpRequest req) {
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeStringField("version", PROMETHEUS_COMPATIBLE_VERSION);
            g.writeStringField("revision", "");
            g.writeStringField("branch", "");
            g.writeStringField("buildUser", "");
            g.writeStringField("buildDate", "");
            g.writeStringField("goVersion", "java" + Runtime.version());
            g.writeStringField("promliteVersion", promliteVersion);
            g.writeEndObject();
        });
    }

    public HttpResponse config(HttpRequest req) {
        String yaml = status.configYaml();
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeStringField("yaml", yaml);
            g.writeEndObject();
        });
    }

    public HttpResponse flags(HttpRequest req) {
        Map<String, String> flags = new TreeMap<>(status.flags());
        return ApiJson.success(g -> {
            g.writeStartObject();
            for (Map.Entry<String, String> e : flags.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        });
    }

    /** Prometheus's fields; the Go runtime's ones carry the JVM's nearest equivalents. */
    public HttpResponse runtimeInfo(HttpRequest req) {
        Runtime rt = Runtime.getRuntime();
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeStringField("startTime", ApiJson.rfc3339(status.startTime()));
            g.writeStringField("CWD", Path.of("").toAbsolutePath().toString());
            g.writeBooleanField("reloadConfigSuccess", status.lastReloadSuccessful());
            g.writeStringField("lastConfigTime", ApiJson.rfc3339(status.lastConfigTime()));
            g.writeNumberField("corruptionCount", 0);
            g.writeNumberField("goroutineCount", Thread.activeCount());
            g.writeNumberField("GOMAXPROCS", rt.availableProcessors());
            g.writeNumberField("GOMEMLIMIT", rt.maxMemory());
            g.writeStringField("GOGC", "");
            g.writeStringField("GODEBUG", "");
            g.writeStringField("storageRetention", status.storageRetention());
            g.writeEndObject();
        });
    }

    /** {@code /api/v1/notifications}: promlite raises no server notifications; the list is empty. */
    public HttpResponse notifications(HttpRequest req) {
        return ApiJson.success(g -> {
            g.writeStartArray();
            g.writeEndArray();
        });
    }

    /** Replay finishes before the API starts serving, so the status is always complete. */
    public HttpResponse walReplay(HttpRequest req) {
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeNumberField("min", 0);
            g.writeNumberField("max", 0);
            g.writeNumberField("current", 0);
            g.writeEndObject();
        });
    }

    /** Head statistics and the top-{@code limit} cardinality tables of the series of the last three hours. */
    public HttpResponse tsdb(HttpRequest req) throws ApiError {
        int limit = 10;
        String s = req.param("limit");
        if (s != null && !s.isEmpty()) {
            try {
                limit = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                limit = 0;
            }
            if (limit < 1) {
                throw ApiError.badData("limit must be a positive number");
            }
        }
        TsdbStats stats = tsdb.stats();
        Cardinality c = new Cardinality();
        if (!stats.isEmpty()) {
            // Prometheus's tables describe its head block (the last few hours); so do these, which
            // also keeps the cost proportional to the active series rather than to all history.
            long from = Math.max(stats.minTime(), stats.maxTime() - HEAD_SPAN_MS);
            try (Querier q = tsdb.querier(from, stats.maxTime())) {
                SeriesSet set = q.select(List.of(Matcher.of(Matcher.Type.REGEX, Labels.METRIC_NAME, ".+")));
                while (set.next()) {
                    c.add(set.at().labels());
                }
            }
        }
        int top = limit;
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("headStats");
            g.writeNumberField("numSeries", stats.headSeries());
            g.writeNumberField("numLabelPairs", c.seriesByPair.size());
            g.writeNumberField("chunkCount", 0);
            g.writeNumberField("minTime", stats.isEmpty() ? Long.MAX_VALUE : stats.minTime());
            g.writeNumberField("maxTime", stats.isEmpty() ? Long.MIN_VALUE : stats.maxTime());
            g.writeEndObject();
            writeTop(g, "seriesCountByMetricName", c.seriesByMetric, top);
            Map<String, Long> valuesByName = new HashMap<>();
            Map<String, Long> bytesByName = new HashMap<>();
            c.valuesByName.forEach((name, values) -> {
                valuesByName.put(name, (long) values.size());
                bytesByName.put(name, values.stream().mapToLong(String::length).sum());
            });
            writeTop(g, "labelValueCountByLabelName", valuesByName, top);
            writeTop(g, "memoryInBytesByLabelName", bytesByName, top);
            writeTop(g, "seriesCountByLabelValuePair", c.seriesByPair, top);
            g.writeEndObject();
        });
    }

    private static final class Cardinality {
        final Map<String, Long> seriesByMetric = new HashMap<>();
        final Map<String, Long> seriesByPair = new HashMap<>();
        final Map<String, Set<String>> valuesByName = new HashMap<>();

        void add(Labels labels) {
            seriesByMetric.merge(labels.getOrEmpty(Labels.METRIC_NAME), 1L, Long::sum);
            for (int i = 0; i < labels.size(); i++) {
                seriesByPair.merge(labels.name(i) + "=" + labels.value(i), 1L, Long::sum);
                valuesByName.computeIfAbsent(labels.name(i), n -> new HashSet<>()).add(labels.value(i));
            }
        }
    }

    /** The largest counts first, ties by name, as a {@code [{name, value}]} array. */
    private static void writeTop(JsonGenerator g, String field, Map<String, Long> counts, int limit)
            throws IOException {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        g.writeArrayFieldStart(field);
        for (Map.Entry<String, Long> e : entries.subList(0, Math.min(limit, entries.size()))) {
            g.writeStartObject();
            g.writeStringField("name", e.getKey());
            g.writeNumberField("value", e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
