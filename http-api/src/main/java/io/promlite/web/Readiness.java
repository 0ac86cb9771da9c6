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

    public HttpResponse ready(HttpRequest request) {
        return ready
                ? HttpResponse.text(HttpResponseStatus.OK, "Promlite Server is Ready.\n")
                : HttpResponse.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "Service Unavailable\n");
    }
}
