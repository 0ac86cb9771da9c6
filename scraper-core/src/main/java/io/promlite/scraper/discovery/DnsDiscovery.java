package io.promlite.scraper.discovery;

import io.promlite.config.DnsSdConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Targets from DNS records ({@code dns_sd_configs}), looked up with the JDK's DNS client (the
 * system's name servers, or those of {@code --discovery.dns.nameservers}), one group per name, with Prometheus's {@code __meta_dns_*} labels. A
 * name that does not exist has no targets; a lookup that fails keeps the name's last targets.
 */
public final class DnsDiscovery implements Discoverer {
    private static final Logger log = LoggerFactory.getLogger(DnsDiscovery.class);
    static final String NAME_LABEL = "__meta_dns_name";
    static final String SRV_TARGET_LABEL = "__meta_dns_srv_record_target";
    static final String SRV_PORT_LABEL = "__meta_dns_srv_record_port";
    static final String MX_TARGET_LABEL = "__meta_dns_mx_record_target";
    static final String NS_TARGET_LABEL = "__meta_dns_ns_record_target";
    /** The JNDI URL meaning "the system's configured name servers". */
    private static final String SYSTEM_RESOLVER = "dns:";

    private final DnsSdConfig config;
    private final String providerUrl;
    private final Map<String, TargetGroup> lastGood = new HashMap<>();

    /**
     * @param providerUrl the name servers to ask, as {@link #resolverUrl} spells them, e.g.
     *                    {@code dns://127.0.0.1:5353}
     */
    public DnsDiscovery(DnsSdConfig config, String providerUrl) {
        this.config = config;
        this.providerUrl = providerUrl;
    }

    /**
     * The JDK DNS client's spelling of a list of {@code HOST:PORT} name servers (asked in order);
     * no servers means the system's.
     */
    public static String resolverUrl(List<String> nameservers) {
        if (nameservers.isEmpty()) {
            return SYSTEM_RESOLVER;
        }
        StringBuilder sb = new StringBuilder();
        for (String hostPort : nameservers) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append("dns://").append(hostPort.trim());
        }
        return sb.toString();
    }

    @Override
    public Duration checkInterval() {
        return config.refreshInterval();
    }

    @Override
    public List<TargetGroup> refresh() {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, providerUrl);
        env.put("com.sun.jndi.dns.timeout.initial", "1000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        List<TargetGroup> out = new ArrayList<>();
        DirContext ctx;
        try {
            ctx = new InitialDirContext(env);
        } catch (NamingException e) {
            log.error("DNS discovery unavailable: {}", e.toString());
            config.names().forEach(n -> addIfKnown(out, n));
            return out;
        }
        try {
            for (String name : config.names()) {
                try {
                    TargetGroup group = lookup(ctx, name);
                    lastGood.put(name, group);
                    out.add(group);
                } catch (NameNotFoundException e) {
                    TargetGroup empty = new TargetGroup(name, List.of(), Map.of());
                    lastGood.put(name, empty);
                    out.add(empty);
                } catch (NamingException | RuntimeException e) {
                    log.error("DNS lookup of {} {} failed, keeping its last targets: {}", config.type(), name, e.toString());
                    addIfKnown(out, name);
                }
            }
        } finally {
            try {
                ctx.close();
            } catch (NamingException e) {
                log.debug("closing the DNS context failed", e);
            }
        }
        return out;
    }

    private void addIfKnown(List<TargetGroup> out, String name) {
        TargetGroup last = lastGood.get(name);
        if (last != null) {
            out.add(last);
        }
    }

    private TargetGroup lookup(DirContext ctx, String name) throws NamingException {
        Attribute records = ctx.getAttributes(name, new String[] {config.type()}).get(config.type());
        List<Map<String, String>> targets = new ArrayList<>();
        if (records != null) {
            NamingEnumeration<?> values = records.getAll();
            while (values.hasMore()) {
                targets.add(target(name, String.valueOf(values.next())));
            }
        }
        return new TargetGroup(name, targets, Map.of());
    }

    /** One record as discovered labels, the way Prometheus spells them. */
    private Map<String, String> target(String name, String record) throws NamingException {
        String[] fields = record.trim().split("\\s+");
        Map<String, String> labels = new HashMap<>();
        labels.put(NAME_LABEL, name);
        switch (config.type()) {
            case "SRV" -> {
                // priority weight port target
                if (fields.length != 4) {
                    throw new NamingException("malformed SRV record \"" + record + "\"");
                }
                String host = withoutFinalDot(fields[3]);
                labels.put(SRV_TARGET_LABEL, host);
                labels.put(SRV_PORT_LABEL, fields[2]);
                labels.put(StaticDiscovery.ADDRESS_LABEL, joinHostPort(host, fields[2]));
            }
            case "MX" -> {
                String host = withoutFinalDot(fields[fields.length - 1]);
                labels.put(MX_TARGET_LABEL, host);
                labels.put(StaticDiscovery.ADDRESS_LABEL, joinHostPort(host, Integer.toString(config.port())));
            }
            case "NS" -> {
                String host = withoutFinalDot(fields[0]);
                labels.put(NS_TARGET_LABEL, host);
                labels.put(StaticDiscovery.ADDRESS_LABEL, joinHostPort(host, Integer.toString(config.port())));
            }
            default -> labels.put(StaticDiscovery.ADDRESS_LABEL, joinHostPort(fields[0], Integer.toString(config.port())));
        }
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
