package io.promlite.promql.parser;

import io.promlite.promql.PromqlException;
import io.promlite.promql.parser.Expr.Aggregate;
import io.promlite.promql.parser.Expr.At;
import io.promlite.promql.parser.Expr.Binary;
import io.promlite.promql.parser.Expr.Call;
import io.promlite.promql.parser.Expr.MatrixSelector;
import io.promlite.promql.parser.Expr.Negation;
import io.promlite.promql.parser.Expr.NumberLiteral;
import io.promlite.promql.parser.Expr.Paren;
import io.promlite.promql.parser.Expr.StringLiteral;
import io.promlite.promql.parser.Expr.Subquery;
import io.promlite.promql.parser.Expr.VectorMatching;
import io.promlite.promql.parser.Expr.VectorMatching.Cardinality;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * A recursive-descent parser with precedence climbing for binary operators. It type-checks as
 * it builds, so a returned tree is well-typed; every problem is a {@link PromqlException} of kind
 * BAD_DATA with Prometheus's {@code LINE:COL: parse error: …} text.
 */
public final class Parser {
    /** Deep enough for any real query, shallow enough never to exhaust the thread's stack. */
    private static final int MAX_DEPTH = 400;

    private final String input;
    private final List<Token> tokens;
    private final long queryStepMs;
    private final long queryRangeMs;
    private int index;
    private int depth;

    private Parser(String input, long queryStepMs, long queryRangeMs) {
        this.input = input;
        this.tokens = Lexer.lex(input);
        this.queryStepMs = queryStepMs;
        this.queryRangeMs = queryRangeMs;
    }

    /** Parses and type-checks a query outside any query context ({@code step()} and {@code range()} are 0). */
    public static Expr parse(String query) {
        return parse(query, 0, 0);
    }

    /**
     * Parses and type-checks a query that will run with the given step and range (both 0 for an
     * instant query); duration expressions such as {@code [step()*2]} resolve against them.
     */
    public static Expr parse(String query, long queryStepMs, long queryRangeMs) {
        Parser p = new Parser(query, queryStepMs, queryRangeMs);
        if (p.peek().type() == TokenType.EOF) {
            throw p.error(p.peek().pos(), "no expression found in input");
        }
        Expr e = p.expr();
        if (p.peek().type() != TokenType.EOF) {
            throw p.unexpected(p.peek(), null);
        }
        return e;
    }

    // ---- token helpers

    private Token peek() {
        Token t = tokens.get(index);
        if (t.type() == TokenType.ERROR) {
            throw error(t.pos(), t.text());
        }
        return t;
    }

    private Token next() {
        Token t = peek();
        if (t.type() != TokenType.EOF) {
            index++;
        }
        return t;
    }

    private Token expect(TokenType type, String context) {
        Token t = peek();
        if (t.type() != type) {
            throw unexpected(t, context);
        }
        return next();
    }

    private PromqlException error(int pos, String message) {
        return ParseException.at(input, pos, message);
    }

    private PromqlException unexpected(Token t, String context) {
        StringBuilder sb = new StringBuilder("unexpected ").append(describe(t));
        if (context != null) {
            sb.append(' ').append(context);
        }
        return error(t.pos(), sb.toString());
    }

    private static String describe(Token t) {
        return switch (t.type()) {
            case EOF -> "end of input";
            case IDENTIFIER, METRIC_IDENTIFIER, NUMBER, DURATION, STRING ->
                    t.type().description() + " \"" + t.text() + "\"";
            case AGGREGATOR -> "<aggr:" + t.text() + ">";
            case LEFT_PAREN, RIGHT_PAREN, LEFT_BRACE, RIGHT_BRACE, LEFT_BRACKET, RIGHT_BRACKET, COMMA, COLON,
                    AT, ASSIGN -> "\"" + t.text() + "\"";
            default -> t.type().isKeyword() && BinaryOp.of(t.type()) == null
                    ? "<" + t.text() + ">" : "<op:" + t.text() + ">";
        };
    }

    // ---- expressions

    private Expr expr() {
        if (++depth > MAX_DEPTH) {
            throw error(peek().pos(), "expression nesting too deep");
        }
        try {
            return binary(1);
        } finally {
            depth--;
        }
    }

    private Expr binary(int minPrecedence) {
        Expr lhs = unary();
        while (true) {
            Token opToken = peek();
            BinaryOp op = BinaryOp.of(opToken.type());
            if (op == null || op.precedence() < minPrecedence) {
                return lhs;
            }
            next();
            boolean returnBool = false;
            if (peek().type() == TokenType.BOOL) {
                next();
                returnBool = true;
            }
            VectorMatching matching = matching(op);
            Expr rhs;
            if (++depth > MAX_DEPTH) {
                throw error(peek().pos(), "expression nesting too deep");
            }
            try {
                rhs = binary(op.rightAssociative() ? op.precedence() : op.precedence() + 1);
            } finally {
                depth--;
            }
            lhs = checkBinary(new Binary(op, lhs, rhs, matching, returnBool, lhs.pos()), opToken);
        }
    }

    private VectorMatching matching(BinaryOp op) {
        Cardinality card = op.isSetOperator() ? Cardinality.MANY_TO_MANY : Cardinality.ONE_TO_ONE;
        List<String> labels = List.of();
        boolean on = false;
        boolean explicit = false;
        List<String> include = List.of();
        if (peek().type() == TokenType.ON || peek().type() == TokenType.IGNORING) {
            on = next().type() == TokenType.ON;
            labels = labelList("grouping opts");
            explicit = true;
            if (peek().type() == TokenType.GROUP_LEFT || peek().type() == TokenType.GROUP_RIGHT) {
                Token g = next();
                if (op.isSetOperator()) {
                    throw error(g.pos(), "no grouping allowed for \"" + op.symbol() + "\" operation");
                }
                card = g.type() == TokenType.GROUP_LEFT ? Cardinality.MANY_TO_ONE : Cardinality.ONE_TO_MANY;
                if (peek().type() == TokenType.LEFT_PAREN) {
                    include = labelList("grouping opts");
                }
            }
        }
        for (String l : labels) {
            if (on && include.contains(l)) {
                throw error(peek().pos(), "label \"" + l + "\" must not occur in ON and GROUP clause at once");
            }
        }
        Double fillLeft = null;
        Double fillRight = null;
        while (isFillModifier(peek())) {
            Token f = next();
            String kind = f.text().toLowerCase(java.util.Locale.ROOT);
            if (op.isSetOperator()) {
                throw error(f.pos(), "fill modifiers are not allowed for \"" + op.symbol() + "\" operation");
            }
            expect(TokenType.LEFT_PAREN, "in fill modifier");
            double sign = 1;
            if (peek().type() == TokenType.SUB || peek().type() == TokenType.ADD) {
                sign = next().type() == TokenType.SUB ? -1 : 1;
            }
            double value = sign * parseNumber(expect(TokenType.NUMBER, "in fill modifier"));
            expect(TokenType.RIGHT_PAREN, "in fill modifier");
            if (!kind.equals("fill_right")) {
                fillLeft = value;
            }
            if (!kind.equals("fill_left")) {
                fillRight = value;
            }
            explicit = true;
        }
        return explicit || op.isSetOperator()
                ? new VectorMatching(card, labels, on, include, fillLeft, fillRight) : null;
    }

    /** {@code fill(}, {@code fill_left(} or {@code fill_right(} right after an operator; a bare name is a metric. */
    private boolean isFillModifier(Token t) {
        if (t.type() != TokenType.IDENTIFIER || tokens.get(index + 1).type() != TokenType.LEFT_PAREN) {
            return false;
        }
        String name = t.text().toLowerCase(java.util.Locale.ROOT);
        return name.equals("fill") || name.equals("fill_left") || name.equals("fill_right");
    }

    private Expr checkBinary(Binary b, Token opToken) {
        BinaryOp op = b.op();
        ValueType lt = b.lhs().type();
        ValueType rt = b.rhs().type();
        boolean lScalarOrVec = lt == ValueType.SCALAR || lt == ValueType.VECTOR;
        boolean rScalarOrVec = rt == ValueType.SCALAR || rt == ValueType.VECTOR;
        if (!lScalarOrVec || !rScalarOrVec) {
            throw error(b.pos(), "binary expression must contain only scalar and instant vector types");
        }
        if (b.returnBool() && !op.isComparison()) {
            throw error(opToken.pos(), "bool modifier can only be used on comparison operators");
        }
        if (op.isComparison() && !b.returnBool() && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
            throw error(opToken.pos(), "comparisons between scalars must use BOOL modifier");
        }
        if (op.isSetOperator()) {
            if (lt == ValueType.SCALAR || rt == ValueType.SCALAR) {
                throw error(b.pos(), "set operator \"" + op.symbol() + "\" not allowed in binary scalar expression");
            }
        }
        VectorMatching m = b.matching();
        if (m != null && !op.isSetOperator() && (lt != ValueType.VECTOR || rt != ValueType.VECTOR)) {
            throw error(b.pos(), "vector matching only allowed between instant vectors");
        }
        return b;
    }

    private Expr unary() {
        Token t = peek();
        if (t.type() == TokenType.ADD || t.type() == TokenType.SUB) {
            next();
            Expr operand;
            if (++depth > MAX_DEPTH) {
                throw error(t.pos(), "expression nesting too deep");
            }
            try {
                operand = binary(BinaryOp.POW.precedence());
            } finally {
                depth--;
            }
            if (operand.type() != ValueType.SCALAR && operand.type() != ValueType.VECTOR) {
                throw error(t.pos(), "unary expression only allowed on expressions of type scalar or instant vector, got \""
                        + operand.type().description() + "\"");
            }
            if (operand instanceof NumberLiteral n) {
                return new NumberLiteral(t.type() == TokenType.SUB ? -n.value() : n.value(), t.pos());
            }
            return t.type() == TokenType.SUB ? new Negation(operand, t.pos()) : operand;
        }
        return postfix(primary());
    }

    /** Range brackets, subqueries, offset and {@code @} after a primary expression. */
    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            switch (t.type()) {
                case LEFT_BRACKET -> e = rangeOrSubquery(e);
                case OFFSET -> e = offset(e);
                case AT -> e = at(e);
                case IDENTIFIER -> {
                    if (!isSelectorMode(t) || !(e instanceof VectorSelector || e instanceof MatrixSelector)) {
                        return e;
                    }
                    e = selectorMode(e);
                }
                default -> {
                    return e;
                }
            }
        }
    }

    private static boolean isSelectorMode(Token t) {
        String w = t.text().toLowerCase(java.util.Locale.ROOT);
        return w.equals("anchored") || w.equals("smoothed");
    }

    /** The experimental {@code anchored} / {@code smoothed} modifiers after a selector. */
    private Expr selectorMode(Expr e) {
        Token t = next();
        Expr.SelectorMode mode = t.text().equalsIgnoreCase("anchored") ? Expr.SelectorMode.ANCHORED
                : Expr.SelectorMode.SMOOTHED;
        VectorSelector vs = e instanceof MatrixSelector ms ? ms.selector() : (VectorSelector) e;
        if (vs.mode() != Expr.SelectorMode.PLAIN) {
            throw error(t.pos(), "anchored and smoothed modifiers may be used only once and not together");
        }
        if (e instanceof VectorSelector) {
            if (mode == Expr.SelectorMode.ANCHORED) {
                throw error(t.pos(), "anchored modifier can only be used with range vector selectors");
            }
            return vs.withMode(mode);
        }
        MatrixSelector ms = (MatrixSelector) e;
        return new MatrixSelector(vs.withMode(mode), ms.rangeMs(), ms.pos());
    }

    private Expr rangeOrSubquery(Expr e) {
        Token open = next();
        long range = durationExpr("in subquery or range selector");
        if (peek().type() == TokenType.COLON) {
            next();
            long step = 0;
            if (peek().type() != TokenType.RIGHT_BRACKET) {
                step = durationExpr("in subquery");
                if (step <= 0) {
                    throw error(open.pos(), "zero or negative step is not allowed in subquery");
                }
            }
            expect(TokenType.RIGHT_BRACKET, "in subquery");
            if (e.type() != ValueType.VECTOR) {
                throw error(e.pos(), "subquery is only allowed on instant vector, got " + e.type().description()
                        + " instead");
            }
            if (range <= 0) {
                throw error(open.pos(), "range of subquery must be positive");
            }
            return new Subquery(e, range, step, 0, null, e.pos());
        }
        expect(TokenType.RIGHT_BRACKET, "in range selector");
        if (!(e instanceof VectorSelector vs)) {
            throw error(e.pos(), "ranges only allowed for vector selectors");
        }
        if (vs.offsetMs() != 0 || vs.at() != null || vs.mode() != Expr.SelectorMode.PLAIN) {
            throw error(open.pos(), "no offset or @ modifiers allowed before range");
        }
        if (range <= 0) {
            throw error(open.pos(), "range must be positive");
        }
        return new MatrixSelector(vs, range, e.pos());
    }

    /**
     * A duration expression in brackets: durations and numbers (seconds) combined with
     * {@code + - * / % ^}, parentheses, {@code step()}, {@code range()}, {@code min_of} and
     * {@code max_of}. Resolved to milliseconds now, since the query's step and range are known.
     */
    private long durationExpr(String context) {
        return toMillis(durAdditive(context), peek());
    }

    private long toMillis(double seconds, Token at) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds) || Math.abs(seconds) > 9.2e15) {
            throw error(at.pos(), "duration out of range");
        }
        return Math.round(seconds * 1000);
    }

    private double durAdditive(String context) {
        double v = durMultiplicative(context);
        while (peek().type() == TokenType.ADD || peek().type() == TokenType.SUB) {
            boolean add = next().type() == TokenType.ADD;
            double r = durMultiplicative(context);
            v = add ? v + r : v - r;
        }
        return v;
    }

    private double durMultiplicative(String context) {
        double v = durUnary(context);
        while (peek().type() == TokenType.MUL || peek().type() == TokenType.DIV || peek().type() == TokenType.MOD) {
            Token op = next();
            double r = durUnary(context);
            if (op.type() != TokenType.MUL && r == 0) {
                throw error(op.pos(), "division by zero");
            }
            v = op.type() == TokenType.MUL ? v * r : op.type() == TokenType.DIV ? v / r : v % r;
        }
        return v;
    }

    private double durUnary(String context) {
        if (peek().type() == TokenType.SUB || peek().type() == TokenType.ADD) {
            boolean neg = next().type() == TokenType.SUB;
            double v = durUnary(context);
            return neg ? -v : v;
        }
        return durPower(context);
    }

    private double durPower(String context) {
        double base = durAtom(context);
        if (peek().type() == TokenType.POW) {
            next();
            return Math.pow(base, durUnary(context));
        }
        return base;
    }

    private double durAtom(String context) {
        Token t = peek();
        switch (t.type()) {
            case DURATION -> {
                next();
                return Durations.parse(t.text()) / 1000.0;
            }
            case NUMBER -> {
                next();
                return parseNumber(t);
            }
            case LEFT_PAREN -> {
                next();
                if (++depth > MAX_DEPTH) {
                    throw error(t.pos(), "expression nesting too deep");
                }
                try {
                    double v = durAdditive(context);
                    expect(TokenType.RIGHT_PAREN, context);
                    return v;
                } finally {
                    depth--;
                }
            }
            case IDENTIFIER -> {
                String name = t.text().toLowerCase(java.util.Locale.ROOT);
                if (!name.equals("step") && !name.equals("range") && !name.equals("min_of") && !name.equals("max_of")) {
                    throw unexpected(t, context);
                }
                next();
                expect(TokenType.LEFT_PAREN, context);
                if (name.equals("step") || name.equals("range")) {
                    expect(TokenType.RIGHT_PAREN, context);
                    return (name.equals("step") ? queryStepMs : queryRangeMs) / 1000.0;
                }
                double a = durAdditive(context);
                expect(TokenType.COMMA, context);
                double b = durAdditive(context);
                expect(TokenType.RIGHT_PAREN, context);
                if (Double.isNaN(a) || Double.isNaN(b)) {
                    return Double.NaN;
                }
                return name.equals("min_of") ? Math.min(a, b) : Math.max(a, b);
            }
            default -> throw unexpected(t, context);
        }
    }

    private Expr offset(Expr e) {
        Token kw = next();
        // Only one operand binds to offset: "x offset 1m + 2" is "(x offset 1m) + 2".
        double sign = 1;
        if (peek().type() == TokenType.SUB || peek().type() == TokenType.ADD) {
            sign = next().type() == TokenType.SUB ? -1 : 1;
        }
        long off = toMillis(sign * durAtom("in offset"), kw);
        if (e instanceof VectorSelector vs) {
            if (vs.offsetMs() != 0) {
                throw error(kw.pos(), "offset may not be set multiple times");
            }
            return vs.withOffset(off);
        }
        if (e instanceof MatrixSelector ms) {
            if (ms.selector().offsetMs() != 0) {
                throw error(kw.pos(), "offset may not be set multiple times");
            }
            return new MatrixSelector(ms.selector().withOffset(off), ms.rangeMs(), ms.pos());
        }
        if (e instanceof Subquery sq) {
            if (sq.offsetMs() != 0) {
                throw error(kw.pos(), "offset may not be set multiple times");
            }
            return new Subquery(sq.expr(), sq.rangeMs(), sq.stepMs(), off, sq.at(), sq.pos());
        }
        throw error(kw.pos(),
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    }

    private Expr at(Expr e) {
        Token kw = next();
        At at;
        Token t = peek();
        if (t.type() == TokenType.START || t.type() == TokenType.END) {
            next();
            expect(TokenType.LEFT_PAREN, "in @");
            expect(TokenType.RIGHT_PAREN, "in @");
            at = new At(t.type() == TokenType.START ? At.Kind.START : At.Kind.END, 0);
        } else {
            double sign = 1;
            if (t.type() == TokenType.SUB || t.type() == TokenType.ADD) {
                sign = next().type() == TokenType.SUB ? -1 : 1;
            }
            Token n = peek();
            double seconds;
            if (n.type() == TokenType.NUMBER) {
                seconds = sign * parseNumber(next());
            } else if (n.type() == TokenType.DURATION) {
                seconds = sign * Durations.parse(next().text()) / 1000.0;
            } else {
                throw unexpected(n, "in @");
            }
            if (Double.isNaN(seconds) || Double.isInfinite(seconds) || Math.abs(seconds) > 9.2e15) {
                throw error(n.pos(), "timestamp out of bounds for @ modifier: " + formatGo(seconds));
            }
            at = new At(At.Kind.TIMESTAMP, Math.round(seconds * 1000));
        }
        if (e instanceof VectorSelector vs) {
            if (vs.at() != null) {
                throw error(kw.pos(), "@ <timestamp> may not be set multiple times");
            }
            return vs.withAt(at);
        }
        if (e instanceof MatrixSelector ms) {
            if (ms.selector().at() != null) {
                throw error(kw.pos(), "@ <timestamp> may not be set multiple times");
            }
            return new MatrixSelector(ms.selector().withAt(at), ms.rangeMs(), ms.pos());
        }
        if (e instanceof Subquery sq) {
            if (sq.at() != null) {
                throw error(kw.pos(), "@ <timestamp> may not be set multiple times");
            }
            return new Subquery(sq.expr(), sq.rangeMs(), sq.stepMs(), sq.offsetMs(), at, sq.pos());
        }
        throw error(kw.pos(),
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    }

    private static String formatGo(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return String.format("%f", v);
    }

    private Expr primary() {
        Token t = peek();
        switch (t.type()) {
            case NUMBER -> {
                next();
                return new NumberLiteral(parseNumber(t), t.pos());
            }
            case DURATION -> {
                next();
                return new NumberLiteral(Durations.parse(t.text()) / 1000.0, t.pos());
            }
            case STRING -> {
                next();
                return new StringLiteral(t.text(), t.pos());
            }
            case LEFT_PAREN -> {
                next();
                Expr inner = expr();
                if (peek().type() == TokenType.EOF) {
                    throw error(peek().pos(), "unclosed left parenthesis");
                }
                expect(TokenType.RIGHT_PAREN, "in paren expression");
                return new Paren(inner, t.pos());
            }
            case LEFT_BRACE -> {
                return vectorSelector(null, t.pos(), true);
            }
            case IDENTIFIER, METRIC_IDENTIFIER -> {
                next();
                if (t.type() == TokenType.IDENTIFIER && peek().type() == TokenType.LEFT_PAREN) {
                    return call(t);
                }
                return vectorSelector(t.text(), t.pos(), true);
            }
            case AGGREGATOR -> {
                return aggregate();
            }
            case START, END -> {
                next();
                if (peek().type() != TokenType.LEFT_PAREN) {
                    throw unexpected(t, null);
                }
                return call(t);
            }
            case EOF -> throw error(t.pos(), "unexpected end of input");
            case RIGHT_PAREN -> throw error(t.pos(), "unexpected right parenthesis ')'");
            default -> throw unexpected(t, null);
        }
    }

    private double parseNumber(Token t) {
        String s = t.text();
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf")) {
            return Double.POSITIVE_INFINITY;
        }
        if (lower.equals("nan")) {
            return Double.NaN;
        }
        try {
            if (lower.startsWith("0x")) {
                return Long.parseLong(s.substring(2), 16);
            }
            if (s.length() > 1 && s.charAt(0) == '0' && s.chars().allMatch(c -> c >= '0' && c <= '7')) {
                return Long.parseLong(s, 8);
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error(t.pos(), "bad number or duration syntax: \"" + s + "\"");
        }
    }

    // ---- selectors

    private VectorSelector vectorSelector(String name, int pos, boolean requireSelective) {
        List<Matcher> matchers = new ArrayList<>();
        if (peek().type() == TokenType.LEFT_BRACE) {
            next();
            while (peek().type() != TokenType.RIGHT_BRACE) {
                Token labelTok = next();
                String label;
                if (labelTok.type() == TokenType.STRING) {
                    label = labelTok.text();
                    TokenType nt = peek().type();
                    if (nt == TokenType.COMMA || nt == TokenType.RIGHT_BRACE) {
                        // A lone quoted string names the metric: {"my.metric"}.
                        if (name != null) {
                            throw error(labelTok.pos(), "metric name must not be set twice: \"" + name + "\" or \""
                                    + label + "\"");
                        }
                        name = label;
                        commaOrEnd();
                        continue;
                    }
                } else if (isLabelNameToken(labelTok)) {
                    label = labelTok.text();
                } else if (labelTok.type() == TokenType.EOF) {
                    throw error(labelTok.pos(), "unexpected end of input inside braces");
                } else {
                    throw unexpected(labelTok, "in label matching, expected identifier or \"}\"");
                }
                Token opTok = next();
                Matcher.Type type = switch (opTok.type()) {
                    case ASSIGN -> Matcher.Type.EQUAL;
                    case NEQ -> Matcher.Type.NOT_EQUAL;
                    case EQL_REGEX -> Matcher.Type.REGEX;
                    case NEQ_REGEX -> Matcher.Type.NOT_REGEX;
                    case EOF -> throw error(opTok.pos(), "unexpected end of input inside braces");
                    default -> throw unexpected(opTok, "in label matching, expected label matching operator");
                };
                Token valueTok = next();
                if (valueTok.type() != TokenType.STRING) {
                    if (valueTok.type() == TokenType.EOF) {
                        throw error(valueTok.pos(), "unexpected end of input inside braces");
                    }
                    throw unexpected(valueTok, "in label matching, expected string");
                }
                try {
                    matchers.add(Matcher.of(type, label, valueTok.text()));
                } catch (PatternSyntaxException e) {
                    throw error(valueTok.pos(), "invalid regular expression in label matcher: " + e.getDescription());
                }
                commaOrEnd();
            }
            next();
        }
        if (name != null) {
            for (Matcher m : matchers) {
                if (m.name().equals(Labels.METRIC_NAME)) {
                    throw error(pos, "metric name must not be set twice: \"" + name + "\" or \"" + m.value() + "\"");
                }
            }
            matchers.add(0, Matcher.equal(Labels.METRIC_NAME, name));
        }
        boolean selective = false;
        for (Matcher m : matchers) {
            if (!m.matchesEmpty()) {
                selective = true;
                break;
            }
        }
        if (!selective && requireSelective) {
            throw error(pos, "vector selector must contain at least one non-empty matcher");
        }
        return new VectorSelector(name, List.copyOf(matchers), 0, null, Expr.SelectorMode.PLAIN, pos);
    }

    private void commaOrEnd() {
        Token t = peek();
        if (t.type() == TokenType.COMMA) {
            next();
        } else if (t.type() == TokenType.EOF) {
            throw error(t.pos(), "unexpected end of input inside braces");
        } else if (t.type() != TokenType.RIGHT_BRACE) {
            throw unexpected(t, "in label matching, expected \",\" or \"}\"");
        }
    }

    private static boolean isLabelNameToken(Token t) {
        return t.type() == TokenType.IDENTIFIER || t.type().isKeyword();
    }

    private List<String> labelList(String context) {
        expect(TokenType.LEFT_PAREN, context);
        List<String> labels = new ArrayList<>();
        while (peek().type() != TokenType.RIGHT_PAREN) {
            Token t = next();
            if (isLabelNameToken(t) || t.type() == TokenType.STRING) {
                labels.add(t.text());
            } else if (t.type() == TokenType.EOF) {
                throw error(t.pos(), "unexpected end of input inside parentheses");
            } else {
                throw unexpected(t, "in " + context + ", expected label");
            }
            if (peek().type() == TokenType.COMMA) {
                next();
            } else if (peek().type() != TokenType.RIGHT_PAREN) {
                throw unexpected(peek(), "in " + context + ", expected \",\" or \")\"");
            }
        }
        next();
        return List.copyOf(labels);
    }

    // ---- aggregations and calls

    private Expr aggregate() {
        Token opTok = next();
        AggregateOp op = AggregateOp.byName(opTok.text().toLowerCase(java.util.Locale.ROOT));
        List<String> grouping = List.of();
        boolean without = false;
        boolean groupingSeen = false;
        if (peek().type() == TokenType.BY || peek().type() == TokenType.WITHOUT) {
            without = next().type() == TokenType.WITHOUT;
            grouping = labelList("grouping opts");
            groupingSeen = true;
        }
        if (peek().type() != TokenType.LEFT_PAREN) {
            throw unexpected(peek(), "in aggregation");
        }
        List<Expr> args = arguments("aggregation");
        if (!groupingSeen && (peek().type() == TokenType.BY || peek().type() == TokenType.WITHOUT)) {
            without = next().type() == TokenType.WITHOUT;
            grouping = labelList("grouping opts");
        }
        int expected = op.paramType() == null ? 1 : 2;
        if (args.size() != expected) {
            throw error(opTok.pos(), "wrong number of arguments for aggregate expression provided, expected "
                    + expected + ", got " + args.size());
        }
        Expr param = expected == 2 ? args.get(0) : null;
        Expr inner = args.get(expected - 1);
        if (inner.type() != ValueType.VECTOR) {
            throw error(inner.pos(), "expected type instant vector in aggregation expression, got "
                    + inner.type().description());
        }
        if (param != null && param.type() != op.paramType()) {
            throw error(param.pos(), "expected type " + op.paramType().description()
                    + " in aggregation parameter, got " + param.type().description());
        }
        return new Aggregate(op, inner, param, grouping, without, opTok.pos());
    }

    private List<Expr> arguments(String context) {
        expect(TokenType.LEFT_PAREN, context);
        List<Expr> args = new ArrayList<>();
        if (peek().type() == TokenType.RIGHT_PAREN) {
            next();
            return args;
        }
        while (true) {
            args.add(expr());
            Token t = peek();
            if (t.type() == TokenType.COMMA) {
                next();
                if (peek().type() == TokenType.RIGHT_PAREN) {
                    next();
                    return args;
                }
            } else if (t.type() == TokenType.RIGHT_PAREN) {
                next();
                return args;
            } else if (t.type() == TokenType.EOF) {
                throw error(t.pos(), "unclosed left parenthesis");
            } else {
                throw unexpected(t, "in " + context + ", expected \",\" or \")\"");
            }
        }
    }

    /**
     * info(v [, {selector}]): the second argument selects info series and data labels, so unlike a
     * normal selector it may consist only of matchers that accept the empty string.
     */
    private List<Expr> infoArguments() {
        String context = "call to function \"info\"";
        expect(TokenType.LEFT_PAREN, context);
        List<Expr> args = new ArrayList<>();
        args.add(expr());
        if (peek().type() == TokenType.COMMA) {
            next();
            Token t = peek();
            if (t.type() == TokenType.LEFT_BRACE) {
                args.add(vectorSelector(null, t.pos(), false));
            } else if (t.type() == TokenType.IDENTIFIER || t.type() == TokenType.METRIC_IDENTIFIER) {
                next();
                args.add(vectorSelector(t.text(), t.pos(), false));
            } else {
                throw error(t.pos(), "expected label selectors only, got " + describe(t) + " instead");
            }
        }
        if (peek().type() == TokenType.EOF) {
            throw error(peek().pos(), "unclosed left parenthesis");
        }
        expect(TokenType.RIGHT_PAREN, "in " + context + ", expected \",\" or \")\"");
        return args;
    }

    private Expr call(Token nameTok) {
        String fname = nameTok.type() == TokenType.IDENTIFIER ? nameTok.text() : nameTok.type().description();
        FunctionSignature f = FunctionSignature.byName(fname);
        if (f == null) {
            throw error(nameTok.pos(), "unknown function with name \"" + nameTok.text() + "\"");
        }
        List<Expr> args = f.name().equals("info") ? infoArguments() : arguments("call to function \"" + f.name() + "\"");
        int nargs = f.argTypes().size();
        if (f.variadic() == 0) {
            if (nargs != args.size()) {
                throw error(nameTok.pos(), "expected " + nargs + " argument(s) in call to \"" + f.name() + "\", got "
                        + args.size());
            }
        } else {
            int min = nargs - 1;
            if (min > args.size()) {
                throw error(nameTok.pos(), "expected at least " + min + " argument(s) in call to \"" + f.name()
                        + "\", got " + args.size());
            }
            int max = min + f.variadic();
            if (f.variadic() > 0 && max < args.size()) {
                throw error(nameTok.pos(), "expected at most " + max + " argument(s) in call to \"" + f.name()
                        + "\", got " + args.size());
            }
        }
        for (int i = 0; i < args.size(); i++) {
            ValueType want = f.argTypes().get(Math.min(i, nargs - 1));
            Expr a = args.get(i);
            if (a.type() != want) {
                throw error(a.pos(), "expected type " + want.description() + " in call to function \"" + f.name()
                        + "\", got " + a.type().description());
            }
        }
        return new Call(f, List.copyOf(args), nameTok.pos());
    }
}
