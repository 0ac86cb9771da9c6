package io.promlite.scraper.scrape;

import io.netty.channel.EventLoopGroup;
import io.promlite.scraper.discovery.DnsDiscovery;
import io.promlite.tsdb.Storage;
import java.util.concurrent.Executor;

/** What every scrape loop shares: the store, the network and timer threads, the append executor. */
public final class ScrapeContext {
    private final Storage storage;
    private final EventLoopGroup eventLoops;
    private final HttpScraper http;
    private final Executor executor;
    private final ScrapeMetrics metrics;
    private final String dnsResolverUrl;

    /** @param dnsResolverUrl the name servers DNS discovery asks, as {@link DnsDiscovery#resolverUrl} spells them */
    public ScrapeContext(Storage storage, EventLoopGroup eventLoops, Executor executor, ScrapeMetrics metrics,
                         String userAgent, String dnsResolverUrl) {
        this.storage = storage;
        this.eventLoops = eventLoops;
        this.http = new HttpScraper(eventLoops, userAgent);
        this.executor = executor;
        this.metrics = metrics;
        this.dnsResolverUrl = dnsResolverUrl;
    }

    String dnsResolverUrl() {
        return dnsResolverUrl;
    }

    Storage storage() {
        return storage;
    }

    EventLoopGroup eventLoops() {
        return eventLoops;
    }

    HttpScraper http() {
        return http;
    }

    Executor executor() {
        return executor;
    }

    ScrapeMetrics metrics() {
        return metrics;
    }
}
