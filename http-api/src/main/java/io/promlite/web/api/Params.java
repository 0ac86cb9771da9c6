package io.promlite.web.api;

import io.promlite.config.PromDurations;
import io.promlite.promql.PromqlException;
import io.promlite.promql.parser.Expr;
import io.promlite.promql.parser.Parser;
import io.promlite.tsdb.model.Matcher;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Parses API parameters the way Prometheus's HTTP API does, with its error texts. */
public final class Params {
    /**
     * The defaults of optional time ranges: Prometheus's {@code MinTime}/{@code MaxTime}
     * (web/api/v1), which clients such as promtool also send spelled in RFC 3339.
     */
    public static final long MIN_TIME_MS = -9_223_309_901_257_974L * 1000;
    public static final long MAX_TIME_MS = 9_223_309_901_257_974L * 1000 + 999;
    private static final String MIN_TIME_RFC3339 = "-292273086-05-16T16:47:06Z";
    private static final String MAX_TIME_RFC3339 = "292277025-08-18T07:12:54.999999999Z";

    private static final String NO_NON_EMPTY_MATCHER = "vector selector must contain at least one non-empty matcher";
    private static final String MATCH_NEEDS_NON_EMPTY = "match[] must contain at least one non-empty matcher";

    private Params() {
    }

    /**
     * A timestamp in milliseconds from Unix seconds with an optional fraction
     * ({@code 1700000000.123}) or RFC 3339 ({@code 2023-11-14T22:13:20.123Z}).
     */
    public static long time(String name, String value) throws ApiError {
        try {
            return parseTime(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidParam(name, e.getMessage());
        }
    }

    /**
     * An optional time parameter, {@code defaultMs} when absent or empty; an unparsable one is
     * worded as Prometheus's {@code parseTimeParam} words it.
     */
    public static long time(String name, String value, long defaultMs) throws ApiError {
        if (value == null || value.isEmpty()) {
            return defaultMs;
        }
        try {
            return parseTime(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidParam(name, "invalid time value for '" + name + "': " + e.getMessage());
        }
    }

    private static long parseTime(String value) {
        try {
            return new BigDecimal(value).movePointRight(3).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        } catch (NumberFormatException | ArithmeticException notNumeric) {
            if (value.equals(MIN_TIME_RFC3339)) {
                return MIN_TIME_MS;
            }
            if (value.equals(MAX_TIME_RFC3339)) {
                return MAX_TIME_MS;
            }
            try {
                return OffsetDateTime.parse(value).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new IllegalArgumentException("cannot parse \"" + value + "\" to a valid timestamp");
            }
        }
    }

    /** A duration in milliseconds from float seconds ({@code 15}, {@code 0.5}) or Prometheus syntax ({@code 1m}). */
    public static long duration(String name, String value) throws ApiError {
        try {
            return new BigDecimal(value).movePointRight(3).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        } catch (NumberFormatException | ArithmeticException notNumeric) {
            try {
                return PromDurations.parse(value).toMillis();
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidParam(name, "cannot parse \"" + value + "\" to a valid duration");
            }
        }
    }

    /** The {@code limit} parameter: 0 (no limit) when absent. */
    public static int limit(String value) throws ApiError {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        int limit;
        try {
            limit = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ApiError.invalidParam("limit", "strconv.Atoi: parsing \"" + value + "\": invalid syntax");
        }
        if (limit < 0) {
            throw ApiError.invalidParam("limit", "limit must be non-negative");
        }
        return limit;
    }

    /**
     * Parses each {@code match[]} series selector. Parse errors carry the parser's text; a
     * selector matching the empty label set is refused, as Prometheus refuses it.
     */
    public static List<List<Matcher>> matcherSets(List<String> selectors) throws ApiError {
        List<List<Matcher>> sets = new ArrayList<>(selectors.size());
        for (String s : selectors) {
            sets.add(selector(s));
        }
        return sets;
    }

    /** One series selector such as {@code up{job="a"}} or {@code {__name__=~"x.*"}}. */
    public static List<Matcher> selector(String s) throws ApiError {
        Expr expr;
        try {
            expr = Parser.parse(s);
        } catch (PromqlException e) {
            // The parser refuses an all-empty selector itself; the API words that as Prometheus's does.
            throw ApiError.badData(e.getMessage().endsWith(NO_NON_EMPTY_MATCHER) ? MATCH_NEEDS_NON_EMPTY
                    : e.getMessage());
        }
        if (!(expr instanceof Expr.VectorSelector vs) || vs.offsetMs() != 0 || vs.at() != null) {
            throw ApiError.badData("1:1: parse error: \"" + s + "\" is not a series selector");
        }
        for (Matcher m : vs.matchers()) {
            if (!m.matchesEmpty()) {
                return vs.matchers();
            }
        }
        throw ApiError.badData(MATCH_NEEDS_NON_EMPTY);
    }
}
