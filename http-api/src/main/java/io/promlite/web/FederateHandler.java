package io.promlite.web;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.promlite.promql.PromqlException;
import io.promlite.promql.parser.Expr;
import io.promlite.promql.parser.Parser;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.Queryable;
import io.promlite.tsdb.SampleIterator;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.model.StaleNaN;
import io.promlite.web.json.GoFloat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@code /federate?match[]=…}: the newest sample within the lookback window of every series
 * matching any selector, as Prometheus's federation serves it — grouped by metric name, each
 * family {@code untyped}, with explicit timestamps, the configured external labels attached
 * where a series lacks them (and {@code instance=""} when none is configured), stale markers
 * left out. Text format 0.0.4, or OpenMetrics when the client's {@code Accept} asks for it.
 */
public final class FederateHandler implements Handler {
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final Queryable storage;
    private final Supplier<Map<String, String>> externalLabels;
    private final long lookbackMs;
    private final Clock clock;

    public FederateHandler(Queryable storage, Supplier<Map<String, String>> externalLabels, long lookbackMs,
                           Clock clock) {
        this.storage = storage;
        this.externalLabels = externalLabels;
        this.lookbackMs = lookbackMs;
        this.clock = clock;
    }

    private record Latest(Labels labels, long t, double v) {
    }

    @Override
    public HttpResponse handle(HttpRequest request) {
        List<List<Matcher>> sets = new ArrayList<>();
        for (String s : request.params("match[]")) {
            try {
                Expr e = Parser.parse(s);
                if (!(e instanceof Expr.VectorSelector vs) || vs.offsetMs() != 0 || vs.at() != null) {
                    return HttpResponse.text(HttpResponseStatus.BAD_REQUEST, "not a series selector: " + s + "\n");
                }
                sets.add(vs.matchers());
            } catch (PromqlException e) {
                return HttpResponse.text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
            }
        }
        long maxt = clock.millis();
        List<Latest> latest = new ArrayList<>();
        try (Querier q = storage.querier(maxt - lookbackMs, maxt)) {
            TreeSet<Labels> seen = new TreeSet<>();
            for (List<Matcher> set : sets) {
                SeriesSet ss = q.select(set);
                while (ss.next()) {
                    Labels l = ss.at().labels();
                    if (!seen.add(l)) {
                        continue;
                    }
                    SampleIterator it = ss.at().iterator();
                    boolean any = false;
                    long t = 0;
                    double v = 0;
                    while (it.next()) {
                        if (it.timestamp() > maxt) {
                            break;
                        }
                        any = true;
                        t = it.timestamp();
                        v = it.value();
                    }
                    // The exposition formats cannot carry stale markers.
                    if (any && !StaleNaN.is(v) && l.has(Labels.METRIC_NAME)) {
                        latest.add(new Latest(l, t, v));
                    }
                }
            }
        }
        latest.sort(Comparator.comparing((Latest x) -> x.labels().metricName()).thenComparing(Latest::labels));
        Map<String, String> external = new TreeMap<>(externalLabels.get());
        external.putIfAbsent("instance", "");
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        boolean openMetrics = accept.contains("application/openmetrics-text");
        return HttpResponse.streamed(HttpResponseStatus.OK, openMetrics ? OPENMETRICS : TEXT,
                out -> write(out, latest, external, openMetrics));
    }

    private static void write(OutputStream out, List<Latest> samples, Map<String, String> external,
                              boolean openMetrics) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        String family = null;
        for (Latest s : samples) {
            String name = s.labels().metricName();
            if (!name.equals(family)) {
                w.append("# TYPE ").append(name).append(openMetrics ? " unknown\n" : " untyped\n");
                family = name;
            }
            w.append(name).append('{');
            boolean first = true;
            for (int i = 0; i < s.labels().size(); i++) {
                if (!s.labels().name(i).equals(Labels.METRIC_NAME)) {
                    first = label(w, first, s.labels().name(i), s.labels().value(i));
                }
            }
            for (Map.Entry<String, String> e : external.entrySet()) {
                if (!s.labels().has(e.getKey())) {
                    first = label(w, first, e.getKey(), e.getValue());
                }
            }
            w.append("} ").append(GoFloat.exposition(s.v())).append(' ');
            if (openMetrics) {
                w.append(Long.toString(Math.floorDiv(s.t(), 1000)));
                long ms = Math.floorMod(s.t(), 1000);
                if (ms != 0) {
                    w.append('.').append(String.format("%03d", ms));
                }
            } else {
                w.append(Long.toString(s.t()));
            }
            w.append('\n');
        }
        if (openMetrics) {
            w.append("# EOF\n");
        }
        w.flush();
    }

    private static boolean label(Writer w, boolean first, String name, String value) throws IOException {
        if (!first) {
            w.append(',');
        }
        w.append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> w.append("\\\\");
                case '"' -> w.append("\\\"");
                case '\n' -> w.append("\\n");
                default -> w.append(c);
            }
        }
        w.append('"');
        return false;
    }
}
