package io.promlite.web;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/**
 * A decoded request: parameters merge the query string and, for form-encoded POSTs, the body,
 * as Go's {@code Request.ParseForm} does (body values first).
 */
public record HttpRequest(HttpMethod method, String path, Map<String, List<String>> params, HttpHeaders headers) {
    /** The first value of a parameter, or null when absent. */
    public String param(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> params(String name) {
        return params.getOrDefault(name, List.of());
    }
}
