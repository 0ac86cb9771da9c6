package io.promlite.scraper.textparse;

import io.promlite.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Parses the Prometheus text exposition format 0.0.4 line by line over a byte array.
 *
 * <p>{@link #next()} validates the whole line (names, label syntax and escapes, UTF-8 of label
 * values, value, timestamp) and records label positions in reusable arrays; strings are built
 * only by {@link #labels()}, which the scrape loop calls for series it has not seen before.
 */
public final class PromTextParser implements ExpositionParser {
    private static final int SNIPPET_CHARS = 120;
    private static final byte[] NAME_LABEL = Labels.METRIC_NAME.getBytes(StandardCharsets.US_ASCII);

    private final byte[] b;
    private final int limit;
    private int pos;

    private int lineNumber;
    private int lineStart;
    private int lineEnd;

    private int seriesStart;
    private int seriesEnd;
    private int nameEnd;
    private int labelCount;
    private int[] labelBounds = new int[4 * 8];
    /** Whether label value i needs unescaping or UTF-8 decoding (else it is plain ASCII). */
    private boolean[] valueNeedsDecoding = new boolean[8];
    private byte[] scratch = new byte[64];

    private double value;
    private boolean hasTimestamp;
    private long timestampMs;

    private int metadataStart;
    private int metadataEnd;
    private int helpStart;
    private int helpEnd;
    private MetricType type;

    public PromTextParser(byte[] body, int offset, int length) {
        this.b = body;
        this.pos = offset;
        this.limit = offset + length;
    }

    public PromTextParser(byte[] body) {
        this(body, 0, body.length);
    }

    @Override
    public EntryType next() throws TextParseException {
        while (pos < limit) {
            lineNumber++;
            lineStart = pos;
            int nl = pos;
            while (nl < limit && b[nl] != '\n') {
                nl++;
            }
            pos = nl + 1;
            // Tolerate CRLF line ends from exporters on Windows.
            lineEnd = nl > lineStart && b[nl - 1] == '\r' ? nl - 1 : nl;
            int i = skipBlanks(lineStart);
            if (i == lineEnd) {
                continue;
            }
            return b[i] == '#' ? parseComment(i + 1) : parseSeries(i);
        }
        return EntryType.EOF;
    }

    private EntryType parseComment(int i) throws TextParseException {
        i = skipBlanks(i);
        int wordEnd = skipNonBlanks(i);
        boolean help = isWord(i, wordEnd, "HELP");
        if (!help && !isWord(i, wordEnd, "TYPE")) {
            return EntryType.COMMENT;
        }
        i = skipBlanks(wordEnd);
        metadataStart = i;
        i = scanMetricName(i);
        if (i == metadataStart) {
            throw error("expected metric name after " + (help ? "HELP" : "TYPE"));
        }
        metadataEnd = i;
        if (i < lineEnd && !isBlank(b[i])) {
            throw error("invalid metric name in " + (help ? "HELP" : "TYPE") + " line");
        }
        i = skipBlanks(i);
        if (help) {
            helpStart = i;
            helpEnd = lineEnd;
            return EntryType.HELP;
        }
        int typeEnd = skipNonBlanks(i);
        if (skipBlanks(typeEnd) != lineEnd) {
            throw error("unexpected text after metric type");
        }
        type = metricType(i, typeEnd);
        return EntryType.TYPE;
    }

    private MetricType metricType(int start, int end) throws TextParseException {
        String word = ascii(start, end);
        switch (word) {
            case "counter", "gauge", "histogram", "summary", "untyped" -> {
                return MetricType.valueOf(word.toUpperCase(Locale.ROOT));
            }
            default -> throw error("invalid metric type \"" + word + "\"");
        }
    }

    private EntryType parseSeries(int i) throws TextParseException {
        seriesStart = i;
        nameEnd = scanMetricName(i);
        if (nameEnd == i) {
            throw error("expected metric name, got " + describe(i));
        }
        labelCount = 0;
        i = skipBlanks(nameEnd);
        if (i < lineEnd && b[i] == '{') {
            seriesEnd = parseLabels(i + 1);
            i = skipBlanks(seriesEnd);
        } else {
            seriesEnd = nameEnd;
            if (i == nameEnd && i < lineEnd) {
                throw error("invalid metric name character " + describe(i));
            }
        }
        if (i == lineEnd) {
            throw error("expected value after metric, got end of line");
        }
        int valueEnd = skipNonBlanks(i);
        try {
            value = Numbers.parseDouble(b, i, valueEnd);
        } catch (NumberFormatException e) {
            throw error("invalid float \"" + utf8(i, valueEnd) + "\"");
        }
        i = skipBlanks(valueEnd);
        hasTimestamp = i < lineEnd;
        if (hasTimestamp) {
            int tsEnd = skipNonBlanks(i);
            try {
                timestampMs = Numbers.parseLong(b, i, tsEnd);
            } catch (NumberFormatException e) {
                throw error("invalid timestamp \"" + utf8(i, tsEnd) + "\"");
            }
            if (skipBlanks(tsEnd) != lineEnd) {
                throw error("unexpected text after timestamp");
            }
        }
        return EntryType.SERIES;
    }

    /** Parses {@code name="value", …}; returns the index after the closing brace. */
    private int parseLabels(int i) throws TextParseException {
        while (true) {
            i = skipBlanks(i);
            if (i == lineEnd) {
                throw error("unterminated label set");
            }
            if (b[i] == '}') {
                return i + 1;
            }
            int nameStart = i;
            if (!isLabelNameStart(b[i])) {
                throw error("expected label name, got " + describe(i));
            }
            while (i < lineEnd && isLabelNameChar(b[i])) {
                i++;
            }
            int labelNameEnd = i;
            i = skipBlanks(i);
            if (i == lineEnd || b[i] != '=') {
                throw error("expected '=' after label name \"" + ascii(nameStart, labelNameEnd) + "\", got " + describe(i));
            }
            i = skipBlanks(i + 1);
            if (i == lineEnd || b[i] != '"') {
                throw error("expected '\"' to start the value of label \"" + ascii(nameStart, labelNameEnd)
                        + "\", got " + describe(i));
            }
            int valueStart = ++i;
            boolean needsDecoding = false;
            while (true) {
                if (i == lineEnd) {
                    throw error("unterminated value of label \"" + ascii(nameStart, labelNameEnd) + "\"");
                }
                byte c = b[i];
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    byte escaped = i + 1 < lineEnd ? b[i + 1] : 0;
                    if (escaped != '\\' && escaped != '"' && escaped != 'n') {
                        throw error("invalid escape sequence '\\" + (escaped == 0 ? "" : (char) escaped)
                                + "' in value of label \"" + ascii(nameStart, labelNameEnd) + "\"");
                    }
                    needsDecoding = true;
                    i += 2;
                    continue;
                }
                if (c < 0) {
                    needsDecoding = true;
                }
                i++;
            }
            int valueEnd = i;
            if (needsDecoding && !Utf8.isValid(b, valueStart, valueEnd)) {
                throw error("invalid UTF-8 in value of label \"" + ascii(nameStart, labelNameEnd) + "\"");
            }
            recordLabel(nameStart, labelNameEnd, valueStart, valueEnd, needsDecoding);
            i = skipBlanks(i + 1);
            if (i < lineEnd && b[i] == ',') {
                i++;
            } else if (i == lineEnd || b[i] != '}') {
                throw error("expected ',' or '}' after label value, got " + describe(i));
            }
        }
    }

    private void recordLabel(int nameStart, int nameEnd, int valueStart, int valueEnd, boolean needsDecoding) {
        if (4 * labelCount == labelBounds.length) {
            labelBounds = Arrays.copyOf(labelBounds, labelBounds.length * 2);
            valueNeedsDecoding = Arrays.copyOf(valueNeedsDecoding, valueNeedsDecoding.length * 2);
        }
        int k = 4 * labelCount;
        labelBounds[k] = nameStart;
        labelBounds[k + 1] = nameEnd;
        labelBounds[k + 2] = valueStart;
        labelBounds[k + 3] = valueEnd;
        valueNeedsDecoding[labelCount] = needsDecoding;
        labelCount++;
    }

    @Override
    public Labels labels() throws TextParseException {
        Labels.Builder builder = Labels.builder().set(Labels.METRIC_NAME, ascii(seriesStart, nameEnd));
        for (int l = 0; l < labelCount; l++) {
            int k = 4 * l;
            String name = ascii(labelBounds[k], labelBounds[k + 1]);
            if (isDuplicateName(l)) {
                throw error("label name \"" + name + "\" is not unique");
            }
            builder.set(name, labelValue(l));
        }
        return builder.build();
    }

    private boolean isDuplicateName(int l) {
        int start = labelBounds[4 * l];
        int len = labelBounds[4 * l + 1] - start;
        if (Arrays.equals(b, start, start + len, NAME_LABEL, 0, NAME_LABEL.length)) {
            return true;
        }
        for (int other = 0; other < l; other++) {
            int os = labelBounds[4 * other];
            if (Arrays.equals(b, start, start + len, b, os, labelBounds[4 * other + 1])) {
                return true;
            }
        }
        return false;
    }

    private String labelValue(int l) {
        int start = labelBounds[4 * l + 2];
        int end = labelBounds[4 * l + 3];
        if (!valueNeedsDecoding[l]) {
            return ascii(start, end);
        }
        if (scratch.length < end - start) {
            scratch = new byte[Math.max(end - start, 2 * scratch.length)];
        }
        int n = 0;
        for (int i = start; i < end; i++) {
            byte c = b[i];
            if (c == '\\') {
                byte escaped = b[++i];
                c = escaped == 'n' ? (byte) '\n' : escaped;
            }
            scratch[n++] = c;
        }
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public String help() {
        StringBuilder sb = new StringBuilder(helpEnd - helpStart);
        String raw = utf8(helpStart, helpEnd);
        // HELP text escapes only backslash and newline; anything else stays as written.
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                char n = raw.charAt(i + 1);
                if (n == '\\' || n == 'n') {
                    sb.append(n == 'n' ? '\n' : '\\');
                    i++;
                    continue;
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    @Override
    public String metadataMetric() {
        return ascii(metadataStart, metadataEnd);
    }

    @Override
    public MetricType type() {
        return type;
    }

    @Override
    public byte[] buffer() {
        return b;
    }

    @Override
    public int seriesStart() {
        return seriesStart;
    }

    @Override
    public int seriesEnd() {
        return seriesEnd;
    }

    @Override
    public double value() {
        return value;
    }

    @Override
    public boolean hasTimestamp() {
        return hasTimestamp;
    }

    @Override
    public long timestampMs() {
        return timestampMs;
    }

    @Override
    public int line() {
        return lineNumber;
    }

    private int scanMetricName(int i) {
        if (i >= lineEnd || !isMetricNameStart(b[i])) {
            return i;
        }
        i++;
        while (i < lineEnd && (isMetricNameStart(b[i]) || Numbers.isDigit(b[i]))) {
            i++;
        }
        return i;
    }

    private static boolean isMetricNameStart(byte c) {
        return isLabelNameStart(c) || c == ':';
    }

    private static boolean isLabelNameStart(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isLabelNameChar(byte c) {
        return isLabelNameStart(c) || Numbers.isDigit(c);
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t';
    }

    private int skipBlanks(int i) {
        while (i < lineEnd && isBlank(b[i])) {
            i++;
        }
        return i;
    }

    private int skipNonBlanks(int i) {
        while (i < lineEnd && !isBlank(b[i])) {
            i++;
        }
        return i;
    }

    private boolean isWord(int start, int end, String word) {
        return end - start == word.length() && ascii(start, end).equals(word);
    }

    private String ascii(int start, int end) {
        return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    private String utf8(int start, int end) {
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }

    private String describe(int i) {
        return i >= lineEnd ? "end of line" : "\"" + utf8(i, Math.min(i + 1, lineEnd)) + "\"";
    }

    private TextParseException error(String problem) {
        String line = utf8(lineStart, lineEnd);
        if (line.length() > SNIPPET_CHARS) {
            line = line.substring(0, SNIPPET_CHARS) + "…";
        }
        return new TextParseException(lineNumber, problem + " while parsing: \"" + line + "\"");
    }
}
