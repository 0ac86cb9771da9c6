package io.promlite.promql.parser;

import static io.promlite.promql.parser.ValueType.MATRIX;
import static io.promlite.promql.parser.ValueType.SCALAR;
import static io.promlite.promql.parser.ValueType.STRING;
import static io.promlite.promql.parser.ValueType.VECTOR;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A function's name and types, as the parser checks them. {@code variadic} is 0 for a fixed
 * argument list, n for up to n optional trailing arguments, -1 for any number of the last type.
 */
public record FunctionSignature(String name, List<ValueType> argTypes, int variadic, ValueType returnType) {
    private static final Map<String, FunctionSignature> ALL = new HashMap<>();

    static {
        for (String f : List.of("abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "deg", "rad",
                "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
                "timestamp", "start_timestamp", "absent", "sort", "sort_desc")) {
            add(f, List.of(VECTOR), 0, VECTOR);
        }
        for (String f : List.of("rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes",
                "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
                "stddev_over_time", "stdvar_over_time", "last_over_time", "first_over_time", "present_over_time",
                "mad_over_time", "absent_over_time", "ts_of_min_over_time", "ts_of_max_over_time",
                "ts_of_last_over_time", "ts_of_first_over_time")) {
            add(f, List.of(MATRIX), 0, VECTOR);
        }
        for (String f : List.of("day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
                "month", "year")) {
            add(f, List.of(VECTOR), 1, VECTOR);
        }
        add("quantile_over_time", List.of(SCALAR, MATRIX), 0, VECTOR);
        add("predict_linear", List.of(MATRIX, SCALAR), 0, VECTOR);
        add("double_exponential_smoothing", List.of(MATRIX, SCALAR, SCALAR), 0, VECTOR);
        add("clamp", List.of(VECTOR, SCALAR, SCALAR), 0, VECTOR);
        add("clamp_min", List.of(VECTOR, SCALAR), 0, VECTOR);
        add("clamp_max", List.of(VECTOR, SCALAR), 0, VECTOR);
        add("round", List.of(VECTOR, SCALAR), 1, VECTOR);
        add("pi", List.of(), 0, SCALAR);
        // The query's own step, range, start and end in seconds (Prometheus 3 experimental functions).
        add("step", List.of(), 0, SCALAR);
        add("range", List.of(), 0, SCALAR);
        add("start", List.of(), 0, SCALAR);
        add("end", List.of(), 0, SCALAR);
        add("min_of", List.of(SCALAR, SCALAR), 0, SCALAR);
        add("max_of", List.of(SCALAR, SCALAR), 0, SCALAR);
        add("time", List.of(), 0, SCALAR);
        add("scalar", List.of(VECTOR), 0, SCALAR);
        add("vector", List.of(SCALAR), 0, VECTOR);
        add("histogram_quantile", List.of(SCALAR, VECTOR), 0, VECTOR);
        add("histogram_quantiles", List.of(VECTOR, STRING, SCALAR), -1, VECTOR);
        add("label_replace", List.of(VECTOR, STRING, STRING, STRING, STRING), 0, VECTOR);
        add("label_join", List.of(VECTOR, STRING, STRING, STRING), -1, VECTOR);
        add("sort_by_label", List.of(VECTOR, STRING), -1, VECTOR);
        // Its optional second argument is a label selector, parsed specially (see Parser).
        add("info", List.of(VECTOR, VECTOR), 1, VECTOR);
        add("sort_by_label_desc", List.of(VECTOR, STRING), -1, VECTOR);
    }

    private static void add(String name, List<ValueType> args, int variadic, ValueType ret) {
        ALL.put(name, new FunctionSignature(name, args, variadic, ret));
    }

    /** The signature of a function, or null when promlite does not know it. */
    public static FunctionSignature byName(String name) {
        return ALL.get(name);
    }
}
