package io.promlite.promql.parser;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a PromQL query into tokens. Hand-written, one pass; errors carry the offending offset.
 */
final class Lexer {
    private static final Map<String, TokenType> KEYWORDS = Map.ofEntries(
            Map.entry("and", TokenType.AND),
            Map.entry("or", TokenType.OR),
            Map.entry("unless", TokenType.UNLESS),
            Map.entry("atan2", TokenType.ATAN2),
            Map.entry("by", TokenType.BY),
            Map.entry("without", TokenType.WITHOUT),
            Map.entry("on", TokenType.ON),
            Map.entry("ignoring", TokenType.IGNORING),
            Map.entry("group_left", TokenType.GROUP_LEFT),
            Map.entry("group_right", TokenType.GROUP_RIGHT),
            Map.entry("bool", TokenType.BOOL),
            Map.entry("offset", TokenType.OFFSET),
            Map.entry("start", TokenType.START),
            Map.entry("end", TokenType.END));

    private final String input;
    private int pos;
    private final List<Token> tokens = new ArrayList<>();
    private int parenDepth;
    private boolean inBraces;
    private boolean inBrackets;

    private Lexer(String input) {
        this.input = input;
    }

    /**
     * Lexes the whole query. A lexical error becomes a final ERROR token rather than an exception,
     * so a parse error earlier in the query is still reported first, as Prometheus's lazy lexer does.
     */
    static List<Token> lex(String input) {
        Lexer l = new Lexer(input);
        try {
            l.run();
        } catch (LexError e) {
            l.tokens.add(new Token(TokenType.ERROR, e.getMessage(), e.pos));
        }
        return l.tokens;
    }

    private static final class LexError extends RuntimeException {
        final int pos;

        LexError(int pos, String message) {
            super(message, null, false, false);
            this.pos = pos;
        }
    }

    private LexError error(int at, String message) {
        return new LexError(at, message);
    }

    private void run() {
        while (true) {
            skipSpaceAndComments();
            if (pos >= input.length()) {
                if (inBraces) {
                    throw error(pos, "unexpected end of input inside braces");
                }
                if (inBrackets) {
                    throw error(pos, "unclosed left bracket");
                }
                if (parenDepth > 0) {
                    throw error(pos, "unclosed left parenthesis");
                }
                tokens.add(new Token(TokenType.EOF, "", pos));
                return;
            }
            int start = pos;
            char c = input.charAt(pos);
            if (c == '"' || c == '\'' || c == '`') {
                String s = lexString(c);
                tokens.add(new Token(TokenType.STRING, s, start));
            } else if (isDigit(c) || (c == '.' && pos + 1 < input.length() && isDigit(input.charAt(pos + 1)))) {
                lexNumberOrDuration();
            } else if (inBraces && !isAllowedInBraces(c)) {
                throw error(start, "unexpected character inside braces: " + quoteChar(c));
            } else if (isIdentStart(c) && !(inBrackets && c == ':')) {
                lexIdentifier();
            } else {
                lexOperator(c);
            }
        }
    }

    /** Inside a selector's braces only label names, strings, matcher operators and punctuation may appear. */
    private static boolean isAllowedInBraces(char c) {
        return (isIdentStart(c) && c != ':') || isDigit(c) || c == '"' || c == '\'' || c == '`' || c == '='
                || c == '!' || c == '~' || c == ',' || c == '{' || c == '}' || c == '[' || c == ']';
    }

    private void skipSpaceAndComments() {
        while (pos < input.length()) {
            char c = input.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (pos < input.length() && input.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private void lexOperator(char c) {
        int start = pos;
        char n = pos + 1 < input.length() ? input.charAt(pos + 1) : 0;
        TokenType t;
        int len = 1;
        switch (c) {
            case '(' -> {
                t = TokenType.LEFT_PAREN;
                parenDepth++;
            }
            case ')' -> {
                t = TokenType.RIGHT_PAREN;
                if (parenDepth == 0) {
                    // Prometheus reports this one just past the parenthesis.
                    throw error(start + 1, "unexpected right parenthesis ')'");
                }
                parenDepth--;
            }
            case '{' -> {
                t = TokenType.LEFT_BRACE;
                if (inBraces) {
                    throw error(start, "unexpected left brace '{'");
                }
                inBraces = true;
            }
            case '}' -> {
                t = TokenType.RIGHT_BRACE;
                if (!inBraces) {
                    throw error(start, "unexpected right brace '}'");
                }
                inBraces = false;
            }
            case '[' -> {
                t = TokenType.LEFT_BRACKET;
                if (inBrackets) {
                    throw error(start, "unexpected left bracket '['");
                }
                inBrackets = true;
            }
            case ']' -> {
                t = TokenType.RIGHT_BRACKET;
                if (!inBrackets) {
                    throw error(start, "unexpected right bracket ']'");
                }
                inBrackets = false;
            }
            case ',' -> t = TokenType.COMMA;
            case ':' -> t = TokenType.COLON;
            case '@' -> t = TokenType.AT;
            case '+' -> t = TokenType.ADD;
            case '-' -> t = TokenType.SUB;
            case '*' -> t = TokenType.MUL;
            case '/' -> t = TokenType.DIV;
            case '%' -> t = TokenType.MOD;
            case '^' -> t = TokenType.POW;
            case '=' -> {
                if (n == '=') {
                    t = TokenType.EQLC;
                    len = 2;
                } else if (n == '~') {
                    t = TokenType.EQL_REGEX;
                    len = 2;
                } else {
                    t = TokenType.ASSIGN;
                }
            }
            case '!' -> {
                if (n == '=') {
                    t = TokenType.NEQ;
                } else if (n == '~') {
                    t = TokenType.NEQ_REGEX;
                } else {
                    throw error(start, "unexpected character after '!': " + quoteChar(n));
                }
                len = 2;
            }
            case '<' -> {
                if (n == '=') {
                    t = TokenType.LTE;
                    len = 2;
                } else {
                    t = TokenType.LSS;
                }
            }
            case '>' -> {
                if (n == '=') {
                    t = TokenType.GTE;
                    len = 2;
                } else {
                    t = TokenType.GTR;
                }
            }
            default -> throw error(start, "unexpected character: " + quoteChar(c));
        }
        pos += len;
        tokens.add(new Token(t, input.substring(start, pos), start));
    }

    private static String quoteChar(char c) {
        return c == 0 ? "end of input" : "'" + c + "'";
    }

    private void lexIdentifier() {
        int start = pos;
        boolean colon = false;
        while (pos < input.length() && isIdentPart(input.charAt(pos))) {
            if (input.charAt(pos) == ':' && inBraces) {
                throw error(pos, "unexpected character inside braces: ':'");
            }
            colon |= input.charAt(pos) == ':';
            pos++;
        }
        String word = input.substring(start, pos);
        String lower = word.toLowerCase(Locale.ROOT);
        TokenType kw = KEYWORDS.get(lower);
        if (kw != null) {
            tokens.add(new Token(kw, word, start));
        } else if (AggregateOp.byName(lower) != null) {
            tokens.add(new Token(TokenType.AGGREGATOR, word, start));
        } else if (lower.equals("inf") || lower.equals("nan")) {
            tokens.add(new Token(TokenType.NUMBER, word, start));
        } else {
            tokens.add(new Token(colon ? TokenType.METRIC_IDENTIFIER : TokenType.IDENTIFIER, word, start));
        }
    }

    private void lexNumberOrDuration() {
        int start = pos;
        if (input.startsWith("0x", pos) || input.startsWith("0X", pos)) {
            pos += 2;
            while (pos < input.length() && Character.digit(input.charAt(pos), 16) >= 0) {
                pos++;
            }
        } else {
            boolean durationCandidate = true;
            while (pos < input.length() && isDigit(input.charAt(pos))) {
                pos++;
            }
            if (pos < input.length() && input.charAt(pos) == '.') {
                durationCandidate = false;
                pos++;
                while (pos < input.length() && isDigit(input.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < input.length() && (input.charAt(pos) == 'e' || input.charAt(pos) == 'E')) {
                int save = pos;
                pos++;
                if (pos < input.length() && (input.charAt(pos) == '+' || input.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos < input.length() && isDigit(input.charAt(pos))) {
                    durationCandidate = false;
                    while (pos < input.length() && isDigit(input.charAt(pos))) {
                        pos++;
                    }
                } else {
                    pos = save;
                }
            }
            if (durationCandidate && pos < input.length() && isDurationUnitStart(input.charAt(pos))) {
                pos = start;
                lexDuration();
                return;
            }
        }
        if (pos < input.length() && isAlphaNumericOrDot(input.charAt(pos))) {
            pos++;
            throw error(start, "bad number or duration syntax: \"" + input.substring(start, pos) + "\"");
        }
        tokens.add(new Token(TokenType.NUMBER, input.substring(start, pos), start));
    }

    private void lexDuration() {
        int start = pos;
        while (pos < input.length() && (isDigit(input.charAt(pos)) || isDurationUnitStart(input.charAt(pos))
                || input.charAt(pos) == 's')) {
            pos++;
        }
        if (pos < input.length() && isAlphaNumericOrDot(input.charAt(pos))) {
            pos++;
            throw error(start, "bad number or duration syntax: \"" + input.substring(start, pos) + "\"");
        }
        String text = input.substring(start, pos);
        try {
            Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(start, "bad number or duration syntax: \"" + text + "\"");
        }
        tokens.add(new Token(TokenType.DURATION, text, start));
    }

    private static boolean isDurationUnitStart(char c) {
        return c == 'm' || c == 's' || c == 'h' || c == 'd' || c == 'w' || c == 'y';
    }

    /** Reads a quoted string, unescaping as Go's strconv.Unquote does (raw strings keep everything). */
    private String lexString(char quote) {
        int start = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        ByteRun bytes = new ByteRun();
        while (true) {
            if (pos >= input.length()) {
                throw error(start, "unterminated quoted string");
            }
            char c = input.charAt(pos);
            if (c == quote) {
                pos++;
                bytes.flushTo(sb);
                return sb.toString();
            }
            if (quote != '`' && c == '\n') {
                throw error(start, "unterminated quoted string");
            }
            if (c == '\\' && quote != '`') {
                pos++;
                readEscape(sb, bytes, quote, start);
                continue;
            }
            bytes.flushTo(sb);
            sb.append(c);
            pos++;
        }
    }

    private void readEscape(StringBuilder sb, ByteRun bytes, char quote, int stringStart) {
        if (pos >= input.length()) {
            throw error(stringStart, "unterminated quoted string");
        }
        char c = input.charAt(pos++);
        if (c == 'x') {
            bytes.add(readHex(2, stringStart));
            return;
        }
        if (c >= '0' && c <= '7') {
            int v = c - '0';
            for (int i = 0; i < 2; i++) {
                if (pos >= input.length() || input.charAt(pos) < '0' || input.charAt(pos) > '7') {
                    throw error(stringStart, "unknown escape sequence");
                }
                v = v * 8 + (input.charAt(pos++) - '0');
            }
            if (v > 255) {
                throw error(stringStart, "unknown escape sequence");
            }
            bytes.add(v);
            return;
        }
        bytes.flushTo(sb);
        switch (c) {
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'v' -> sb.append('\u000b');
            case '\\' -> sb.append('\\');
            case '"', '\'' -> {
                if (c != quote) {
                    throw error(pos - 2, "unknown escape sequence");
                }
                sb.append(c);
            }
            case 'u' -> sb.appendCodePoint(readHex(4, stringStart));
            case 'U' -> sb.appendCodePoint(readHex(8, stringStart));
            default -> throw error(pos - 2, "unknown escape sequence");
        }
    }

    /**
     * Raw bytes from {@code \\x} and octal escapes. They are decoded as UTF-8 when the run ends;
     * bytes that are not valid UTF-8 become the lone surrogates U+DC80..U+DCFF (as Python's
     * surrogateescape does), so later validation can reject them and errors can print them back.
     */
    private static final class ByteRun {
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        void add(int b) {
            buf.write(b);
        }

        void flushTo(StringBuilder sb) {
            if (buf.size() == 0) {
                return;
            }
            byte[] b = buf.toByteArray();
            buf.reset();
            int i = 0;
            while (i < b.length) {
                int len = utf8Length(b, i);
                if (len == 0) {
                    sb.append((char) (0xDC00 | (b[i] & 0xFF)));
                    i++;
                } else {
                    sb.append(new String(b, i, len, java.nio.charset.StandardCharsets.UTF_8));
                    i += len;
                }
            }
        }

        /** The length of the valid UTF-8 sequence at {@code i}, or 0 when it is not one. */
        private static int utf8Length(byte[] b, int i) {
            int c = b[i] & 0xFF;
            int len;
            int min;
            if (c < 0x80) {
                return 1;
            } else if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                min = 0x10000;
            } else {
                return 0;
            }
            if (i + len > b.length) {
                return 0;
            }
            int cp = c & (0xFF >> (len + 1));
            for (int k = 1; k < len; k++) {
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    return 0;
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return 0;
            }
            return len;
        }
    }

    private int readHex(int digits, int stringStart) {
        int v = 0;
        for (int i = 0; i < digits; i++) {
            if (pos >= input.length() || Character.digit(input.charAt(pos), 16) < 0) {
                throw error(stringStart, "unknown escape sequence");
            }
            v = v * 16 + Character.digit(input.charAt(pos++), 16);
        }
        if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF && digits > 2)) {
            throw error(stringStart, "unknown escape sequence");
        }
        return v;
    }

    private static boolean isAlphaNumericOrDot(char c) {
        return isIdentPart(c) && c != ':' || c == '.';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c);
    }
}
