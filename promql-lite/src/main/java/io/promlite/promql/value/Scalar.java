package io.promlite.promql.value;

public record Scalar(long timestampMs, double value) implements Value {
    @Override
    public String typeName() {
        return "scalar";
    }
}
