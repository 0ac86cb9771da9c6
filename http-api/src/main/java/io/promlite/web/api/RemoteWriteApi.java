package io.promlite.web.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.promlite.tsdb.AppendException;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Storage;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.remote.wire.RemoteWriteException;
import io.promlite.remote.wire.SnappyBlock;
import io.promlite.remote.wire.TimeSeries;
import io.promlite.remote.wire.WriteRequestDecoder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote-write 1.0 receiver, {@code POST /api/v1/write}. A payload that does not decode or
 * carries invalid labels is refused whole (400, nothing written). Samples the store rejects
 * (out of order, duplicate, too far in the future) are reported in a 400 while the rest of the
 * request is committed, as Prometheus's receiver does for requests it can write in part.
 */
public final class RemoteWriteApi {
    private static final Logger log = LoggerFactory.getLogger(RemoteWriteApi.class);
    /** The largest decoded request accepted; senders batch far smaller (Prometheus: ~2000 samples). */
    public static final int MAX_DECODED_BYTES = 64 << 20;
    /** Prometheus's receiver refuses samples more than this far ahead of its clock. */
    private static final long MAX_AHEAD_MS = 10 * 60 * 1000;
    /** How many rejected samples are listed in the answer; the count covers the rest. */
    private static final int MAX_REPORTED = 10;

    private final Storage storage;
    private final Clock clock;

    public RemoteWriteApi(Storage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
    }

    /** The answer while {@code --web.enable-remote-write-receiver} is off, in Prometheus's words. */
    public static HttpResponse disabled(HttpRequest request) {
        return HttpResponse.text(HttpResponseStatus.NOT_FOUND,
                "remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n");
    }

    public HttpResponse write(HttpRequest request) {
        List<TimeSeries> series;
        try {
            series = WriteRequestDecoder.decode(SnappyBlock.decode(request.body(), MAX_DECODED_BYTES));
        } catch (RemoteWriteException e) {
            log.atError().addKeyValue("err", e.getMessage()).log("Error decoding remote write request");
            return HttpResponse.text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
        }
        long maxTime = clock.millis() + MAX_AHEAD_MS;
        List<String> rejected = new ArrayList<>();
        int rejectedCount = 0;
        Appender app = storage.appender();
        boolean committed = false;
        try {
            for (TimeSeries ts : series) {
                long ref = 0;
                for (int i = 0; i < ts.sampleCount(); i++) {
                    String problem = null;
                    if (ts.timestamps()[i] > maxTime) {
                        problem = "out of bounds: timestamp is too far in the future";
                    } else {
                        try {
                            ref = app.append(ref, ts.labels(), ts.timestamps()[i], ts.values()[i]);
                        } catch (AppendException e) {
                            problem = e.getMessage();
                        }
                    }
                    if (problem != null && rejectedCount++ < MAX_REPORTED) {
                        rejected.add(problem + " for series " + ts.labels());
                    }
                }
            }
            app.commit();
            committed = true;
        } finally {
            if (!committed) {
                app.rollback();
            }
        }
        if (rejectedCount == 0) {
            return HttpResponse.noContent();
        }
        log.atError().addKeyValue("err", rejected.get(0)).addKeyValue("rejected", rejectedCount)
                .log("Out of order sample from remote write");
        StringBuilder msg = new StringBuilder(String.join("\n", rejected));
        if (rejectedCount > rejected.size()) {
            msg.append("\n(and ").append(rejectedCount - rejected.size()).append(" more rejected samples)");
        }
        return HttpResponse.text(HttpResponseStatus.BAD_REQUEST, msg.append('\n').toString());
    }
}
