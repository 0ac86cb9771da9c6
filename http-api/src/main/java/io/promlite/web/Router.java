package io.promlite.web;

import io.netty.handler.codec.http.HttpMethod;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Exact-path routing with per-path allowed methods (a known path with another method is a 405). */
public final class Router {
    private final Map<String, Map<HttpMethod, Handler>> routes = new HashMap<>();

    public Router get(String path, Handler handler) {
        return add(path, handler, HttpMethod.GET);
    }

    /** GET and form-encoded POST, as Prometheus accepts for its query and metadata endpoints. */
    public Router getOrPost(String path, Handler handler) {
        return add(path, handler, HttpMethod.GET, HttpMethod.POST);
    }

    public Router post(String path, Handler handler) {
        return add(path, handler, HttpMethod.POST);
    }

    private Router add(String path, Handler handler, HttpMethod... methods) {
        Map<HttpMethod, Handler> byMethod = routes.computeIfAbsent(path, p -> new HashMap<>());
        for (HttpMethod m : methods) {
            byMethod.put(m, handler);
        }
        if (byMethod.containsKey(HttpMethod.GET)) {
            byMethod.putIfAbsent(HttpMethod.HEAD, handler);
        }
        return this;
    }

    /** What a request resolves to: a handler, or why there is none. */
    public sealed interface Match permits Found, NotFound, MethodNotAllowed {
    }

    public record Found(Handler handler) implements Match {
    }

    public record NotFound() implements Match {
    }

    public record MethodNotAllowed(Set<HttpMethod> allowed) implements Match {
    }

    public Match route(HttpMethod method, String path) {
        Map<HttpMethod, Handler> byMethod = routes.get(path);
        if (byMethod == null) {
            return new NotFound();
        }
        Handler h = byMethod.get(method);
        return h != null ? new Found(h) : new MethodNotAllowed(byMethod.keySet());
    }
}
