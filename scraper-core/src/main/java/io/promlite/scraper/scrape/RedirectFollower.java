package io.promlite.scraper.scrape;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.promlite.config.TlsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Follows a scrape's redirects ({@code follow_redirects: true}) as Prometheus's HTTP client (Go's)
 * does: 301, 302, 303, 307 and 308 with a {@code Location}, resolved against the URL that
 * answered, at most 9 hops (Go's client stops at the 10th redirect). Each hop is the same GET with
 * the same headers, credentials included (Prometheus adds them to every request it sends), on a
 * connection of its own that is closed after the hop; the scrape timeout covers every hop.
 */
final class RedirectFollower {
    /** Go's http.Client gives up when it receives this many redirects. */
    static final int MAX_REDIRECTS = 10;

    /** A redirect response; its message is the failure a scrape that does not follow it reports. */
    static final class Redirected extends ScrapeFailure {
        final String location;

        Redirected(String statusMessage, String location) {
            super(statusMessage);
            this.location = location;
        }
    }

    /** Whether Go's client follows a GET answered with this status. */
    static boolean follows(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private final HttpScraper http;
    /** Where a hop's host name is resolved, which may block. */
    private final Executor executor;
    private final EventLoop timer;
    private final TlsConfig tls;

    RedirectFollower(HttpScraper http, Executor executor, EventLoop timer, TlsConfig tls) {
        this.http = http;
        this.executor = executor;
        this.timer = timer;
        this.tls = tls;
    }

    /**
     * Like {@link HttpScraper#fetch}, with the target's redirects followed. A scrape that is not
     * redirected costs nothing more than a plain fetch: the follower only steps in on a redirect.
     */
    CompletableFuture<ScrapeResponse> fetch(HttpScraper.Request request, InetAddress address,
                                            HttpScraper.Connection connection) {
        return http.fetch(request, address, connection, this);
    }

    /**
     * Takes over a scrape whose first request was redirected to {@code location}, completing
     * {@code result} within the scrape's remaining time. Called on the event loop.
     */
    void follow(HttpScraper.Request from, String statusMessage, String location, long remainingNanos,
                CompletableFuture<ScrapeResponse> result) {
        hop(from, statusMessage, location, 1, System.nanoTime() + remainingNanos, result);
    }

    /** Goes on to the redirect's target off the event loop, since resolving its host may block. */
    private void hop(HttpScraper.Request from, String statusMessage, String location, int redirects, long deadlineNanos,
                     CompletableFuture<ScrapeResponse> result) {
        try {
            executor.execute(() -> next(from, location, redirects, deadlineNanos, result));
        } catch (RejectedExecutionException e) {
            fail(result, statusMessage);
        }
    }

    private void chain(CompletableFuture<ScrapeResponse> hop, HttpScraper.Request request, int redirects,
                       long deadlineNanos, CompletableFuture<ScrapeResponse> result) {
        hop.whenComplete((response, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof Redirected r) {
                hop(request, r.getMessage(), r.location, redirects + 1, deadlineNanos, result);
            } else if (cause != null) {
                result.completeExceptionally(cause);
            } else if (!result.complete(response)) {
                response.release();
            }
        });
    }

    private void next(HttpScraper.Request from, String location, int redirects, long deadlineNanos,
                      CompletableFuture<ScrapeResponse> result) {
        if (result.isDone()) {
            return; // the scrape timed out meanwhile
        }
        String fromUrl = from.target().url();
        URI uri;
        try {
            uri = URI.create(fromUrl).resolve(location);
        } catch (IllegalArgumentException e) {
            fail(result, "Get \"" + fromUrl + "\": failed to parse Location header \"" + location + "\": " + e.getMessage());
            return;
        }
        if (redirects >= MAX_REDIRECTS) {
            fail(result, "Get \"" + location + "\": stopped after " + MAX_REDIRECTS + " redirects");
            return;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            fail(result, "Get \"" + uri + "\": unsupported protocol scheme \"" + scheme + "\"");
            return;
        }
        ScrapeTarget to = target(from.target(), uri, scheme);
        if (to == null) {
            fail(result, "Get \"" + uri + "\": no Host in request URL");
            return;
        }
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0) {
            fail(result, "Get \"" + to.url() + "\": context deadline exceeded");
            return;
        }
        InetAddress address;
        SslContext ssl;
        try {
            address = InetAddress.getByName(to.host());
            ssl = scheme.equals("https") ? http.sslContext(tls) : null;
        } catch (UnknownHostException e) {
            fail(result, "Get \"" + to.url() + "\": lookup " + to.host() + ": no such host");
            return;
        } catch (IOException e) {
            fail(result, e.getMessage());
            return;
        }
        HttpScraper.Request request = http.redirect(from, to, ssl);
        HttpScraper.Connection connection = new HttpScraper.Connection();
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (result.completeExceptionally(new ScrapeFailure("Get \"" + to.url() + "\": context deadline exceeded"))) {
                connection.close();
            }
        }, remainingNanos, TimeUnit.NANOSECONDS);
        CompletableFuture<ScrapeResponse> hop = http.fetch(request, address, connection);
        hop.whenComplete((r, e) -> {
            deadline.cancel(false);
            connection.close();
        });
        chain(hop, request, redirects, deadlineNanos, result);
    }

    private static void fail(CompletableFuture<ScrapeResponse> result, String message) {
        result.completeExceptionally(new ScrapeFailure(message));
    }

    /** The hop to {@code uri} as a target of its own (same labels and timing), or null without a host. */
    private static ScrapeTarget target(ScrapeTarget from, URI uri, String scheme) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return null;
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String authority = uri.getRawAuthority();
        int at = authority.lastIndexOf('@');
        String address = at >= 0 ? authority.substring(at + 1) : authority;
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new ScrapeTarget(from.labels(), from.discoveredLabels(), scheme, address, bareHost, port, pathAndQuery,
                from.interval(), from.timeout());
    }
}
