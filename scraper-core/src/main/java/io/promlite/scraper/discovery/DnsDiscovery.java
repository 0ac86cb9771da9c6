package io.promlite.scraper.discovery;

import io.netty.handler.codec.dns.DnsRecordType;
import io.promlite.config.DnsSdConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Targets from DNS records ({@code dns_sd_configs}), one group per name, with Prometheus's
 * {@code __meta_dns_*} labels: every record is its own target. A name that does not exist has no
 * targets; a lookup that fails keeps the name's last targets.
 */
public final class DnsDiscovery implements Discoverer {
    private static final Logger log = LoggerFactory.getLogger(DnsDiscovery.class);
    static final String NAME_LABEL = "__meta_dns_name";
    static final String SRV_TARGET_LABEL = "__meta_dns_srv_record_target";
    static final String SRV_PORT_LABEL = "__meta_dns_srv_record_port";
    static final String MX_TARGET_LABEL = "__meta_dns_mx_record_target";
    static final String NS_TARGET_LABEL = "__meta_dns_ns_record_target";

    private final DnsSdConfig config;
    private final DnsRecordType type;
    private final DnsLookup dns;
    private final Map<String, TargetGroup> lastGood = new HashMap<>();

    public DnsDiscovery(DnsSdConfig config, DnsLookup dns) {
        this.config = config;
        this.type = DnsRecordType.valueOf(config.type());
        this.dns = dns;
    }

    @Override
    public Duration checkInterval() {
        return config.refreshInterval();
    }

    @Override
    public List<TargetGroup> refresh() {
        List<TargetGroup> out = new ArrayList<>();
        for (String name : config.names()) {
            try {
                TargetGroup group = group(name, dns.lookup(name, type));
                lastGood.put(name, group);
                out.add(group);
            } catch (DnsLookup.LookupFailedException | RuntimeException e) {
                log.error("DNS lookup of {} {} failed, keeping its last targets: {}", config.type(), name, e.toString());
                TargetGroup last = lastGood.get(name);
                if (last != null) {
                    out.add(last);
                }
            }
        }
        return out;
    }

    private TargetGroup group(String name, List<DnsLookup.Answer> answers) {
        List<Map<String, String>> targets = new ArrayList<>(answers.size());
        for (DnsLookup.Answer a : answers) {
            targets.add(target(name, a));
        }
        return new TargetGroup(name, targets, Map.of());
    }

    /**
     * One record as discovered labels, spelled as Prometheus spells them: the record's host name
     * keeps its final dot in the {@code __meta_dns_*} label and loses it in {@code __address__}.
     */
    private Map<String, String> target(String name, DnsLookup.Answer record) {
        Map<String, String> labels = new HashMap<>();
        labels.put(NAME_LABEL, name);
        String port = Integer.toString(config.port());
        switch (config.type()) {
            case "SRV" -> {
                port = Integer.toString(record.port());
                labels.put(SRV_TARGET_LABEL, record.host());
                labels.put(SRV_PORT_LABEL, port);
            }
            case "MX" -> labels.put(MX_TARGET_LABEL, record.host());
            case "NS" -> labels.put(NS_TARGET_LABEL, record.host());
            default -> {
            }
        }
        labels.put(StaticDiscovery.ADDRESS_LABEL, joinHostPort(withoutFinalDot(record.host()), port));
        return labels;
    }

    private static String withoutFinalDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    /** Go's net.JoinHostPort: IPv6 literals get brackets. */
    private static String joinHostPort(String host, String port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
