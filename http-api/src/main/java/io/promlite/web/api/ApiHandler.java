package io.promlite.web.api;

import io.promlite.web.Handler;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;

/** An API endpoint; an {@link ApiError} becomes Prometheus's JSON error envelope. */
@FunctionalInterface
public interface ApiHandler {
    HttpResponse handle(HttpRequest request) throws ApiError;

    static Handler json(ApiHandler handler) {
        return request -> {
            try {
                return handler.handle(request);
            } catch (ApiError e) {
                return ApiJson.error(e.type().status(), e.type().jsonName(), e.getMessage());
            }
        };
    }
}
