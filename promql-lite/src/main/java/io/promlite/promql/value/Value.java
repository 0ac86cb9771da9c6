package io.promlite.promql.value;

/** The result of evaluating a PromQL expression: one of Prometheus's four result types. */
public sealed interface Value permits Scalar, StringValue, Vector, Matrix {
    /** Prometheus's {@code resultType}: scalar, string, vector or matrix. */
    String typeName();
}
