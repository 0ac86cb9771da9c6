package io.promlite.web.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promlite.promql.Engine;
import io.promlite.promql.EngineOptions;
import io.promlite.promql.PromqlException;
import io.promlite.promql.QueryResult;
import io.promlite.promql.parser.Expr;
import io.promlite.promql.parser.ExprPrinter;
import io.promlite.promql.parser.Parser;
import io.promlite.promql.value.Matrix;
import io.promlite.promql.value.Sample;
import io.promlite.promql.value.Scalar;
import io.promlite.promql.value.SeriesPoints;
import io.promlite.promql.value.StringValue;
import io.promlite.promql.value.Value;
import io.promlite.promql.value.Vector;
import io.promlite.tsdb.Queryable;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code /api/v1/query} and {@code /api/v1/query_range}. */
public final class QueryApi {
    /** Prometheus refuses range queries that would return more points than this per series. */
    static final long MAX_POINTS_PER_SERIES = 11_000;
    /** Prometheus's API returns at most this many warnings and this many infos per query. */
    static final int MAX_ANNOTATIONS = 10;

    private final Queryable storage;
    private final EngineOptions options;
    private final Engine engine;
    private final Clock clock;
    private final QueryMetrics metrics;

    public QueryApi(Queryable storage, EngineOptions options, Clock clock, QueryMetrics metrics) {
        this.storage = storage;
        this.metrics = metrics;
        this.options = options;
        this.engine = new Engine(storage, options);
        this.clock = clock;
    }

    public HttpResponse instant(HttpRequest req) throws ApiError {
        int limit = Params.limit(req.param("limit"));
        long time = Params.time("time", req.param("time"), clock.millis());
        Engine engine = engineFor(req);
        String query = requireQuery(req);
        return answer(() -> engine.instantQuery(query, time), "instant", limit);
    }

    public HttpResponse range(HttpRequest req) throws ApiError {
        int limit = Params.limit(req.param("limit"));
        String query = requireQuery(req);
        long start = Params.time("start", required(req, "start"));
        long end = Params.time("end", required(req, "end"));
        if (end < start) {
            throw ApiError.invalidParam("end", "end timestamp must not be before start time");
        }
        long step = Params.duration("step", required(req, "step"));
        if (step <= 0) {
            throw ApiError.invalidParam("step",
                    "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if ((end - start) / step > MAX_POINTS_PER_SERIES) {
            throw ApiError.badData("exceeded maximum resolution of 11,000 points per timeseries. "
                    + "Try decreasing the query resolution (?step=XX)");
        }
        Engine engine = engineFor(req);
        return answer(() -> engine.rangeQuery(query, start, end, step), "range", limit);
    }

    /**
     * {@code /api/v1/query_exemplars}: promlite stores no exemplars, so a valid request gets an
     * empty list. Grafana probes it with millisecond timestamps passed as seconds, which parse.
     */
    public HttpResponse exemplars(HttpRequest req) throws ApiError {
        long start = Params.time("start", req.param("start"), Params.MIN_TIME_MS);
        long end = Params.time("end", req.param("end"), Params.MAX_TIME_MS);
        if (end < start) {
            throw ApiError.badData("end timestamp must not be before start timestamp");
        }
        try {
            Parser.parse(requireQuery(req));
        } catch (PromqlException e) {
            throw ApiError.badData(e.getMessage());
        }
        return ApiJson.success(g -> {
            g.writeStartArray();
            g.writeEndArray();
        });
    }

    /**
     * {@code /api/v1/format_query}: the query laid out as Prometheus's prettier does. Parsing
     * is quick and bounded by the request size, so it runs without the query-concurrency gate.
     */
    public HttpResponse formatQuery(HttpRequest req) throws ApiError {
        String formatted;
        try {
            formatted = ExprPrinter.format(requireQuery(req));
        } catch (PromqlException e) {
            throw ApiError.invalidParam("query", e.getMessage());
        }
        return ApiJson.success(g -> g.writeString(formatted));
    }

    /** {@code /api/v1/parse_query}: the query's syntax tree as JSON, in the shapes Prometheus's web API uses. */
    public HttpResponse parseQuery(HttpRequest req) throws ApiError {
        Expr expr;
        try {
            expr = Parser.parse(requireQuery(req));
        } catch (PromqlException e) {
            throw ApiError.invalidParam("query", e.getMessage());
        }
        return ApiJson.success(g -> AstJson.write(g, expr));
    }

    /** The shared engine, or one bounded by the request's {@code timeout} when it is shorter. */
    private Engine engineFor(HttpRequest req) throws ApiError {
        String timeout = req.param("timeout");
        if (timeout == null || timeout.isEmpty()) {
            return engine;
        }
        long ms = Params.duration("timeout", timeout);
        if (ms >= options.timeout().toMillis()) {
            return engine;
        }
        return new Engine(storage, options.withTimeout(Duration.ofMillis(Math.max(ms, 0))));
    }

    /** An absent query is parsed as the empty one, so the parser words the error as Prometheus's does. */
    private static String requireQuery(HttpRequest req) {
        String q = req.param("query");
        return q == null ? "" : q;
    }

    private static String required(HttpRequest req, String name) throws ApiError {
        String v = req.param(name);
        if (v == null || v.isEmpty()) {
            throw ApiError.invalidParam(name, "cannot parse \"\" to a valid " + (name.equals("step") ? "duration"
                    : "timestamp"));
        }
        return v;
    }

    private interface Evaluation {
        QueryResult run();
    }

    private HttpResponse answer(Evaluation evaluation, String type, int limit) throws ApiError {
        QueryResult result;
        QueryMetrics.Timer timer = metrics.start(type);
        try {
            result = evaluation.run();
        } catch (PromqlException e) {
            throw switch (e.kind()) {
                case BAD_DATA -> ApiError.invalidParam("query", e.getMessage());
                case EXECUTION -> new ApiError(ApiError.Type.EXECUTION, e.getMessage());
                case TIMEOUT -> new ApiError(ApiError.Type.TIMEOUT, e.getMessage());
                case CANCELED -> new ApiError(ApiError.Type.CANCELED, e.getMessage());
            };
        } finally {
            timer.stop();
        }
        Value value = result.value();
        int shown = limit > 0 ? limit : Integer.MAX_VALUE;
        boolean truncated = (value instanceof Vector v && v.samples().size() > shown)
                || (value instanceof Matrix m && m.series().size() > shown);
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeStringField("resultType", value.typeName());
            g.writeFieldName("result");
            writeResult(g, value, shown);
            g.writeEndObject();
        }, capped(truncated ? concat(result.warnings(), "results truncated due to limit") : result.warnings(),
                "warning"), capped(result.infos(), "info"));
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> out = new ArrayList<>(list);
        out.add(more);
        return out;
    }

    /** Like Prometheus's API, at most {@value #MAX_ANNOTATIONS} of each kind, then a count of the rest. */
    private static List<String> capped(List<String> annotations, String kind) {
        if (annotations.size() <= MAX_ANNOTATIONS) {
            return annotations;
        }
        List<String> out = new ArrayList<>(annotations.subList(0, MAX_ANNOTATIONS));
        out.add((annotations.size() - MAX_ANNOTATIONS) + " more " + kind + " annotations omitted");
        return out;
    }

    private static void writeResult(JsonGenerator g, Value value, int limit) throws IOException {
        if (value instanceof Scalar s) {
            ApiJson.writePoint(g, s.timestampMs(), s.value());
        } else if (value instanceof StringValue s) {
            g.writeStartArray();
            ApiJson.writeTimestamp(g, s.timestampMs());
            g.writeString(s.value());
            g.writeEndArray();
        } else if (value instanceof Vector v) {
            // Every sample of an instant vector has the evaluation's timestamp: spelled once.
            ApiJson.PointWriter points = new ApiJson.PointWriter();
            g.writeStartArray();
            for (Sample sample : v.samples().subList(0, Math.min(limit, v.samples().size()))) {
                g.writeStartObject();
                g.writeFieldName("metric");
                ApiJson.writeLabels(g, sample.metric());
                g.writeFieldName("value");
                points.write(g, sample.timestampMs(), sample.value());
                g.writeEndObject();
            }
            g.writeEndArray();
        } else if (value instanceof Matrix m) {
            ApiJson.PointWriter points = new ApiJson.PointWriter();
            g.writeStartArray();
            for (SeriesPoints series : m.series().subList(0, Math.min(limit, m.series().size()))) {
                g.writeStartObject();
                g.writeFieldName("metric");
                ApiJson.writeLabels(g, series.metric());
                g.writeArrayFieldStart("values");
                for (int i = 0; i < series.count(); i++) {
                    points.write(g, series.timestampsMs()[i], series.values()[i]);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }
}
