package io.promlite.promql.value;

public record StringValue(long timestampMs, String value) implements Value {
    @Override
    public String typeName() {
        return "string";
    }
}
