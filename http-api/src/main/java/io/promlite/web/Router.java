package io.promlite.web;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Routing by path and method (a known path with another method is a 405). A path segment
 * written {@code {name}} matches any one segment and is handed to the handler as a path
 * parameter. A route may name the executor its handler runs on (queries run on their own
 * bounded pool); otherwise the server's default worker pool is used.
 */
public final class Router {
    private final Map<String, Route> exact = new HashMap<>();
    private final List<Route> patterns = new ArrayList<>();
    private Handler otherwise;

    private static final class Route {
        final String path;
        final String[] segments;
        final Map<HttpMethod, Target> byMethod = new HashMap<>();

        Route(String path) {
            this.path = path;
            this.segments = path.split("/", -1);
        }

        boolean isPattern() {
            for (String s : segments) {
                if (isParam(s)) {
                    return true;
                }
            }
            return false;
        }

        /** The path parameters when {@code path} matches this pattern, else null. */
        Map<String, String> match(String[] path) {
            if (path.length != segments.length) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < segments.length; i++) {
                if (isParam(segments[i])) {
                    params.put(segments[i].substring(1, segments[i].length() - 1), path[i]);
                } else if (!segments[i].equals(path[i])) {
                    return null;
                }
            }
            return params;
        }

        private static boolean isParam(String segment) {
            return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
        }
    }

    private record Target(Handler handler, Executor executor) {
    }

    public Router get(String path, Handler handler) {
        return add(path, handler, null, HttpMethod.GET);
    }

    /** GET and form-encoded POST, as Prometheus accepts for its query and metadata endpoints. */
    public Router getOrPost(String path, Handler handler) {
        return add(path, handler, null, HttpMethod.GET, HttpMethod.POST);
    }

    /** GET and POST, with the handler running on {@code executor}. */
    public Router getOrPost(String path, Handler handler, Executor executor) {
        return add(path, handler, executor, HttpMethod.GET, HttpMethod.POST);
    }

    public Router post(String path, Handler handler) {
        return add(path, handler, null, HttpMethod.POST);
    }

    /** POST and PUT, as Prometheus accepts for its admin and lifecycle endpoints. */
    public Router postOrPut(String path, Handler handler) {
        return add(path, handler, null, HttpMethod.POST, HttpMethod.PUT);
    }

    /** Answers every request no route matches (instead of a 404), whatever its method. */
    public Router otherwise(Handler handler) {
        this.otherwise = handler;
        return this;
    }

    private Router add(String path, Handler handler, Executor executor, HttpMethod... methods) {
        Route route = exact.get(path);
        if (route == null) {
            route = patterns.stream().filter(r -> r.path.equals(path)).findFirst().orElse(null);
        }
        if (route == null) {
            route = new Route(path);
            if (route.isPattern()) {
                patterns.add(route);
            } else {
                exact.put(path, route);
            }
        }
        for (HttpMethod m : methods) {
            route.byMethod.put(m, new Target(handler, executor));
        }
        if (route.byMethod.containsKey(HttpMethod.GET)) {
            route.byMethod.putIfAbsent(HttpMethod.HEAD, route.byMethod.get(HttpMethod.GET));
        }
        return this;
    }

    /** What a request resolves to: a handler, or why there is none. */
    public sealed interface Match permits Found, NotFound, MethodNotAllowed {
    }

    /**
     * @param route      the route's path as registered (with its {@code {name}} segments), or
     *                   "other" for the fallback
     * @param executor   where the handler runs, or null for the server's default pool
     * @param pathParams the values of the route's {@code {name}} segments
     */
    public record Found(String route, Handler handler, Executor executor, Map<String, String> pathParams)
            implements Match {
    }

    public record NotFound() implements Match {
    }

    public record MethodNotAllowed(Set<HttpMethod> allowed) implements Match {
    }

    public Match route(HttpMethod method, String path) {
        Route route = exact.get(path);
        Map<String, String> params = Map.of();
        if (route == null) {
            String[] segments = path.split("/", -1);
            for (Route r : patterns) {
                Map<String, String> p = r.match(segments);
                if (p != null) {
                    route = r;
                    params = p;
                    break;
                }
            }
        }
        if (route == null) {
            return otherwise != null ? new Found("other", otherwise, null, Map.of()) : new NotFound();
        }
        Target t = route.byMethod.get(method);
        return t != null ? new Found(route.path, t.handler(), t.executor(), params) : new MethodNotAllowed(route.byMethod.keySet());
    }
}
