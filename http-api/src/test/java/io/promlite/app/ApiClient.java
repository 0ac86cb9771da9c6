package io.promlite.app;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Talks to a running promlite over real HTTP and decodes Prometheus's JSON into plain values. */
final class ApiClient {
    private static final JsonFactory JSON = new JsonFactory();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    ApiClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** One element of an instant vector: its labels and value. */
    record Element(Map<String, String> metric, double timestamp, String value) {
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postForm(String path, String form) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A remote-write request as Prometheus sends it. */
    HttpResponse<String> remoteWrite(byte[] snappyBody) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/write")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(snappyBody)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Runs an instant query that must succeed with a vector result. */
    List<Element> vector(String query) throws IOException, InterruptedException {
        return vectorAt(query, null);
    }

    List<Element> vectorAt(String query, String time) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/api/v1/query?query=" + encode(query) + (time == null ? "" : "&time=" + time));
        if (r.statusCode() != 200) {
            throw new AssertionError("query " + query + " answered " + r.statusCode() + ": " + r.body());
        }
        return parseVector(r.body());
    }

    static List<Element> parseVector(String body) throws IOException {
        List<Element> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("status")) {
                    if (!p.getText().equals("success")) {
                        throw new AssertionError("not a success: " + body);
                    }
                } else if (field.equals("data")) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String dataField = p.currentName();
                        p.nextToken();
                        if (dataField.equals("resultType")) {
                            if (!p.getText().equals("vector")) {
                                throw new AssertionError("not a vector: " + body);
                            }
                        } else if (dataField.equals("result")) {
                            while (p.nextToken() == JsonToken.START_OBJECT) {
                                out.add(element(p));
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        return out;
    }

    private static Element element(JsonParser p) throws IOException {
        Map<String, String> metric = new TreeMap<>();
        double ts = 0;
        String value = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if (f.equals("metric")) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    metric.put(name, p.getText());
                }
            } else if (f.equals("value")) {
                p.nextToken();
                ts = p.getDoubleValue();
                p.nextToken();
                value = p.getText();
                expect(p.nextToken(), JsonToken.END_ARRAY);
            } else {
                p.skipChildren();
            }
        }
        return new Element(metric, ts, value);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new AssertionError("expected " + expected + " but got " + actual);
        }
    }
}
