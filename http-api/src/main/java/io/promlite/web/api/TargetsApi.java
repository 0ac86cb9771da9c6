package io.promlite.web.api;

import io.promlite.config.PromDurations;
import io.promlite.scraper.TargetStatus;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code /api/v1/targets}, {@code /api/v1/targets/metadata} and {@code /api/v1/metadata}.
 * The scraper keeps no metric metadata, so the metadata endpoints answer with valid empty results.
 */
public final class TargetsApi {
    private static final Set<String> LOCALHOSTS = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    private final Supplier<List<TargetStatus>> activeTargets;
    private final Supplier<List<String>> scrapePools;
    private final URI externalUrl;
    private final int listenPort;

    /**
     * @param externalUrl the URL promlite is reached at ({@code --web.external-url}), which
     *                    replaces a loopback host in each target's {@code globalUrl}
     * @param listenPort  the port promlite listens on, to recognise promlite scraping itself
     * @param scrapePools the configured job names
     */
    public TargetsApi(Supplier<List<TargetStatus>> activeTargets, Supplier<List<String>> scrapePools,
                      URI externalUrl, int listenPort) {
        this.activeTargets = activeTargets;
        this.scrapePools = scrapePools;
        this.externalUrl = externalUrl;
        this.listenPort = listenPort;
    }

    public HttpResponse targets(HttpRequest req) {
        String state = req.param("state") == null ? "" : req.param("state").toLowerCase(Locale.ROOT);
        String pool = req.param("scrapePool") == null ? "" : req.param("scrapePool");
        boolean showActive = state.isEmpty() || state.equals("any") || state.equals("active");
        boolean showDropped = state.isEmpty() || state.equals("any") || state.equals("dropped");
        List<TargetStatus> active = showActive ? activeTargets.get() : List.of();
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("activeTargets");
            for (TargetStatus t : active) {
                if (!pool.isEmpty() && !pool.equals(t.scrapePool())) {
                    continue;
                }
                g.writeStartObject();
                g.writeFieldName("discoveredLabels");
                ApiJson.writeLabels(g, t.discoveredLabels());
                g.writeFieldName("labels");
                ApiJson.writeLabels(g, t.labels());
                g.writeStringField("scrapePool", t.scrapePool());
                g.writeStringField("scrapeUrl", t.scrapeUrl());
                g.writeStringField("globalUrl", globalUrl(t.scrapeUrl()));
                g.writeStringField("lastError", t.lastError());
                g.writeStringField("lastScrape", ApiJson.rfc3339(t.lastScrape()));
                g.writeNumberField("lastScrapeDuration", t.lastScrapeDuration().toNanos() / 1e9);
                g.writeStringField("health", t.health());
                g.writeStringField("scrapeInterval", PromDurations.format(t.scrapeInterval()));
                g.writeStringField("scrapeTimeout", PromDurations.format(t.scrapeTimeout()));
                g.writeEndObject();
            }
            g.writeEndArray();
            // Relabeling drops are not tracked by the scraper: the list is empty, never absent.
            g.writeArrayFieldStart("droppedTargets");
            g.writeEndArray();
            if (showDropped) {
                g.writeObjectFieldStart("droppedTargetCounts");
                g.writeEndObject();
            } else {
                g.writeNullField("droppedTargetCounts");
            }
            g.writeEndObject();
        });
    }

    /** {@code /api/v1/scrape_pools}: the configured pools, sorted. */
    public HttpResponse scrapePools(HttpRequest req) {
        List<String> pools = scrapePools.get().stream().sorted().toList();
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("scrapePools");
            for (String p : pools) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * A loopback scrape URL as the outside world reaches it: promlite's own port becomes the
     * external URL's scheme, host and port; another port keeps its number on the external host.
     */
    String globalUrl(String scrapeUrl) {
        URI u;
        try {
            u = URI.create(scrapeUrl);
        } catch (IllegalArgumentException e) {
            return scrapeUrl;
        }
        if (u.getHost() == null || !LOCALHOSTS.contains(u.getHost())) {
            return scrapeUrl;
        }
        int port = u.getPort() < 0 ? 80 : u.getPort();
        String scheme = u.getScheme();
        String authority;
        if (port == listenPort) {
            scheme = externalUrl.getScheme();
            authority = externalUrl.getRawAuthority();
        } else {
            authority = externalUrl.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
        }
        String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
        return scheme + "://" + authority + u.getRawPath() + query;
    }

    public HttpResponse targetMetadata(HttpRequest req) throws ApiError {
        limitParam(req.param("limit"));
        String matchTarget = req.param("match_target");
        if (matchTarget != null && !matchTarget.isEmpty()) {
            try {
                Params.selector(matchTarget);
            } catch (ApiError e) {
                throw ApiError.invalidParam("match_target", e.getMessage());
            }
        }
        return ApiJson.success(g -> {
            g.writeStartArray();
            g.writeEndArray();
        });
    }

    public HttpResponse metricMetadata(HttpRequest req) throws ApiError {
        limitParam(req.param("limit"));
        String perMetric = req.param("limit_per_metric");
        if (perMetric != null && !perMetric.isEmpty()) {
            try {
                Integer.parseInt(perMetric);
            } catch (NumberFormatException e) {
                throw ApiError.badData("limit_per_metric must be a number");
            }
        }
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeEndObject();
        });
    }

    private static void limitParam(String limit) throws ApiError {
        if (limit != null && !limit.isEmpty()) {
            try {
                Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw ApiError.badData("limit must be a number");
            }
        }
    }
}
