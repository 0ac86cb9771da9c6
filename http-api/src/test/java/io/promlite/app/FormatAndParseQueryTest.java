package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.promlite.web.ListenAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/v1/format_query} and {@code /api/v1/parse_query} answer as Prometheus's do. */
class FormatAndParseQueryTest {
    @TempDir
    Path tmp;

    @Test
    void formatQueryPrettifiesOrReportsTheParseError() throws Exception {
        ServerSettings settings = ServerSettings.defaults(null, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"));
        try (Promlite server = Promlite.start(settings, null)) {
            ApiClient api = new ApiClient(server.port());
            HttpResponse<String> ok = api.get("/api/v1/format_query?query="
                    + ApiClient.encode("sum(rate(x{b=\"1\",a=~'y'}[5m])) by (job)"));
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("{\"status\":\"success\",\"data\":\"sum by (job) (rate(x{a=~\\\"y\\\",b=\\\"1\\\"}[5m]))\"}",
                    ok.body());
            String longQuery = "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket"
                    + "{job=\"api-server\"}[5m])))";
            HttpResponse<String> split = api.postForm("/api/v1/format_query", "query=" + ApiClient.encode(longQuery));
            assertEquals(200, split.statusCode(), split.body());
            assertEquals("{\"status\":\"success\",\"data\":\"histogram_quantile(\\n  0.9,\\n  sum by (le) "
                    + "(rate(http_request_duration_seconds_bucket{job=\\\"api-server\\\"}[5m]))\\n)\"}", split.body());
            HttpResponse<String> bad = api.get("/api/v1/format_query?query=" + ApiClient.encode("sum(x"));
            assertEquals(400, bad.statusCode(), bad.body());
            assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter "
                    + "\\\"query\\\": 1:6: parse error: unclosed left parenthesis\"}", bad.body());
        }
    }

    @Test
    void parseQueryReturnsTheSyntaxTree() throws Exception {
        ServerSettings settings = ServerSettings.defaults(null, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"));
        try (Promlite server = Promlite.start(settings, null)) {
            ApiClient api = new ApiClient(server.port());
            HttpResponse<String> r = api.get("/api/v1/parse_query?query="
                    + ApiClient.encode("sum by (job) (rate(x{a=\"b\"}[5m] offset 1m)) > bool 2"));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("{\"status\":\"success\",\"data\":{\"bool\":true,\"lhs\":{\"expr\":{\"args\":[{"
                    + "\"anchored\":false,\"matchers\":[{\"name\":\"a\",\"type\":\"=\",\"value\":\"b\"},"
                    + "{\"name\":\"__name__\",\"type\":\"=\",\"value\":\"x\"}],\"name\":\"x\",\"offset\":60000,"
                    + "\"range\":300000,\"smoothed\":false,\"startOrEnd\":null,\"timestamp\":null,"
                    + "\"type\":\"matrixSelector\"}],\"func\":{\"argTypes\":[\"matrix\"],\"name\":\"rate\","
                    + "\"returnType\":\"vector\",\"variadic\":0},\"type\":\"call\"},\"grouping\":[\"job\"],"
                    + "\"op\":\"sum\",\"param\":null,\"type\":\"aggregation\",\"without\":false},"
                    + "\"matching\":null,\"op\":\">\",\"rhs\":{\"type\":\"numberLiteral\",\"val\":\"2\"},"
                    + "\"type\":\"binaryExpr\"}}", r.body());
            HttpResponse<String> bad = api.postForm("/api/v1/parse_query", "query=" + ApiClient.encode("rate(x)"));
            assertEquals(400, bad.statusCode(), bad.body());
        }
    }
}
