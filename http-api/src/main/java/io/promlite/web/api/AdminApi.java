package io.promlite.web.api;

import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbException;
import io.promlite.tsdb.model.Matcher;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The TSDB admin API under {@code /api/v1/admin/tsdb/}. Like Prometheus, the routes always
 * exist and answer {@code unavailable} unless {@code --web.enable-admin-api} is set.
 */
public final class AdminApi {
    private static final DateTimeFormatter SNAPSHOT_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Tsdb tsdb;
    private final Path dataDir;
    private final boolean enabled;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public AdminApi(Tsdb tsdb, Path dataDir, boolean enabled, Clock clock) {
        this.tsdb = tsdb;
        this.dataDir = dataDir;
        this.enabled = enabled;
        this.clock = clock;
    }

    public HttpResponse deleteSeries(HttpRequest req) throws ApiError {
        requireEnabled();
        List<String> selectors = req.params("match[]");
        if (selectors.isEmpty()) {
            throw ApiError.badData("no match[] parameter provided");
        }
        long start = Params.time("start", req.param("start"), Params.MIN_TIME_MS);
        long end = Params.time("end", req.param("end"), Params.MAX_TIME_MS);
        for (String s : selectors) {
            List<Matcher> matchers;
            try {
                matchers = Params.selector(s);
            } catch (ApiError e) {
                throw ApiError.invalidParam("match[]", e.getMessage());
            }
            tsdb.deleteSeries(start, end, matchers);
        }
        return HttpResponse.noContent();
    }

    /** Deletion rewrites the affected chunks at once, so there are no tombstones left to clean. */
    public HttpResponse cleanTombstones(HttpRequest req) throws ApiError {
        requireEnabled();
        return HttpResponse.noContent();
    }

    public HttpResponse snapshot(HttpRequest req) throws ApiError {
        requireEnabled();
        String skipHead = req.param("skip_head");
        if (skipHead != null && !skipHead.isEmpty() && parseGoBool(skipHead) == null) {
            throw ApiError.invalidParam("skip_head",
                    "unable to parse boolean: strconv.ParseBool: parsing \"" + skipHead + "\": invalid syntax");
        }
        String name = SNAPSHOT_TIME.format(clock.instant()) + "-" + String.format(Locale.ROOT, "%016x",
                random.nextLong() & Long.MAX_VALUE);
        Path snapshots = dataDir.resolve("snapshots");
        try {
            Files.createDirectories(snapshots);
            tsdb.snapshot(snapshots.resolve(name));
        } catch (IOException | TsdbException e) {
            throw new ApiError(ApiError.Type.INTERNAL, "create snapshot: " + e.getMessage());
        }
        return ApiJson.success(g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeEndObject();
        });
    }

    private void requireEnabled() throws ApiError {
        if (!enabled) {
            throw new ApiError(ApiError.Type.UNAVAILABLE, "admin APIs disabled");
        }
    }

    /** Go's strconv.ParseBool, null when the text is none of its spellings. */
    private static Boolean parseGoBool(String s) {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }
}
