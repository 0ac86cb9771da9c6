package io.promlite.scraper.scrape;

import io.promlite.tsdb.model.Labels;
import java.time.Duration;

/**
 * A target ready to scrape: its final labels (attached to every sample), the labels discovery
 * produced before relabeling, and where and how often to fetch.
 *
 * @param address       {@code host:port} as given ({@code [v6]:port} keeps its brackets)
 * @param host          the host to connect to, without IPv6 brackets
 * @param pathAndQuery  the request target: metrics path plus encoded params
 */
public record ScrapeTarget(Labels labels, Labels discoveredLabels, String scheme, String address, String host,
                           int port, String pathAndQuery, Duration interval, Duration timeout) {
    public String url() {
        return scheme + "://" + address + pathAndQuery;
    }
}
