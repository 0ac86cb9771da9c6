package io.promlite.tsdb.store;

import io.promlite.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;

/** Label sets as bytes: a varint pair count, then length-prefixed UTF-8 names and values. */
public final class LabelsCodec {
    private LabelsCodec() {
    }

    public static byte[] encode(Labels labels) {
        ByteWriter w = new ByteWriter(64);
        w.uvarint(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            w.lengthPrefixed(labels.name(i).getBytes(StandardCharsets.UTF_8));
            w.lengthPrefixed(labels.value(i).getBytes(StandardCharsets.UTF_8));
        }
        return w.toArray();
    }

    public static Labels decode(byte[] b) {
        ByteReader r = new ByteReader().reset(b, 0, b.length);
        int n = (int) r.uvarint();
        String[] pairs = new String[2 * n];
        for (int i = 0; i < pairs.length; i++) {
            int len = (int) r.uvarint();
            pairs[i] = new String(b, r.position(), len, StandardCharsets.UTF_8);
            r.skip(len);
        }
        return Labels.of(pairs);
    }
}
