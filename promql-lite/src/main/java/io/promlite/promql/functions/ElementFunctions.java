package io.promlite.promql.functions;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.YearMonth;
import java.util.function.DoubleUnaryOperator;

/** Functions applied to each sample value on its own. */
public final class ElementFunctions {
    private ElementFunctions() {
    }

    /** The one-argument value function by name, or null. */
    public static DoubleUnaryOperator byName(String name) {
        return switch (name) {
            case "abs" -> Math::abs;
            case "ceil" -> Math::ceil;
            case "floor" -> Math::floor;
            case "exp" -> Math::exp;
            case "sqrt" -> Math::sqrt;
            case "ln" -> Math::log;
            case "log2" -> ElementFunctions::log2;
            case "log10" -> Math::log10;
            case "sgn" -> x -> x > 0 ? 1 : x < 0 ? -1 : x;
            case "deg" -> x -> x * 180 / Math.PI;
            case "rad" -> x -> x * Math.PI / 180;
            case "acos" -> Math::acos;
            case "asin" -> Math::asin;
            case "atan" -> Math::atan;
            case "cos" -> Math::cos;
            case "sin" -> Math::sin;
            case "tan" -> Math::tan;
            case "cosh" -> Math::cosh;
            case "sinh" -> Math::sinh;
            case "tanh" -> Math::tanh;
            case "acosh" -> x -> Math.log(x + Math.sqrt(x * x - 1));
            case "asinh" -> x -> Double.isInfinite(x) ? x : Math.log(x + Math.sqrt(x * x + 1));
            case "atanh" -> x -> 0.5 * Math.log((1 + x) / (1 - x));
            case "day_of_month" -> x -> date(x, DateField.DAY_OF_MONTH);
            case "day_of_week" -> x -> date(x, DateField.DAY_OF_WEEK);
            case "day_of_year" -> x -> date(x, DateField.DAY_OF_YEAR);
            case "days_in_month" -> x -> date(x, DateField.DAYS_IN_MONTH);
            case "hour" -> x -> date(x, DateField.HOUR);
            case "minute" -> x -> date(x, DateField.MINUTE);
            case "month" -> x -> date(x, DateField.MONTH);
            case "year" -> x -> date(x, DateField.YEAR);
            default -> null;
        };
    }

    /** Go's math.Log2 is exact for powers of two; Math.log(x)/Math.log(2) is not. */
    public static double log2(double x) {
        if (x > 0 && !Double.isInfinite(x)) {
            int exp = Math.getExponent(x);
            if (x == Math.scalb(1.0, exp)) {
                return exp;
            }
        }
        return Math.log(x) / Math.log(2);
    }

    private enum DateField { DAY_OF_MONTH, DAY_OF_WEEK, DAY_OF_YEAR, DAYS_IN_MONTH, HOUR, MINUTE, MONTH, YEAR }

    /** A calendar field of the UTC time {@code seconds} after the epoch (fractions truncated, as Go's int64()). */
    private static double date(double seconds, DateField f) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return Double.NaN;
        }
        LocalDateTime t;
        try {
            t = LocalDateTime.ofEpochSecond((long) seconds, 0, ZoneOffset.UTC);
        } catch (DateTimeException e) {
            // Beyond the calendar's billion years there is no meaningful date.
            return Double.NaN;
        }
        return switch (f) {
            case DAY_OF_MONTH -> t.getDayOfMonth();
            case DAY_OF_WEEK -> t.getDayOfWeek().getValue() % 7;
            case DAY_OF_YEAR -> t.getDayOfYear();
            case DAYS_IN_MONTH -> YearMonth.of(t.getYear(), t.getMonth()).lengthOfMonth();
            case HOUR -> t.getHour();
            case MINUTE -> t.getMinute();
            case MONTH -> t.getMonthValue();
            case YEAR -> t.getYear();
        };
    }
}
