package io.promlite.web;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/**
 * A decoded request: parameters merge the query string and, for form-encoded POSTs, the body,
 * as Go's {@code Request.ParseForm} does (body values first). {@code body} holds the raw bytes
 * of any other request body (such as a remote-write payload), empty otherwise.
 */
public record HttpRequest(HttpMethod method, String path, Map<String, List<String>> params, HttpHeaders headers,
                          Map<String, String> pathParams, byte[] body) {
    /** A request without path parameters or raw body. */
    public HttpRequest(HttpMethod method, String path, Map<String, List<String>> params, HttpHeaders headers) {
        this(method, path, params, headers, Map.of(), new byte[0]);
    }

    /** The first value of a parameter, or null when absent. */
    public String param(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> params(String name) {
        return params.getOrDefault(name, List.of());
    }

    /** The value of a {@code {name}} segment of the route's path. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }
}
