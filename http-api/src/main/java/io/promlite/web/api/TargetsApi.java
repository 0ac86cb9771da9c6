package io.promlite.web.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promlite.config.PromDurations;
import io.promlite.scraper.DroppedTarget;
import io.promlite.scraper.MetricMetadata;
import io.promlite.scraper.ScrapeManager;
import io.promlite.scraper.TargetMetadata;
import io.promlite.scraper.TargetStatus;
import io.promlite.tsdb.model.Matcher;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code /api/v1/targets}, {@code /api/v1/targets/metadata} and {@code /api/v1/metadata}, from
 * the scrape manager's view of its targets and the HELP/TYPE/UNIT lines they last sent.
 */
public final class TargetsApi {
    private static final Set<String> LOCALHOSTS = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    private final ScrapeManager scrapes;
    private final Supplier<List<String>> scrapePools;
    private final URI externalUrl;
    private final int listenPort;

    /**
     * @param externalUrl the URL promlite is reached at ({@code --web.external-url}), which
     *                    replaces a loopback host in each target's {@code globalUrl}
     * @param listenPort  the port promlite listens on, to recognise promlite scraping itself
     * @param scrapePools the configured job names
     */
    public TargetsApi(ScrapeManager scrapes, Supplier<List<String>> scrapePools, URI externalUrl, int listenPort) {
        this.scrapes = scrapes;
        this.scrapePools = scrapePools;
        this.externalUrl = externalUrl;
        this.listenPort = listenPort;
    }

    public HttpResponse targets(HttpRequest req) {
        String state = req.param("state") == null ? "" : req.param("state").toLowerCase(Locale.ROOT);
        String pool = req.param("scrapePool") == null ? "" : req.param("scrapePool");
        boolean showActive = state.isEmpty() || state.equals("any") || state.equals("active");
        boolean showDropped = state.isEmpty() || state.equals("any") || state.equals("dropped");
        List<TargetStatus> active = showActive ? scrapes.activeTargets() : List.of();
        List<DroppedTarget> dropped = scrapes.droppedTargets().stream()
                .filter(d -> pool.isEmpty() || pool.equals(d.scrapePool())).toList();
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
            g.writeArrayFieldStart("droppedTargets");
            if (showDropped) {
                for (DroppedTarget d : dropped) {
                    g.writeStartObject();
                    g.writeFieldName("discoveredLabels");
                    ApiJson.writeLabels(g, d.discoveredLabels());
                    g.writeStringField("scrapePool", d.scrapePool());
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            if (showDropped) {
                Map<String, Integer> counts = new TreeMap<>();
                dropped.forEach(d -> counts.merge(d.scrapePool(), 1, Integer::sum));
                g.writeObjectFieldStart("droppedTargetCounts");
                for (Map.Entry<String, Integer> e : counts.entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
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

    /**
     * {@code /api/v1/targets/metadata}: one entry per target and metric, filtered by
     * {@code match_target} (a selector over target labels) and {@code metric}, at most {@code limit}.
     */
    public HttpResponse targetMetadata(HttpRequest req) throws ApiError {
        int limit = limitParam("limit", req.param("limit"));
        String matchTarget = req.param("match_target");
        List<Matcher> matchers = List.of();
        if (matchTarget != null && !matchTarget.isEmpty()) {
            try {
                matchers = Params.selector(matchTarget);
            } catch (ApiError e) {
                throw ApiError.invalidParam("match_target", e.getMessage());
            }
        }
        String metric = req.param("metric") == null ? "" : req.param("metric");
        List<Matcher> targetMatchers = matchers;
        List<TargetMetadata> targets = scrapes.targetMetadata().stream()
                .filter(t -> targetMatchers.stream().allMatch(m -> m.matches(t.target()))).toList();
        return ApiJson.success(g -> {
            g.writeStartArray();
            int written = 0;
            for (TargetMetadata t : targets) {
                for (Map.Entry<String, MetricMetadata> e : new TreeMap<>(t.metrics()).entrySet()) {
                    if (limit >= 0 && written >= limit) {
                        break;
                    }
                    if (!metric.isEmpty() && !metric.equals(e.getKey())) {
                        continue;
                    }
                    g.writeStartObject();
                    g.writeFieldName("target");
                    ApiJson.writeLabels(g, t.target());
                    g.writeStringField("metric", e.getKey());
                    writeMetadataFields(g, e.getValue());
                    g.writeEndObject();
                    written++;
                }
            }
            g.writeEndArray();
        });
    }

    /**
     * {@code /api/v1/metadata}: metric name to its distinct declarations, optionally for one
     * {@code metric}, at most {@code limit} metrics and {@code limit_per_metric} declarations each.
     */
    public HttpResponse metricMetadata(HttpRequest req) throws ApiError {
        int limit = limitParam("limit", req.param("limit"));
        int perMetric = limitParam("limit_per_metric", req.param("limit_per_metric"));
        String metric = req.param("metric") == null ? "" : req.param("metric");
        Map<String, List<MetricMetadata>> all = scrapes.metadata();
        return ApiJson.success(g -> {
            g.writeStartObject();
            int metrics = 0;
            for (Map.Entry<String, List<MetricMetadata>> e : all.entrySet()) {
                if (!metric.isEmpty() && !metric.equals(e.getKey())) {
                    continue;
                }
                if (limit >= 0 && metrics >= limit) {
                    break;
                }
                g.writeArrayFieldStart(e.getKey());
                List<MetricMetadata> declarations = e.getValue();
                int n = perMetric > 0 ? Math.min(perMetric, declarations.size()) : declarations.size();
                for (MetricMetadata m : declarations.subList(0, n)) {
                    g.writeStartObject();
                    writeMetadataFields(g, m);
                    g.writeEndObject();
                }
                g.writeEndArray();
                metrics++;
            }
            g.writeEndObject();
        });
    }

    private static void writeMetadataFields(JsonGenerator g, MetricMetadata m) throws IOException {
        g.writeStringField("type", m.type());
        g.writeStringField("help", m.help());
        g.writeStringField("unit", m.unit());
    }

    /** A count limit: absent or empty means none (-1), as in Prometheus. */
    private static int limitParam(String name, String value) throws ApiError {
        if (value == null || value.isEmpty()) {
            return -1;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ApiError.badData(name + " must be a number");
        }
    }
}
