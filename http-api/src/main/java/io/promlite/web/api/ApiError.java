package io.promlite.web.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/** An API failure with Prometheus's {@code errorType} and the status code it answers with. */
public final class ApiError extends Exception {
    public enum Type {
        BAD_DATA("bad_data", HttpResponseStatus.BAD_REQUEST),
        EXECUTION("execution", HttpResponseStatus.UNPROCESSABLE_ENTITY),
        TIMEOUT("timeout", HttpResponseStatus.SERVICE_UNAVAILABLE),
        CANCELED("canceled", HttpResponseStatus.SERVICE_UNAVAILABLE),
        INTERNAL("internal", HttpResponseStatus.INTERNAL_SERVER_ERROR),
        NOT_FOUND("not_found", HttpResponseStatus.NOT_FOUND),
        UNAVAILABLE("unavailable", HttpResponseStatus.SERVICE_UNAVAILABLE);

        private final String name;
        private final HttpResponseStatus status;

        Type(String name, HttpResponseStatus status) {
            this.name = name;
            this.status = status;
        }

        public String jsonName() {
            return name;
        }

        public HttpResponseStatus status() {
            return status;
        }
    }

    private final Type type;

    public ApiError(Type type, String message) {
        super(message, null, false, false);
        this.type = type;
    }

    public static ApiError badData(String message) {
        return new ApiError(Type.BAD_DATA, message);
    }

    /** Prometheus's wording for a parameter that does not parse. */
    public static ApiError invalidParam(String name, String problem) {
        return badData("invalid parameter \"" + name + "\": " + problem);
    }

    public Type type() {
        return type;
    }
}
