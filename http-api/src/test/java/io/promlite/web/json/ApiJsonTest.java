package io.promlite.web.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ApiJsonTest {
    private interface Writes {
        void to(JsonGenerator g) throws IOException;
    }

    private static String json(Writes w) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartArray();
            w.to(g);
            g.writeEndArray();
        }
        return out.toString();
    }

    /** As Prometheus's {@code jsonutil.MarshalTimestamp}: three fraction digits, trailing zeros kept. */
    @Test
    void timestampsAreSecondsWithThreeFractionDigitsUnlessWhole() throws IOException {
        assertEquals("[0,1,1.500,0.001,0.010,1795261875.116,-1.500,-0.001,-2,9223372036854775.807]", json(g -> {
            for (long ms : new long[] {0, 1000, 1500, 1, 10, 1_795_261_875_116L, -1500, -1, -2000, Long.MAX_VALUE}) {
                ApiJson.writeTimestamp(g, ms);
            }
        }));
        assertEquals("[-9223372036854775.808]", json(g -> ApiJson.writeTimestamp(g, Long.MIN_VALUE)));
    }

    /** The point writer reuses the previous value's spelling only for the very same value. */
    @Test
    void pointWriterSpellsEachPointAsWritePointDoes() throws IOException {
        long[] ts = {15_000, 30_000, 45_500, 60_000, 75_000, 90_000, 105_000, 120_000};
        double[] vs = {1, 1, 0.1, 0.1, 0.0, -0.0, Double.NaN, 1e21};
        String expected = json(g -> {
            for (int i = 0; i < ts.length; i++) {
                ApiJson.writePoint(g, ts[i], vs[i]);
            }
        });
        assertEquals("[[15,\"1\"],[30,\"1\"],[45.500,\"0.1\"],[60,\"0.1\"],[75,\"0\"],[90,\"-0\"],[105,\"NaN\"],"
                + "[120,\"1e+21\"]]", expected);
        ApiJson.PointWriter points = new ApiJson.PointWriter();
        assertEquals(expected, json(g -> {
            for (int i = 0; i < ts.length; i++) {
                points.write(g, ts[i], vs[i]);
            }
        }));
    }
}
