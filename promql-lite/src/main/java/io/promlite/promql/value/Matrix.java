package io.promlite.promql.value;

import java.util.List;

public record Matrix(List<SeriesPoints> series) implements Value {
    @Override
    public String typeName() {
        return "matrix";
    }
}
