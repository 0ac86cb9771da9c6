package io.promlite.web.api;

import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;

/**
 * {@code /api/v1/rules}, {@code /api/v1/alerts} and {@code /api/v1/alertmanagers}. promlite
 * evaluates no rules and sends no alerts, so each answers Prometheus's shape with nothing in it —
 * what Grafana's data-source start-up reads.
 */
public final class RulesApi {
    public HttpResponse rules(HttpRequest req) {
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("groups");
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    public HttpResponse alerts(HttpRequest req) {
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("alerts");
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    public HttpResponse alertmanagers(HttpRequest req) {
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("activeAlertmanagers");
            g.writeEndArray();
            g.writeArrayFieldStart("droppedAlertmanagers");
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
