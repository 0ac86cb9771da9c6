package io.promlite.web.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    /**
     * Series after series over the same steps, as a matrix is written, with more distinct
     * timestamps than the writer keeps spellings of, and values on both sides of the integer
     * path's limits: every point reads as {@link ApiJson#writePoint} spells it, through both the
     * byte (response) and the character generator.
     */
    @Test
    void pointWriterMatchesWritePointOverManySeriesAndSteps() throws IOException {
        double[] values = {0, -0.0, 1, -1, 7, 1e15 - 1, -(1e15 - 1), 1e15, -1e15, 9007199254740993.0, 123456789012.0,
                -42, 0.5, -2.25, 1e-7, 3.0e20, 1e21, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, Double.MAX_VALUE, 4096.0 * 1_000_003};
        long start = 1_795_261_875_116L;
        int steps = 1500;
        Writes reference = g -> {
            for (int series = 0; series < 3; series++) {
                for (int i = 0; i < steps; i++) {
                    ApiJson.writePoint(g, start + i * 15_000L - (series == 2 ? 1 : 0), values[(i + series) % values.length]);
                }
            }
        };
        ApiJson.PointWriter chars = new ApiJson.PointWriter();
        ApiJson.PointWriter bytes = new ApiJson.PointWriter();
        Writes viaWriter = g -> {
            for (int series = 0; series < 3; series++) {
                for (int i = 0; i < steps; i++) {
                    chars.write(g, start + i * 15_000L - (series == 2 ? 1 : 0), values[(i + series) % values.length]);
                }
            }
        };
        String expected = json(reference);
        assertTrue(expected.contains("[1795261890.116,\"-0\"]"), expected.substring(0, 200));
        assertTrue(expected.contains(",\"999999999999999\"]") && expected.contains(",\"-999999999999999\"]")
                && expected.contains(",\"1000000000000000\"]"), "integer limits covered");
        assertEquals(expected, json(viaWriter));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (int series = 0; series < 3; series++) {
                for (int i = 0; i < steps; i++) {
                    bytes.write(g, start + i * 15_000L - (series == 2 ? 1 : 0), values[(i + series) % values.length]);
                }
            }
            g.writeEndArray();
        }
        assertEquals(expected, out.toString(StandardCharsets.UTF_8));
    }
}
