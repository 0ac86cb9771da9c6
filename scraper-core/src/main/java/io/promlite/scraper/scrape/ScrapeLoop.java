package io.promlite.scraper.scrape;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.promlite.config.ScrapeConfig;
import io.promlite.scraper.textparse.EntryType;
import io.promlite.scraper.textparse.ExpositionParser;
import io.promlite.scraper.textparse.PromTextParser;
import io.promlite.scraper.textparse.TextParseException;
import io.promlite.tsdb.AppendException;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes one target on its interval. The timer and the HTTP exchange run on a Netty event loop;
 * parsing and appending run on the scrape executor, so a slow store never stalls network I/O.
 * Scrapes of one target never overlap: the next is scheduled when the previous is appended.
 *
 * <p>A scrape's samples go into one appender committed once. A failed scrape (unreachable,
 * timeout, non-2xx, malformed body, sample limit) rolls that appender back and writes only the
 * synthetic series, with {@code up} 0, in a fresh one.
 */
public final class ScrapeLoop {
    private static final Logger log = LoggerFactory.getLogger(ScrapeLoop.class);
    /** Prometheus aligns a scrape's timestamp to its schedule when it started this close to it. */
    private static final long TIMESTAMP_TOLERANCE_MS = 2;
    private static final ThreadLocal<byte[]> BODY_BUFFERS = ThreadLocal.withInitial(() -> new byte[64 << 10]);

    private final ScrapeTarget target;
    private final ScrapeConfig config;
    private final Storage storage;
    private final HttpScraper http;
    private final EventLoop timer;
    private final Executor executor;
    private final ScrapeMetrics metrics;
    private final SampleLabeler labeler;
    private final ReportSeries report;
    private final long intervalMs;
    private final long offsetMs;

    private final Object lock = new Object();
    private boolean stopped;
    private ScheduledFuture<?> pendingTick;
    private volatile ScrapeReport lastReport;

    ScrapeLoop(ScrapeTarget target, ScrapeConfig config, Storage storage, HttpScraper http, EventLoop timer,
               Executor executor, ScrapeMetrics metrics) {
        this.target = target;
        this.config = config;
        this.storage = storage;
        this.http = http;
        this.timer = timer;
        this.executor = executor;
        this.metrics = metrics;
        this.labeler = new SampleLabeler(target.labels(), config.honorLabels());
        this.report = new ReportSeries(labeler);
        this.intervalMs = target.interval().toMillis();
        this.offsetMs = Math.floorMod(ScheduleOffsets.hash(target), intervalMs);
    }

    public ScrapeTarget target() {
        return target;
    }

    /** The latest scrape's outcome, or null before the first scrape finished. */
    public ScrapeReport lastReport() {
        return lastReport;
    }

    /** Schedules the first scrape at this target's slot: a stable offset within the interval. */
    void start() {
        long now = System.currentTimeMillis();
        long slot = now - Math.floorMod(now, intervalMs) + offsetMs;
        if (slot <= now) {
            slot += intervalMs;
        }
        schedule(slot);
    }

    /** Stops scheduling; a scrape in flight finishes without rescheduling. */
    void stop() {
        synchronized (lock) {
            stopped = true;
            if (pendingTick != null) {
                pendingTick.cancel(false);
            }
        }
    }

    private void schedule(long slotMs) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            long delay = Math.max(0, slotMs - System.currentTimeMillis());
            pendingTick = timer.schedule(() -> runOffLoop(() -> scrape(slotMs)), delay, TimeUnit.MILLISECONDS);
        }
    }

    private void runOffLoop(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // The manager is closing.
        }
    }

    private void scrape(long slotMs) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
        }
        long startMs = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        long timestamp = alignedTimestamp(startMs, slotMs);
        InetAddress address;
        try {
            address = InetAddress.getByName(target.host());
        } catch (UnknownHostException e) {
            finish(slotMs, startMs, timestamp, startNanos, null,
                    new ScrapeFailure("Get \"" + target.url() + "\": lookup " + target.host() + ": no such host"));
            return;
        }
        CompletableFuture<ScrapeResponse> fetch = http.fetch(target, address, config.bodySizeLimitBytes());
        fetch.whenComplete((response, error) -> {
            try {
                executor.execute(() -> finish(slotMs, startMs, timestamp, startNanos, response, error));
            } catch (RejectedExecutionException e) {
                if (response != null) {
                    response.release();
                }
            }
        });
    }

    /** The slot time when the scrape started within Prometheus's tolerance of it, else the start. */
    private long alignedTimestamp(long startMs, long slotMs) {
        long tolerance = Math.min(intervalMs / 100, TIMESTAMP_TOLERANCE_MS);
        long lateness = startMs - slotMs;
        return lateness >= 0 && lateness <= tolerance ? slotMs : startMs;
    }

    private void finish(long slotMs, long startMs, long timestamp, long startNanos, ScrapeResponse response,
                        Throwable error) {
        try {
            long endNanos = response != null ? response.receivedNanos() : System.nanoTime();
            Duration duration = Duration.ofNanos(endNanos - startNanos);
            String failure = error == null ? appendBody(response, timestamp, duration) : describe(error);
            if (failure != null) {
                appendReport(storage.appender(), timestamp, duration, false, 0, 0, 0);
            }
            lastReport = new ScrapeReport(Instant.ofEpochMilli(startMs), duration, failure);
        } catch (RuntimeException e) {
            log.error("scrape of {} failed unexpectedly", target.url(), e);
            lastReport = new ScrapeReport(Instant.ofEpochMilli(startMs), Duration.ZERO, "internal error: " + e);
        } finally {
            if (response != null) {
                response.release();
            }
            long next = slotMs + intervalMs;
            long now = System.currentTimeMillis();
            if (next <= now) {
                // Missed slots (a slow store) are skipped, not caught up.
                next += ((now - next) / intervalMs + 1) * intervalMs;
            }
            schedule(next);
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /**
     * Appends the body's samples and the report in one commit.
     *
     * @return null on success, else the error that failed the scrape (nothing of the body was kept)
     */
    private String appendBody(ScrapeResponse response, long timestamp, Duration duration) {
        ByteBuf body = response.body();
        int length = body.readableBytes();
        byte[] bytes;
        int offset;
        if (body.hasArray() && body.nioBufferCount() <= 1) {
            bytes = body.array();
            offset = body.arrayOffset() + body.readerIndex();
        } else {
            bytes = BODY_BUFFERS.get();
            if (bytes.length < length) {
                bytes = new byte[Math.max(length, bytes.length * 2)];
                BODY_BUFFERS.set(bytes);
            }
            body.getBytes(body.readerIndex(), bytes, 0, length);
            offset = 0;
        }
        ExpositionParser parser = new PromTextParser(bytes, offset, length);
        Appender app = storage.appender();
        int scraped = 0;
        int added = 0;
        long outOfOrder = 0;
        long duplicate = 0;
        long outOfBounds = 0;
        try {
            for (EntryType entry = parser.next(); entry != EntryType.EOF; entry = parser.next()) {
                if (entry != EntryType.SERIES) {
                    continue;
                }
                scraped++;
                Labels labels = labeler.apply(parser.labels());
                String limitError = LabelLimits.check(labels, config);
                if (limitError != null) {
                    throw new ScrapeFailure(limitError);
                }
                added++;
                if (config.sampleLimit() > 0 && added > config.sampleLimit()) {
                    metrics.exceededSampleLimit();
                    throw new ScrapeFailure("sample limit exceeded");
                }
                long t = config.honorTimestamps() && parser.hasTimestamp() ? parser.timestampMs() : timestamp;
                try {
                    app.append(0, labels, t, parser.value());
                } catch (AppendException e) {
                    switch (e.reason()) {
                        case OUT_OF_ORDER -> outOfOrder++;
                        case DUPLICATE -> duplicate++;
                        case OUT_OF_BOUNDS -> outOfBounds++;
                    }
                }
            }
        } catch (TextParseException | ScrapeFailure e) {
            app.rollback();
            return e.getMessage();
        } catch (RuntimeException e) {
            app.rollback();
            throw e;
        }
        metrics.rejected(AppendException.Reason.OUT_OF_ORDER, outOfOrder);
        metrics.rejected(AppendException.Reason.DUPLICATE, duplicate);
        metrics.rejected(AppendException.Reason.OUT_OF_BOUNDS, outOfBounds);
        if (outOfOrder + duplicate + outOfBounds > 0) {
            log.debug("{}: {} out-of-order, {} duplicate, {} out-of-bounds samples rejected",
                    target.url(), outOfOrder, duplicate, outOfBounds);
        }
        appendReport(app, timestamp, duration, true, scraped, added, 0);
        return null;
    }

    private void appendReport(Appender app, long timestamp, Duration duration, boolean up, int scraped,
                              int postRelabeling, int seriesAdded) {
        try {
            report.append(app, timestamp, up ? 1 : 0, duration.toNanos() / 1e9, scraped, postRelabeling, seriesAdded);
            app.commit();
        } catch (RuntimeException e) {
            app.rollback();
            throw e;
        }
    }

    @Override
    public String toString() {
        return target.url();
    }
}
