package io.promlite.web;

/** Answers one request. Runs on a worker thread, never on a Netty event loop, so it may block. */
@FunctionalInterface
public interface Handler {
    HttpResponse handle(HttpRequest request) throws Exception;
}
