package io.promlite.promql.script;

import io.promlite.promql.Engine;
import io.promlite.promql.EngineOptions;
import io.promlite.promql.PromqlException;
import io.promlite.promql.QueryResult;
import io.promlite.promql.functions.Histograms;
import io.promlite.promql.parser.Expr;
import io.promlite.promql.parser.ExprPrinter;
import io.promlite.promql.parser.Parser;
import io.promlite.promql.parser.Durations;
import io.promlite.promql.value.Matrix;
import io.promlite.promql.value.Sample;
import io.promlite.promql.value.Scalar;
import io.promlite.promql.value.SeriesPoints;
import io.promlite.promql.value.StringValue;
import io.promlite.promql.value.Value;
import io.promlite.promql.value.Vector;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.AppendException;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a script in Prometheus's PromQL test format against a fresh storage per section and
 * reports every eval as passed, failed (with the reason) or unsupported (native histograms).
 */
public final class ScriptRunner {
    /** Prometheus's promqltest compares floats with this relative tolerance. */
    private static final double EPSILON = 1e-6;

    private static final Pattern INSTANT = Pattern.compile(
            "^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+at\\s+(\\S+)\\s+(.+)$");
    private static final Pattern RANGE = Pattern.compile(
            "^eval(?:_(fail|warn|ordered|info))?\\s+range\\s+from\\s+(\\S+)\\s+to\\s+(\\S+)\\s+step\\s+(\\S+)\\s+(.+)$");
    private static final Pattern RANGE_VECTOR = Pattern.compile(
            "^expect\\s+range\\s+vector\\s+from\\s+(\\S+)\\s+to\\s+(\\S+)\\s+step\\s+(\\S+)\\s*$");
    private static final Pattern NATIVE_HISTOGRAM_FUNCTION = Pattern.compile(
            "\\bhistogram_(count|sum|avg|fraction|stddev|stdvar)\\s*\\(");

    public enum Status { PASSED, FAILED, UNSUPPORTED }

    public record CaseResult(int line, String query, Status status, String detail) {
    }

    private final String fileName;
    private final Supplier<Storage> storageFactory;
    private final List<CaseResult> results = new ArrayList<>();
    private Storage storage;
    private Engine engine;
    /** Label sets of the section's native-histogram series, which the loader cannot store. */
    private final List<Labels> nativeSeries = new ArrayList<>();

    public ScriptRunner(String fileName, Supplier<Storage> storageFactory) {
        this.fileName = fileName;
        this.storageFactory = storageFactory;
    }

    public List<CaseResult> run(List<String> lines) {
        freshStorage();
        try {
            int i = 0;
            while (i < lines.size()) {
                String line = lines.get(i);
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    i++;
                    continue;
                }
                int bodyStart = i + 1;
                int bodyEnd = bodyStart;
                while (bodyEnd < lines.size() && !isBlockEnd(lines.get(bodyEnd))) {
                    bodyEnd++;
                }
                List<String> body = new ArrayList<>();
                for (String b : lines.subList(bodyStart, bodyEnd)) {
                    if (!b.strip().startsWith("#")) {
                        body.add(b.strip());
                    }
                }
                if (trimmed.equals("clear")) {
                    freshStorage();
                } else if (trimmed.startsWith("load")) {
                    load(trimmed, body);
                } else if (trimmed.startsWith("eval")) {
                    results.add(eval(i + 1, trimmed, body));
                } else {
                    throw new IllegalArgumentException(fileName + ":" + (i + 1) + ": unknown command: " + trimmed);
                }
                i = bodyEnd;
            }
        } finally {
            storage.close();
        }
        return results;
    }

    private static boolean isBlockEnd(String line) {
        String t = line.strip();
        return t.isEmpty() || t.equals("clear") || t.startsWith("load ") || t.startsWith("load_with_nhcb ")
                || (t.startsWith("eval") && !Character.isWhitespace(line.charAt(0)));
    }

    private void freshStorage() {
        if (storage != null) {
            storage.close();
        }
        storage = storageFactory.get();
        // Delayed name removal on, as Prometheus's own test engine (promqltest.NewTestEngine) runs the scripts.
        engine = new Engine(storage, new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(2), 50_000_000, true));
        nativeSeries.clear();
    }

    private void load(String header, List<String> body) {
        String[] parts = header.split("\\s+");
        boolean nhcb = parts[0].equals("load_with_nhcb");
        long interval = Durations.parse(parts[1]);
        // A series listed twice takes the later value at a shared timestamp, as Prometheus's loader does.
        Map<Labels, TreeMap<Long, Double>> samples = new LinkedHashMap<>();
        Map<Labels, Map<Long, Long>> startTimes = new HashMap<>();
        // A "metric@st" line gives the start timestamps of the samples of the series line after it.
        List<Long> pendingOffsets = null;
        for (String line : body) {
            if (line.contains("{{")) {
                SeriesNotation.Line l = SeriesNotation.parseLine(line.substring(0, line.indexOf("{{")) + " 0");
                nativeSeries.add(l.labels());
                pendingOffsets = null;
                continue;
            }
            if (line.matches("^\\S*(\\{.*})?@st\\s.*")) {
                int at = line.indexOf("@st");
                pendingOffsets = SeriesNotation.parseStartOffsets(line.substring(at + 3));
                continue;
            }
            SeriesNotation.Line l = SeriesNotation.parseLine(line);
            List<Long> offsets = pendingOffsets;
            pendingOffsets = null;
            String name = l.labels().metricName();
            if (nhcb && name != null && name.matches(".*_(bucket|sum|count)$")) {
                // The loader also derives a native histogram (custom buckets) named without the suffix.
                nativeSeries.add(l.labels().toBuilder().set(Labels.METRIC_NAME, name.substring(0, name.lastIndexOf('_')))
                        .delete("le").build());
            }
            List<Double> values = SeriesNotation.parseValues(l.values());
            TreeMap<Long, Double> series = samples.computeIfAbsent(l.labels(), k -> new TreeMap<>());
            for (int k = 0; k < values.size(); k++) {
                if (values.get(k) != null) {
                    series.put(k * interval, values.get(k));
                    if (offsets != null && k < offsets.size() && offsets.get(k) != null) {
                        startTimes.computeIfAbsent(l.labels(), x -> new HashMap<>()).put(k * interval,
                                k * interval + offsets.get(k));
                    }
                }
            }
        }
        Appender app = storage.appender();
        for (Map.Entry<Labels, TreeMap<Long, Double>> e : samples.entrySet()) {
            Map<Long, Long> sts = startTimes.getOrDefault(e.getKey(), Map.of());
            for (Map.Entry<Long, Double> sample : e.getValue().entrySet()) {
                try {
                    app.appendWithStart(0, e.getKey(), sample.getKey(), sts.getOrDefault(sample.getKey(), 0L),
                            sample.getValue());
                } catch (AppendException ex) {
                    throw new IllegalStateException(fileName + ": cannot load " + e.getKey() + ": " + ex.getMessage(), ex);
                }
            }
        }
        app.commit();
    }

    /** One {@code expect warn|info} line: a message to match exactly, a regex to find, or neither (any). */
    private record AnnotationMatcher(String message, Pattern regex) {
        boolean matches(String annotation) {
            if (message != null) {
                return message.equals(annotation);
            }
            return regex == null || regex.matcher(annotation).find();
        }

        @Override
        public String toString() {
            return message != null ? "msg \"" + message + "\"" : regex != null ? "regex " + regex : "any";
        }
    }

    /** The expectations about one kind of annotation (warnings or infos). */
    private static final class AnnotationExpectation {
        final String kind;
        final List<AnnotationMatcher> expected = new ArrayList<>();
        boolean none;

        AnnotationExpectation(String kind) {
            this.kind = kind;
        }

        /**
         * Prometheus's rules: every expect line matches at least one annotation; once there is one,
         * every annotation must match some expect line; {@code no_*} allows none.
         */
        String check(List<String> actual) {
            if (none && !actual.isEmpty()) {
                return "expected no " + kind + "s, got " + actual;
            }
            for (AnnotationMatcher m : expected) {
                if (actual.stream().noneMatch(m::matches)) {
                    return "expected a " + kind + " matching " + m + ", got " + actual;
                }
            }
            if (!expected.isEmpty()) {
                for (String a : actual) {
                    if (expected.stream().noneMatch(m -> m.matches(a))) {
                        return "unexpected " + kind + " \"" + a + "\"";
                    }
                }
            }
            return null;
        }
    }

    /** The parsed expectations of one eval command. */
    private static final class Expectation {
        final AnnotationExpectation warnings = new AnnotationExpectation("warning");
        final AnnotationExpectation infos = new AnnotationExpectation("info");
        boolean fail;
        String failMessage;
        Pattern failRegex;
        boolean ordered;
        String string;
        Double scalar;
        long[] rangeVector;
        final List<SeriesNotation.Line> series = new ArrayList<>();
        boolean nativeHistogram;
    }

    private CaseResult eval(int lineNo, String header, List<String> body) {
        Matcher instant = INSTANT.matcher(header);
        Matcher range = RANGE.matcher(header);
        String modifier;
        String query;
        if (instant.matches()) {
            modifier = instant.group(1);
            query = instant.group(3);
        } else if (range.matches()) {
            modifier = range.group(1);
            query = range.group(5);
        } else {
            return new CaseResult(lineNo, header, Status.FAILED, "unparseable eval command");
        }
        Expectation exp;
        try {
            exp = expectation(modifier, body);
        } catch (RuntimeException e) {
            return new CaseResult(lineNo, query, Status.FAILED, "bad expectation: " + e);
        }
        if (exp.nativeHistogram || NATIVE_HISTOGRAM_FUNCTION.matcher(query).find()) {
            return new CaseResult(lineNo, query, Status.UNSUPPORTED, "native histograms");
        }
        CaseResult r = check(lineNo, query, exp, instant, range);
        if (r.status() == Status.FAILED && mentionsNativeMetric(query)) {
            // The query reads series that hold native histograms, which the loader could not store.
            return new CaseResult(lineNo, query, Status.UNSUPPORTED, "native histograms: " + r.detail());
        }
        return r;
    }

    private CaseResult check(int lineNo, String query, Expectation exp, Matcher instant, Matcher range) {
        Value result;
        QueryResult full;
        try {
            if (instant.matches()) {
                full = engine.instantQuery(query, time(instant.group(2)));
            } else {
                full = engine.rangeQuery(query, time(range.group(2)), time(range.group(3)),
                        Durations.parse(range.group(4)));
            }
            result = full.value();
        } catch (PromqlException e) {
            if (!exp.fail) {
                return new CaseResult(lineNo, query, Status.FAILED, "unexpected error: " + e.kind() + " " + e.getMessage());
            }
            if (exp.failMessage != null && !exp.failMessage.equals(e.getMessage())) {
                return new CaseResult(lineNo, query, Status.FAILED,
                        "expected error \"" + exp.failMessage + "\", got \"" + e.getMessage() + "\"");
            }
            if (exp.failRegex != null && !exp.failRegex.matcher(e.getMessage()).find()) {
                return new CaseResult(lineNo, query, Status.FAILED,
                        "expected error matching " + exp.failRegex + ", got \"" + e.getMessage() + "\"");
            }
            return new CaseResult(lineNo, query, Status.PASSED, "");
        } catch (RuntimeException e) {
            return new CaseResult(lineNo, query, Status.FAILED, "crashed: " + e);
        }
        if (exp.fail) {
            return new CaseResult(lineNo, query, Status.FAILED, "expected an error, got " + describe(result));
        }
        String problem = range.matches()
                ? compareRange((Matrix) result, exp, time(range.group(2)), Durations.parse(range.group(4)))
                : compareInstant(result, exp);
        if (problem == null) {
            problem = exp.warnings.check(full.warnings());
        }
        if (problem == null) {
            problem = exp.infos.check(full.infos());
        }
        // step() and range() differ between the two modes by definition.
        boolean modeDependent = query.contains("step()") || query.contains("range()");
        if (problem == null && instant.matches() && !modeDependent
                && (result instanceof Vector || result instanceof Scalar)) {
            problem = sameAsRangeQuery(query, time(instant.group(2)), result);
        }
        if (problem == null && instant.matches()) {
            problem = samePrinted(query, time(instant.group(2)), exp);
        }
        return new CaseResult(lineNo, query, problem == null ? Status.PASSED : Status.FAILED,
                problem == null ? "" : problem);
    }

    /** Whether any selector of the query would select one of the section's native-histogram series. */
    private boolean mentionsNativeMetric(String query) {
        if (nativeSeries.isEmpty()) {
            return false;
        }
        List<Expr.VectorSelector> selectors = new ArrayList<>();
        try {
            collectSelectors(Parser.parse(query), selectors);
        } catch (PromqlException e) {
            return false;
        }
        for (Expr.VectorSelector vs : selectors) {
            for (Labels series : nativeSeries) {
                if (vs.matchers().stream().allMatch(m -> m.matches(series))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void collectSelectors(Expr e, List<Expr.VectorSelector> out) {
        if (e instanceof Expr.VectorSelector vs) {
            out.add(vs);
        } else if (e instanceof Expr.MatrixSelector ms) {
            out.add(ms.selector());
        } else if (e instanceof Expr.Subquery sq) {
            collectSelectors(sq.expr(), out);
        } else if (e instanceof Expr.Paren p) {
            collectSelectors(p.expr(), out);
        } else if (e instanceof Expr.Negation n) {
            collectSelectors(n.expr(), out);
        } else if (e instanceof Expr.Binary b) {
            collectSelectors(b.lhs(), out);
            collectSelectors(b.rhs(), out);
        } else if (e instanceof Expr.Aggregate a) {
            collectSelectors(a.expr(), out);
        } else if (e instanceof Expr.Call c) {
            c.args().forEach(arg -> collectSelectors(arg, out));
        }
    }

    private static long time(String s) {
        if (s.startsWith("-")) {
            return -Durations.parse(s.substring(1));
        }
        return Durations.parse(s);
    }

    private static Expectation expectation(String modifier, List<String> body) {
        Expectation exp = new Expectation();
        exp.fail = "fail".equals(modifier);
        exp.ordered = "ordered".equals(modifier);
        if ("warn".equals(modifier)) {
            exp.warnings.expected.add(new AnnotationMatcher(null, null));
        } else if ("info".equals(modifier)) {
            exp.infos.expected.add(new AnnotationMatcher(null, null));
        }
        for (String line : body) {
            if (line.contains("{{")) {
                exp.nativeHistogram = true;
                continue;
            }
            if (line.startsWith("expected_fail_message")) {
                exp.fail = true;
                exp.failMessage = line.substring("expected_fail_message".length()).strip();
                continue;
            }
            if (line.startsWith("expected_fail_regexp")) {
                exp.fail = true;
                exp.failRegex = Pattern.compile(line.substring("expected_fail_regexp".length()).strip());
                continue;
            }
            if (line.startsWith("expect ")) {
                String d = line.substring("expect ".length()).strip();
                Matcher rv = RANGE_VECTOR.matcher(line);
                if (rv.matches()) {
                    exp.rangeVector = new long[] {time(rv.group(1)), time(rv.group(2)), Durations.parse(rv.group(3))};
                } else if (d.startsWith("fail")) {
                    exp.fail = true;
                    String rest = d.substring(4).strip();
                    if (rest.startsWith("msg:")) {
                        exp.failMessage = rest.substring(4).strip();
                    } else if (rest.startsWith("regex:")) {
                        exp.failRegex = Pattern.compile(rest.substring(6).strip());
                    }
                } else if (d.equals("ordered")) {
                    exp.ordered = true;
                } else if (d.startsWith("string")) {
                    exp.string = unquote(d.substring(6).strip());
                } else if (d.equals("no_warn")) {
                    exp.warnings.none = true;
                } else if (d.equals("no_info")) {
                    exp.infos.none = true;
                } else if (d.startsWith("warn")) {
                    exp.warnings.expected.add(annotationMatcher(d.substring(4).strip()));
                } else if (d.startsWith("info")) {
                    exp.infos.expected.add(annotationMatcher(d.substring(4).strip()));
                }
                continue;
            }
            if (looksLikeNumber(line)) {
                exp.scalar = SeriesNotation.number(line);
                continue;
            }
            exp.series.add(SeriesNotation.parseLine(line));
        }
        return exp;
    }

    private static AnnotationMatcher annotationMatcher(String rest) {
        if (rest.startsWith("msg:")) {
            return new AnnotationMatcher(rest.substring(4).strip(), null);
        }
        if (rest.startsWith("regex:")) {
            return new AnnotationMatcher(null, Pattern.compile(rest.substring(6).strip()));
        }
        return new AnnotationMatcher(null, null);
    }

    private static boolean looksLikeNumber(String s) {
        try {
            SeriesNotation.number(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '`')) {
            String inner = s.substring(1, s.length() - 1);
            return s.charAt(0) == '`' ? inner : inner.replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return s;
    }

    private static String compareInstant(Value result, Expectation exp) {
        if (exp.string != null) {
            return result instanceof StringValue s && s.value().equals(exp.string) ? null
                    : "expected string \"" + exp.string + "\", got " + describe(result);
        }
        if (exp.scalar != null) {
            if (result instanceof Scalar s) {
                return equal(exp.scalar, s.value()) ? null : "expected scalar " + exp.scalar + ", got " + s.value();
            }
            return "expected scalar " + exp.scalar + ", got " + describe(result);
        }
        if (exp.rangeVector != null) {
            if (!(result instanceof Matrix m)) {
                return "expected a range vector, got " + describe(result);
            }
            return compareRange(m, exp, exp.rangeVector[0], exp.rangeVector[2]);
        }
        if (!(result instanceof Vector v)) {
            return "expected a vector, got " + describe(result);
        }
        List<Sample> samples = v.samples();
        if (samples.size() != exp.series.size()) {
            return "expected " + exp.series.size() + " samples, got " + samples.size() + ": " + describe(result);
        }
        Map<Labels, Sample> byLabels = new HashMap<>();
        for (Sample s : samples) {
            if (byLabels.put(s.metric(), s) != null) {
                return "duplicate series in result: " + s.metric();
            }
        }
        for (int i = 0; i < exp.series.size(); i++) {
            SeriesNotation.Line e = exp.series.get(i);
            Sample s = byLabels.get(e.labels());
            if (s == null) {
                return "missing series " + e.labels() + " in " + describe(result);
            }
            List<Double> vals = SeriesNotation.parseValues(e.values());
            if (vals.size() != 1 || !equal(vals.get(0), s.value())) {
                return "series " + e.labels() + ": expected " + e.values() + ", got " + s.value();
            }
            if (exp.ordered && !samples.get(i).metric().equals(e.labels())) {
                return "expected " + e.labels() + " at position " + i + ", got " + samples.get(i).metric();
            }
        }
        return null;
    }

    /**
     * Checks that the query printed back in canonical form ({@link ExprPrinter#print}) and laid
     * out ({@link ExprPrinter#pretty}) means the same: each gives the expected result too. Prometheus's harness relies on its printer likewise
     * when it re-runs instant queries with {@code @} modifiers.
     */
    private String samePrinted(String query, long t, Expectation exp) {
        Expr parsed = Parser.parse(query);
        for (String printed : List.of(ExprPrinter.print(parsed), ExprPrinter.pretty(parsed))) {
            try {
                String problem = compareInstant(engine.instant(printed, t), exp);
                if (problem != null) {
                    return "printed as " + printed + ": " + problem;
                }
            } catch (PromqlException e) {
                return "printed as " + printed + ": " + e.getMessage();
            }
        }
        return null;
    }

    /** Like Prometheus's harness, checks that a one-step range query agrees with the instant query. */
    private String sameAsRangeQuery(String query, long t, Value instantResult) {
        Matrix m;
        try {
            m = (Matrix) engine.range(query, t, t, 60_000);
        } catch (PromqlException e) {
            return "range-mode evaluation failed: " + e.getMessage();
        }
        Map<Labels, Double> expected = new HashMap<>();
        if (instantResult instanceof Scalar s) {
            expected.put(Labels.EMPTY, s.value());
        } else {
            for (Sample s : ((Vector) instantResult).samples()) {
                expected.put(s.metric(), s.value());
            }
        }
        Map<Labels, Double> actual = new HashMap<>();
        for (SeriesPoints p : m.series()) {
            if (p.count() != 1 || p.timestampsMs()[0] != t) {
                return "range-mode result has unexpected points: " + describe(m);
            }
            actual.put(p.metric(), p.values()[0]);
        }
        if (!expected.keySet().equals(actual.keySet())) {
            return "range-mode result differs: " + describe(m) + " vs " + describe(instantResult);
        }
        for (Map.Entry<Labels, Double> e : expected.entrySet()) {
            if (!equal(e.getValue(), actual.get(e.getKey()))) {
                return "range-mode value differs for " + e.getKey() + ": " + actual.get(e.getKey());
            }
        }
        return null;
    }

    private static String compareRange(Matrix m, Expectation exp, long start, long step) {
        if (m.series().size() != exp.series.size()) {
            return "expected " + exp.series.size() + " series, got " + m.series().size() + ": " + describe(m);
        }
        Map<Labels, SeriesPoints> byLabels = new HashMap<>();
        for (SeriesPoints p : m.series()) {
            byLabels.put(p.metric(), p);
        }
        for (SeriesNotation.Line e : exp.series) {
            SeriesPoints p = byLabels.get(e.labels());
            if (p == null) {
                return "missing series " + e.labels() + " in " + describe(m);
            }
            List<Double> vals = SeriesNotation.parseValues(e.values());
            Map<Long, Double> actual = new HashMap<>();
            for (int i = 0; i < p.count(); i++) {
                actual.put(p.timestampsMs()[i], p.values()[i]);
            }
            int expectedPoints = 0;
            for (int i = 0; i < vals.size(); i++) {
                Double ev = vals.get(i);
                if (ev == null) {
                    continue;
                }
                expectedPoints++;
                Double av = actual.get(start + i * step);
                if (av == null || !equal(ev, av)) {
                    return "series " + e.labels() + " at " + (start + i * step) + "ms: expected " + ev + ", got " + av
                            + " (" + describe(m) + ")";
                }
            }
            if (expectedPoints != p.count()) {
                return "series " + e.labels() + ": expected " + expectedPoints + " points, got " + p.count()
                        + " (" + describe(m) + ")";
            }
        }
        return null;
    }

    private static boolean equal(double expected, double actual) {
        return Histograms.almostEqual(expected, actual, EPSILON);
    }

    private static String describe(Value v) {
        if (v instanceof Vector vec) {
            StringBuilder sb = new StringBuilder("vector[");
            for (Sample s : vec.samples()) {
                sb.append(s.metric()).append(' ').append(s.value()).append("; ");
            }
            return sb.append(']').toString();
        }
        if (v instanceof Matrix m) {
            StringBuilder sb = new StringBuilder("matrix[");
            for (SeriesPoints p : m.series()) {
                sb.append(p.metric()).append(' ');
                for (int i = 0; i < p.count(); i++) {
                    sb.append(p.values()[i]).append('@').append(p.timestampsMs()[i]).append(' ');
                }
                sb.append("; ");
            }
            return sb.append(']').toString();
        }
        return v.toString();
    }
}
