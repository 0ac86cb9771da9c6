package io.promlite.promql.script;

import io.promlite.tsdb.Storage;

/** The storage the PromQL tests run against. */
public final class TestStorages {
    private TestStorages() {
    }

    public static Storage create() {
        return new InMemoryStorage();
    }
}
