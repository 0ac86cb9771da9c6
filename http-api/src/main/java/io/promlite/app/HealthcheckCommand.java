package io.promlite.app;

import io.promlite.config.PromDurations;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code promlite healthcheck}: a container health probe that needs nothing but the JRE already
 * in the image (no curl or wget). Exit 0 when the URL answers 200, 1 otherwise.
 */
@Command(name = "healthcheck", mixinStandardHelpOptions = true, versionProvider = BuildInfo.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Exits 0 when the server's health endpoint answers 200, 1 when it refuses, "
                + "times out or answers anything else.")
final class HealthcheckCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://localhost:9090/-/healthy",
            converter = HttpUrlConverter.class,
            description = "URL to probe (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = Main.DurationConverter.class,
            description = "Give up after this long, connecting included (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The probe must reach the server itself, never a proxy configured for the JVM.
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).proxy(HttpClient.Builder.NO_PROXY)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        try {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                out.println("healthy: " + url + " answered 200");
                out.flush();
                return 0;
            }
            return unhealthy(err, "answered " + status);
        } catch (HttpTimeoutException e) {
            return unhealthy(err, "did not answer within " + PromDurations.format(timeout));
        } catch (ConnectException e) {
            return unhealthy(err, "cannot connect: " + connectFailure(e));
        } catch (IOException e) {
            return unhealthy(err, "request failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unhealthy(err, "interrupted");
        }
    }

    /** The JDK's ConnectException often carries no message; the reason is in its causes. */
    private String connectFailure(ConnectException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "cannot resolve host " + url.getHost();
            }
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return "connection refused";
    }

    private int unhealthy(PrintWriter err, String why) {
        err.println("unhealthy: " + url + " " + why);
        err.flush();
        return 1;
    }

    /** Accepts absolute http(s) URLs with a host, so a typo fails as a usage error (exit 2). */
    static final class HttpUrlConverter implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                throw new CommandLine.TypeConversionException("invalid URL \"" + value + "\": " + e.getReason());
            }
            if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    || uri.getHost() == null) {
                throw new CommandLine.TypeConversionException(
                        "invalid URL \"" + value + "\": want http://HOST:PORT/PATH or https://…");
            }
            return uri;
        }
    }
}
