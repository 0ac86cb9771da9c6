package io.promlite.web;

import java.net.InetSocketAddress;

/** A {@code host:port} listen address as Prometheus's {@code --web.listen-address} takes it. */
public record ListenAddress(String host, int port) {
    /** Parses {@code host:port}, {@code :port} (all interfaces) or {@code [v6]:port}. */
    public static ListenAddress parse(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("address " + s + ": missing port in address");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address " + s + ": invalid port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("address " + s + ": invalid port");
        }
        return new ListenAddress(host, port);
    }

    public InetSocketAddress toSocketAddress() {
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** The address a local client (such as the embedded self-scrape) reaches this listener at. */
    public String localTarget(int boundPort) {
        boolean wildcard = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
        String h = wildcard ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
        return h + ":" + boundPort;
    }
}
