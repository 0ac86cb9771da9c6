package io.promlite.scraper.scrape;

import io.promlite.config.PromDurations;
import io.promlite.config.ScrapeConfig;
import io.promlite.scraper.discovery.StaticDiscovery;
import io.promlite.scraper.discovery.TargetGroup;
import io.promlite.scraper.relabel.Relabeler;
import io.promlite.tsdb.model.Labels;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns discovered labels into scrape targets as Prometheus's populateLabels does: job and
 * scrape parameters become {@code __}-labels, {@code instance} defaults to {@code __address__},
 * and every {@code __}-label is removed from the final set.
 */
public final class TargetBuilder {
    private static final Logger log = LoggerFactory.getLogger(TargetBuilder.class);

    static final String JOB = "job";
    static final String INSTANCE = "instance";
    static final String SCHEME = "__scheme__";
    static final String METRICS_PATH = "__metrics_path__";
    static final String SCRAPE_INTERVAL = "__scrape_interval__";
    static final String SCRAPE_TIMEOUT = "__scrape_timeout__";
    static final String PARAM_PREFIX = "__param_";
    static final String RESERVED_PREFIX = "__";

    private TargetBuilder() {
    }

    /**
     * A job's targets.
     *
     * @param active  the targets to scrape, in discovery order, duplicates removed
     * @param dropped the discovered labels of targets that relabeling dropped
     */
    public record Targets(List<ScrapeTarget> active, List<Labels> dropped) {
    }

    /** The job's targets; unusable ones are logged and skipped. */
    public static Targets targets(ScrapeConfig config, List<TargetGroup> groups) {
        List<ScrapeTarget> active = new ArrayList<>();
        List<Labels> dropped = new ArrayList<>();
        Set<ScrapeTarget> seen = new HashSet<>();
        for (TargetGroup group : groups) {
            for (Map<String, String> labels : group.targets()) {
                Labels discovered = discoveredLabels(config, group.labels(), labels);
                try {
                    ScrapeTarget t = fromDiscovered(config, discovered);
                    if (t == null) {
                        dropped.add(discovered);
                    } else if (seen.add(t)) {
                        active.add(t);
                    }
                } catch (IllegalArgumentException e) {
                    log.warn("job {}: skipping target from {}: {}", config.jobName(), group.source(), e.getMessage());
                }
            }
        }
        return new Targets(active, dropped);
    }

    /** The target, or null when relabeling dropped it; IllegalArgumentException when it is unusable. */
    static ScrapeTarget build(ScrapeConfig config, Map<String, String> groupLabels, Map<String, String> targetLabels) {
        return fromDiscovered(config, discoveredLabels(config, groupLabels, targetLabels));
    }

    private static ScrapeTarget fromDiscovered(ScrapeConfig config, Labels discovered) {
        Labels relabeled = Relabeler.process(discovered, config.relabelConfigs());
        return relabeled == null ? null : fromRelabeled(config, discovered, relabeled);
    }

    /** Group and target labels plus the job's settings as {@code __}-labels, the input to relabeling. */
    private static Labels discoveredLabels(ScrapeConfig config, Map<String, String> groupLabels,
                                           Map<String, String> targetLabels) {
        Labels.Builder b = Labels.builder();
        groupLabels.forEach(b::set);
        targetLabels.forEach(b::set);
        setIfAbsent(b, JOB, config.jobName());
        setIfAbsent(b, SCHEME, config.scheme());
        setIfAbsent(b, METRICS_PATH, config.metricsPath());
        setIfAbsent(b, SCRAPE_INTERVAL, PromDurations.format(config.scrapeInterval()));
        setIfAbsent(b, SCRAPE_TIMEOUT, PromDurations.format(config.scrapeTimeout()));
        config.params().forEach((name, values) -> {
            if (!values.isEmpty()) {
                setIfAbsent(b, PARAM_PREFIX + name, values.get(0));
            }
        });
        return b.build();
    }

    private static ScrapeTarget fromRelabeled(ScrapeConfig config, Labels discovered, Labels lset) {
        String address = lset.get(StaticDiscovery.ADDRESS_LABEL);
        if (address == null) {
            throw new IllegalArgumentException("no address");
        }
        if (address.contains("/")) {
            throw new IllegalArgumentException("\"" + address + "\" is not a valid hostname");
        }
        String scheme = lset.getOrEmpty(SCHEME);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("unsupported scheme \"" + scheme + "\"");
        }
        Duration interval = duration(lset, SCRAPE_INTERVAL);
        Duration timeout = duration(lset, SCRAPE_TIMEOUT);
        if (interval.isZero()) {
            throw new IllegalArgumentException("scrape interval cannot be 0");
        }
        if (timeout.isZero()) {
            throw new IllegalArgumentException("scrape timeout cannot be 0");
        }
        if (timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("scrape timeout cannot be greater than scrape interval (\""
                    + PromDurations.format(timeout) + "\" > \"" + PromDurations.format(interval) + "\")");
        }
        String host;
        int port;
        int portColon = address.lastIndexOf(':');
        boolean hasPort = portColon > address.lastIndexOf(']');
        String hostPart = hasPort ? address.substring(0, portColon) : address;
        host = hostPart.startsWith("[") && hostPart.endsWith("]") ? hostPart.substring(1, hostPart.length() - 1) : hostPart;
        if (host.isEmpty()) {
            throw new IllegalArgumentException("\"" + address + "\" has no host");
        }
        try {
            port = hasPort ? Integer.parseInt(address.substring(portColon + 1)) : (scheme.equals("https") ? 443 : 80);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + address + "\" has an invalid port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("\"" + address + "\" has an invalid port");
        }

        Map<String, List<String>> params = new TreeMap<>();
        config.params().forEach((name, values) -> params.put(name, new ArrayList<>(values)));
        Labels.Builder finalLabels = Labels.builder();
        for (int i = 0; i < lset.size(); i++) {
            String name = lset.name(i);
            if (name.startsWith(PARAM_PREFIX)) {
                List<String> values = params.computeIfAbsent(name.substring(PARAM_PREFIX.length()), k -> new ArrayList<>());
                if (values.isEmpty()) {
                    values.add(lset.value(i));
                } else {
                    values.set(0, lset.value(i));
                }
            }
            if (!name.startsWith(RESERVED_PREFIX)) {
                finalLabels.set(name, lset.value(i));
            }
        }
        if (finalLabels.get(INSTANCE) == null) {
            finalLabels.set(INSTANCE, address);
        }
        String path = lset.getOrEmpty(METRICS_PATH);
        return new ScrapeTarget(finalLabels.build(), discovered, scheme, address, host, port,
                path + encode(params), interval, timeout);
    }

    private static Duration duration(Labels lset, String name) {
        try {
            return PromDurations.parse(lset.getOrEmpty(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("error parsing " + name + ": " + e.getMessage());
        }
    }

    private static void setIfAbsent(Labels.Builder b, String name, String value) {
        if (b.get(name) == null) {
            b.set(name, value);
        }
    }

    /** Go's url.Values.Encode: keys sorted, {@code ?} prefix, empty when there are none. */
    private static String encode(Map<String, List<String>> params) {
        if (params.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        params.forEach((name, values) -> {
            for (String v : values) {
                sb.append(sb.length() == 0 ? '?' : '&')
                        .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return sb.toString();
    }
}
