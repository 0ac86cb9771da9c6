package io.promlite.promql;

import io.promlite.promql.value.Value;
import java.util.List;

/** A query's value with the warnings and infos Prometheus would attach to it (already positioned). */
public record QueryResult(Value value, List<String> warnings, List<String> infos) {
    public QueryResult {
        warnings = List.copyOf(warnings);
        infos = List.copyOf(infos);
    }
}
