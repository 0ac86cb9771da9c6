package io.promlite.scraper.discovery;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStream;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS queries for {@code dns_sd_configs} over Netty's DNS resolver, with the lookup rules of
 * Prometheus's DNS discovery (discovery/dns/dns.go): the candidate names of the resolv.conf search
 * list are tried in turn, each against the name servers in order until one gives a viable answer
 * (records, no records, or NXDOMAIN); a truncated UDP answer is asked again over TCP. Nothing is
 * cached, so every refresh sees the current records, as Prometheus's queries do.
 */
public final class DnsLookup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsLookup.class);
    /** The Go DNS client's (miekg/dns) default timeout, which Prometheus's discovery uses. */
    private static final long QUERY_TIMEOUT_MILLIS = 2000;
    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    /** One answer record: an address (A, AAAA) or a host name as sent, with its final dot (SRV, MX, NS). */
    public record Answer(DnsRecordType type, String host, int port) {
    }

    /** No server gave a viable answer for some candidate name, and none had the name. */
    public static final class LookupFailedException extends IOException {
        LookupFailedException(String message) {
            super(message);
        }
    }

    private final DnsServerAddressStreamProvider nameservers;
    private final Path resolvConf;
    private final DnsNameResolver resolver;

    /**
     * @param loop        the event loop the queries run on (callers block on them off the loops)
     * @param nameservers {@code HOST:PORT} name servers, asked in order; empty for the system's
     *                    (resolv.conf)
     * @throws IllegalArgumentException when a name server is not {@code HOST:PORT}
     */
    public DnsLookup(EventLoop loop, List<String> nameservers) {
        this(loop, nameservers, RESOLV_CONF);
    }

    DnsLookup(EventLoop loop, List<String> nameservers, Path resolvConf) {
        this.nameservers = nameservers.isEmpty()
                ? DnsServerAddressStreamProviders.platformDefault()
                : new SequentialDnsServerAddressStreamProvider(nameservers.stream().map(DnsLookup::hostPort).toList());
        this.resolvConf = resolvConf;
        this.resolver = new DnsNameResolverBuilder(loop)
                .datagramChannelType(NioDatagramChannel.class)
                .socketChannelType(NioSocketChannel.class)
                .nameServerProvider(this.nameservers)
                .queryTimeoutMillis(QUERY_TIMEOUT_MILLIS)
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                .build();
    }

    private static InetSocketAddress hostPort(String hostPort) {
        String s = hostPort.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("name server \"" + hostPort + "\" is not HOST:PORT");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(s.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("name server \"" + hostPort + "\" is not HOST:PORT", e);
        }
    }

    /**
     * The records of {@code type} for {@code name}, from the first candidate name that exists;
     * empty when every candidate is NXDOMAIN. Blocks: never call it on an event loop.
     *
     * @throws LookupFailedException when a candidate got no viable answer and no later one existed
     */
    public List<Answer> lookup(String name, DnsRecordType type) throws LookupFailedException {
        boolean allViable = true;
        for (String candidate : ResolvConf.read(resolvConf).candidates(name)) {
            Reply reply = lookupFromAnyServer(candidate, type);
            if (reply == null) {
                allViable = false;
            } else if (reply.nameExists()) {
                return reply.answers();
            }
        }
        if (allViable) {
            return List.of();
        }
        throw new LookupFailedException("could not resolve \"" + name
                + "\": all servers responded with errors to at least one search domain");
    }

    /** A viable answer: the name's records of the asked type (maybe none), or NXDOMAIN. */
    private record Reply(boolean nameExists, List<Answer> answers) {
    }

    /** The reply of the first server that gives a viable one, or null when none did. */
    private Reply lookupFromAnyServer(String fqdn, DnsRecordType type) {
        DnsServerAddressStream servers = nameservers.nameServerAddressStream(fqdn);
        for (int i = 0, n = servers.size(); i < n; i++) {
            InetSocketAddress server = servers.next();
            Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> query =
                    resolver.query(server, new DefaultDnsQuestion(fqdn, type));
            query.awaitUninterruptibly();
            if (!query.isSuccess()) {
                log.warn("DNS resolution of {} {} at {} failed: {}", type.name(), fqdn, server, query.cause().toString());
                continue;
            }
            AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = query.getNow();
            try {
                DnsResponse response = envelope.content();
                if (response.code().equals(DnsResponseCode.NXDOMAIN)) {
                    return new Reply(false, List.of());
                }
                if (response.code().equals(DnsResponseCode.NOERROR)) {
                    return new Reply(true, answers(response, type));
                }
                log.warn("DNS resolution of {} {} at {} failed: {}", type.name(), fqdn, server, response.code());
            } finally {
                envelope.release();
            }
        }
        return null;
    }

    /** The answer section's records of the asked type; others (a CNAME on the way) are skipped. */
    private static List<Answer> answers(DnsResponse response, DnsRecordType type) {
        List<Answer> out = new ArrayList<>();
        for (int i = 0, n = response.count(DnsSection.ANSWER); i < n; i++) {
            DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
            if (!record.type().equals(type) || !(record instanceof DnsRawRecord raw)) {
                continue;
            }
            ByteBuf data = raw.content().duplicate();
            try {
                out.add(decode(type, data));
            } catch (RuntimeException | UnknownHostException e) {
                log.warn("skipping a malformed {} record: {}", type.name(), e.toString());
            }
        }
        return out;
    }

    private static Answer decode(DnsRecordType type, ByteBuf data) throws UnknownHostException {
        if (type.equals(DnsRecordType.A) || type.equals(DnsRecordType.AAAA)) {
            byte[] address = new byte[data.readableBytes()];
            data.readBytes(address);
            return new Answer(type, NetUtil.toAddressString(InetAddress.getByAddress(address)), -1);
        }
        if (type.equals(DnsRecordType.SRV)) {
            data.skipBytes(4); // priority, weight
            int port = data.readUnsignedShort();
            return new Answer(type, DefaultDnsRecordDecoder.decodeName(data), port);
        }
        if (type.equals(DnsRecordType.MX)) {
            data.skipBytes(2); // preference
        }
        return new Answer(type, DefaultDnsRecordDecoder.decodeName(data), -1);
    }

    @Override
    public void close() {
        resolver.close();
    }

    /**
     * The parts of resolv.conf that turn a name into candidate names, read as Go's DNS client
     * (miekg/dns) reads them for Prometheus: {@code search} / {@code domain} and {@code ndots}.
     */
    record ResolvConf(List<String> search, int ndots) {
        static ResolvConf read(Path file) {
            List<String> search = List.of();
            int ndots = 1;
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                return new ResolvConf(search, ndots);
            }
            for (String line : lines) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 2) {
                    continue;
                }
                switch (f[0]) {
                    case "domain" -> search = List.of(fqdn(f[1]));
                    case "search" -> {
                        List<String> s = new ArrayList<>();
                        for (int i = 1; i < f.length; i++) {
                            s.add(fqdn(f[i]));
                        }
                        search = s;
                    }
                    case "options" -> {
                        for (int i = 1; i < f.length; i++) {
                            if (f[i].startsWith("ndots:")) {
                                try {
                                    ndots = Math.max(0, Math.min(15, Integer.parseInt(f[i].substring(6))));
                                } catch (NumberFormatException e) {
                                    // Go's client ignores a malformed value.
                                }
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            return new ResolvConf(search, ndots);
        }

        /**
         * The names to try for {@code name}: itself alone when it ends with a dot; else with each
         * search domain appended, after the bare name when it has more than ndots labels, before
         * it otherwise.
         */
        List<String> candidates(String name) {
            if (name.endsWith(".")) {
                return List.of(name);
            }
            boolean enoughDots = name.split("\\.", -1).length > ndots;
            String fqdn = fqdn(name);
            List<String> out = new ArrayList<>();
            if (enoughDots) {
                out.add(fqdn);
            }
            for (String domain : search) {
                out.add(fqdn + domain);
            }
            if (!enoughDots) {
                out.add(fqdn);
            }
            return out;
        }

        private static String fqdn(String name) {
            return name.endsWith(".") ? name : name + ".";
        }
    }
}
