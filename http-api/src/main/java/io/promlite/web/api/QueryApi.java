package io.promlite.web.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promlite.promql.Engine;
import io.promlite.promql.PromqlException;
import io.promlite.promql.value.Matrix;
import io.promlite.promql.value.Sample;
import io.promlite.promql.value.Scalar;
import io.promlite.promql.value.SeriesPoints;
import io.promlite.promql.value.StringValue;
import io.promlite.promql.value.Value;
import io.promlite.promql.value.Vector;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;
import java.io.IOException;
import java.time.Clock;

/** {@code /api/v1/query} and {@code /api/v1/query_range}. */
public final class QueryApi {
    /** Prometheus refuses range queries that would return more points than this per series. */
    static final long MAX_POINTS_PER_SERIES = 11_000;

    private final Engine engine;
    private final Clock clock;

    public QueryApi(Engine engine, Clock clock) {
        this.engine = engine;
        this.clock = clock;
    }

    public HttpResponse instant(HttpRequest req) throws ApiError {
        String query = requireQuery(req);
        long time = Params.time("time", req.param("time"), clock.millis());
        return answer(() -> engine.instant(query, time));
    }

    public HttpResponse range(HttpRequest req) throws ApiError {
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
        return answer(() -> engine.range(query, start, end, step));
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
        Value run();
    }

    private static HttpResponse answer(Evaluation evaluation) throws ApiError {
        Value value;
        try {
            value = evaluation.run();
        } catch (PromqlException e) {
            throw switch (e.kind()) {
                case BAD_DATA -> ApiError.invalidParam("query", e.getMessage());
                case EXECUTION -> new ApiError(ApiError.Type.EXECUTION, e.getMessage());
                case TIMEOUT -> new ApiError(ApiError.Type.TIMEOUT, e.getMessage());
                case CANCELED -> new ApiError(ApiError.Type.CANCELED, e.getMessage());
            };
        }
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeStringField("resultType", value.typeName());
            g.writeFieldName("result");
            writeResult(g, value);
            g.writeEndObject();
        });
    }

    private static void writeResult(JsonGenerator g, Value value) throws IOException {
        if (value instanceof Scalar s) {
            ApiJson.writePoint(g, s.timestampMs(), s.value());
        } else if (value instanceof StringValue s) {
            g.writeStartArray();
            ApiJson.writeTimestamp(g, s.timestampMs());
            g.writeString(s.value());
            g.writeEndArray();
        } else if (value instanceof Vector v) {
            g.writeStartArray();
            for (Sample sample : v.samples()) {
                g.writeStartObject();
                g.writeFieldName("metric");
                ApiJson.writeLabels(g, sample.metric());
                g.writeFieldName("value");
                ApiJson.writePoint(g, sample.timestampMs(), sample.value());
                g.writeEndObject();
            }
            g.writeEndArray();
        } else if (value instanceof Matrix m) {
            g.writeStartArray();
            for (SeriesPoints series : m.series()) {
                g.writeStartObject();
                g.writeFieldName("metric");
                ApiJson.writeLabels(g, series.metric());
                g.writeArrayFieldStart("values");
                for (int i = 0; i < series.count(); i++) {
                    ApiJson.writePoint(g, series.timestampsMs()[i], series.values()[i]);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }
}
