package io.promlite.web;

import java.time.Duration;

/**
 * How the listener serves.
 *
 * @param routePrefix    the path prefix every route is served under, "" for none (otherwise it
 *                       starts with "/" and does not end with one)
 * @param maxConnections open connections beyond this are closed at once ({@code --web.max-connections})
 * @param readTimeout    a connection that sends nothing for this long is closed ({@code --web.read-timeout})
 */
public record ServerOptions(String routePrefix, int maxConnections, Duration readTimeout) {
    /** Prometheus's defaults: no prefix, 512 connections, 5 minutes. */
    public static ServerOptions defaults() {
        return new ServerOptions("", 512, Duration.ofMinutes(5));
    }
}
