package io.promlite.web;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** A complete response body with its status and content type (null for an empty 204). */
public record HttpResponse(HttpResponseStatus status, String contentType, byte[] body) {
    public static HttpResponse text(HttpResponseStatus status, String text) {
        return new HttpResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpResponse noContent() {
        return new HttpResponse(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
    }
}
