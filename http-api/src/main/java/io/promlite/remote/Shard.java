package io.promlite.remote;

import io.promlite.remote.wire.SnappyEncoder;
import io.promlite.remote.wire.WriteRequestEncoder;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of a queue's parallel senders: a bounded buffer of samples (primitive arrays, reused) and a
 * thread that sends them in batches of up to {@code max_samples_per_send}, or whatever is buffered
 * once the oldest sample waited {@code batch_send_deadline}. A series always goes to the same
 * shard, so its samples are sent in order. Recoverable failures (network errors, 5xx, 429 when
 * enabled) are retried with exponential backoff until they succeed or the queue stops; others
 * (4xx) drop the batch, as Prometheus does.
 */
final class Shard implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Shard.class);

    private final QueueManager queue;
    private final int capacity;
    private final int maxBatch;
    private final long deadlineNanos;
    private final Thread thread;

    // The ring buffer, guarded by this.
    private final byte[][] labels;
    private final long[] timestamps;
    private final double[] values;
    private final QueueManager.Segment[] segments;
    private int head;
    private int count;
    private long oldestEnqueuedNanos;
    private boolean flush;
    private boolean sending;
    private volatile boolean stopped;

    // The batch being sent; only the shard's thread touches these.
    private final byte[][] batchLabels;
    private final long[] batchTimestamps;
    private final double[] batchValues;
    private final QueueManager.Segment[] batchSegments;
    private final WriteRequestEncoder encoder;
    private final SnappyEncoder snappy = new SnappyEncoder();
    private final HttpSender.Outcome outcome = new HttpSender.Outcome();

    Shard(QueueManager queue, int index, int capacity, int maxBatch, long deadlineNanos) {
        this.queue = queue;
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.deadlineNanos = deadlineNanos;
        encoder = new WriteRequestEncoder(queue.externalLabelsToAdd());
        labels = new byte[capacity][];
        timestamps = new long[capacity];
        values = new double[capacity];
        segments = new QueueManager.Segment[capacity];
        batchLabels = new byte[maxBatch][];
        batchTimestamps = new long[maxBatch];
        batchValues = new double[maxBatch];
        batchSegments = new QueueManager.Segment[maxBatch];
        thread = new Thread(this, "promlite-remote-" + queue.name() + "-shard-" + index);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Buffers the samples {@code order[from, to)} index in the arrays, in that order, waiting
     * while the buffer is full; false when the shard stopped. One lock for a read's samples rather
     * than one per sample: the reader and the sending thread contend for it.
     */
    synchronized boolean enqueue(byte[][] seriesLabels, long[] ts, long[] valueBits, int[] order, int from, int to,
                                 QueueManager.Segment segment) throws InterruptedException {
        for (int k = from; k < to; k++) {
            while (count == capacity) {
                if (stopped) {
                    return false;
                }
                notifyAll();
                wait(100);
            }
            int o = order[k];
            int i = head + count;
            if (i >= capacity) {
                i -= capacity;
            }
            labels[i] = seriesLabels[o];
            timestamps[i] = ts[o];
            values[i] = Double.longBitsToDouble(valueBits[o]);
            segments[i] = segment;
            if (count++ == 0) {
                // Starts the batch deadline.
                oldestEnqueuedNanos = System.nanoTime();
            }
        }
        // Wakes the sender when a batch is full or the deadline has to start.
        notifyAll();
        return true;
    }

    synchronized int pending() {
        return count;
    }

    /** Sends whatever is buffered without waiting for the deadline; see {@link #isIdle}. */
    synchronized void flush() {
        flush = true;
        notifyAll();
    }

    synchronized boolean isIdle() {
        return count == 0 && !sending;
    }

    /** Marks the shard stopping, so that a request failing from now on is not retried. */
    void stopping() {
        stopped = true;
    }

    /** Stops at once: unsent samples stay in the log, to be sent again by the next start. */
    void stop() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                int n = takeBatch();
                if (n > 0) {
                    send(n);
                    synchronized (this) {
                        sending = false;
                        notifyAll();
                    }
                }
            }
        } catch (InterruptedException e) {
            // Stopping.
        }
    }

    private synchronized int takeBatch() throws InterruptedException {
        while (count == 0) {
            flush = false;
            wait();
        }
        while (count < maxBatch && !flush) {
            long left = oldestEnqueuedNanos + deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        int n = Math.min(count, maxBatch);
        for (int k = 0; k < n; k++) {
            int i = (head + k) % capacity;
            batchLabels[k] = labels[i];
            batchTimestamps[k] = timestamps[i];
            batchValues[k] = values[i];
            batchSegments[k] = segments[i];
            labels[i] = null;
            segments[i] = null;
        }
        head = (head + n) % capacity;
        count -= n;
        if (count > 0) {
            oldestEnqueuedNanos = System.nanoTime();
        } else {
            flush = false;
        }
        sending = true;
        notifyAll();
        return n;
    }

    private void send(int n) throws InterruptedException {
        encoder.reset();
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && batchLabels[j] == batchLabels[i]) {
                j++;
            }
            encoder.series(batchLabels[i], batchTimestamps, batchValues, i, j - i);
            i = j;
        }
        for (int i = 0; i < n; i++) {
            highest = Math.max(highest, batchTimestamps[i]);
        }
        snappy.encode(encoder.buffer(), encoder.length());
        long start = System.nanoTime();
        QueueManager.Backoff backoff = queue.backoff();
        while (true) {
            queue.sender().send(snappy.buffer(), snappy.length(), outcome);
            int status = outcome.status;
            if (status / 100 == 2) {
                queue.sent(n, snappy.length(), highest);
                break;
            }
            if (stopped) {
                // Unacknowledged: sent again after the next start.
                throw new InterruptedException();
            }
            if (queue.recoverable(status)) {
                queue.retried(n);
                // The receiver's Retry-After, when it gives one, wins over the backoff (as in Prometheus).
                long sleep = outcome.retryAfterMs > 0 ? outcome.retryAfterMs : backoff.next();
                log.atWarn().addKeyValue("remote_name", queue.name()).addKeyValue("status", status)
                        .addKeyValue("err", outcome.error).addKeyValue("retry_in", sleep + "ms")
                        .log("Failed to send batch, retrying");
                Thread.sleep(sleep);
                continue;
            }
            queue.failed(n);
            log.atError().addKeyValue("remote_name", queue.name()).addKeyValue("status", status)
                    .addKeyValue("err", outcome.error).addKeyValue("samples", n)
                    .log("non-recoverable error while sending a batch; dropping it");
            break;
        }
        queue.sendTook(n, System.nanoTime() - start);
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && batchSegments[j] == batchSegments[i]) {
                j++;
            }
            batchSegments[i].done(j - i);
            i = j;
        }
        java.util.Arrays.fill(batchLabels, 0, n, null);
        java.util.Arrays.fill(batchSegments, 0, n, null);
    }
}
