package io.promlite.web.api;

import io.promlite.config.PromDurations;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parses API parameters the way Prometheus's HTTP API does. */
public final class Params {
    private Params() {
    }

    /**
     * A timestamp in milliseconds from Unix seconds with an optional fraction
     * ({@code 1700000000.123}) or RFC 3339 ({@code 2023-11-14T22:13:20.123Z}).
     */
    public static long time(String name, String value) throws ApiError {
        try {
            BigDecimal seconds = new BigDecimal(value);
            return seconds.movePointRight(3).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
        } catch (NumberFormatException | ArithmeticException notNumeric) {
            try {
                return OffsetDateTime.parse(value).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw ApiError.invalidParam(name, "cannot parse \"" + value + "\" to a valid timestamp");
            }
        }
    }

    /** A time parameter, or {@code defaultMs} when it is absent or empty. */
    public static long time(String name, String value, long defaultMs) throws ApiError {
        return value == null || value.isEmpty() ? defaultMs : time(name, value);
    }

    /** A duration in milliseconds from float seconds ({@code 15}, {@code 0.5}) or Prometheus syntax ({@code 1m}). */
    public static long duration(String name, String value) throws ApiError {
        try {
            BigDecimal seconds = new BigDecimal(value);
            long ms = seconds.movePointRight(3).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
            return ms;
        } catch (NumberFormatException | ArithmeticException notNumeric) {
            try {
                return PromDurations.parse(value).toMillis();
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidParam(name, "cannot parse \"" + value + "\" to a valid duration");
            }
        }
    }
}
