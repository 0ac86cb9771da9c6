package io.promlite.promql.value;

import java.util.List;

public record Vector(List<Sample> samples) implements Value {
    @Override
    public String typeName() {
        return "vector";
    }
}
