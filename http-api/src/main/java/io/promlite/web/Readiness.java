package io.promlite.web;

import io.netty.handler.codec.http.HttpResponseStatus;

/** {@code /-/healthy} and {@code /-/ready}: ready once storage is open and serving. */
public final class Readiness {
    private volatile boolean ready;

    public void markReady() {
        ready = true;
    }

    public boolean isReady() {
        return ready;
    }

    public HttpResponse healthy(HttpRequest request) {
        return HttpResponse.text(HttpResponseStatus.OK, "Promlite Server is Healthy.\n");
    }

    /** While starting, every other path is answered 503, as Prometheus answers before it is ready. */
    public Router startupRoutes() {
        return new Router().get("/-/healthy", this::healthy).get("/-/ready", this::ready)
                .otherwise(r -> HttpResponse.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "Service Unavailable\n"));
    }

    public HttpResponse ready(HttpRequest request) {
        return ready
                ? HttpResponse.text(HttpResponseStatus.OK, "Promlite Server is Ready.\n")
                : HttpResponse.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "Service Unavailable\n");
    }
}
