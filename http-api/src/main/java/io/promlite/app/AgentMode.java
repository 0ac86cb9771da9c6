package io.promlite.app;

/**
 * {@code --agent}: scrape and forward only, as Prometheus's agent mode. The store keeps just the
 * commit log the remote-write queues read (truncated once every queue has sent it, and held to
 * {@code maxLogBytes} during an outage); nothing can be queried.
 *
 * @param maxLogBytes {@code --storage.agent.max-log-size}: the most log bytes kept unsent; 0 for no cap
 */
record AgentMode(boolean enabled, long maxLogBytes) {
    static final AgentMode OFF = new AgentMode(false, 0);
    /** The default {@code --storage.agent.max-log-size}. */
    static final String DEFAULT_MAX_LOG_SIZE = "1GB";

    /** Prometheus agent mode's error text, for the endpoints that read stored data. */
    static final String UNAVAILABLE = "unavailable with promlite agent mode";
}
