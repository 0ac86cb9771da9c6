package io.promlite.scraper.scrape;

import io.netty.channel.EventLoopGroup;
import io.promlite.scraper.discovery.DnsLookup;
import io.promlite.tsdb.Storage;
import java.util.concurrent.Executor;

/** What every scrape loop shares: the store, the network and timer threads, the append executor. */
public final class ScrapeContext {
    private final Storage storage;
    private final EventLoopGroup eventLoops;
    private final HttpScraper http;
    private final Executor executor;
    private final ScrapeMetrics metrics;
    private final DnsLookup dns;

    /** @param dns the DNS client of dns_sd_configs */
    public ScrapeContext(Storage storage, EventLoopGroup eventLoops, Executor executor, ScrapeMetrics metrics,
                         String userAgent, DnsLookup dns) {
        this.storage = storage;
        this.eventLoops = eventLoops;
        this.http = new HttpScraper(eventLoops, userAgent);
        this.executor = executor;
        this.metrics = metrics;
        this.dns = dns;
    }

    DnsLookup dns() {
        return dns;
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
