package io.promlite.promql.parser;

/** The lexical categories of PromQL, named after the descriptions Prometheus prints in errors. */
enum TokenType {
    EOF("end of input"),
    /** A lexical error; its text is the message. */
    ERROR("error"),
    IDENTIFIER("identifier"),
    METRIC_IDENTIFIER("metric identifier"),
    NUMBER("number"),
    DURATION("duration"),
    STRING("string"),
    LEFT_PAREN("("),
    RIGHT_PAREN(")"),
    LEFT_BRACE("{"),
    RIGHT_BRACE("}"),
    LEFT_BRACKET("["),
    RIGHT_BRACKET("]"),
    COMMA(","),
    COLON(":"),
    AT("@"),
    ASSIGN("="),
    EQL_REGEX("=~"),
    NEQ_REGEX("!~"),
    // Binary operators.
    ADD("+"),
    SUB("-"),
    MUL("*"),
    DIV("/"),
    MOD("%"),
    POW("^"),
    EQLC("=="),
    NEQ("!="),
    LSS("<"),
    GTR(">"),
    LTE("<="),
    GTE(">="),
    AND("and"),
    OR("or"),
    UNLESS("unless"),
    ATAN2("atan2"),
    // Keywords.
    BY("by"),
    WITHOUT("without"),
    ON("on"),
    IGNORING("ignoring"),
    GROUP_LEFT("group_left"),
    GROUP_RIGHT("group_right"),
    BOOL("bool"),
    OFFSET("offset"),
    START("start"),
    END("end"),
    AGGREGATOR("aggregation");

    private final String description;

    TokenType(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Keywords that are also valid label names (Prometheus lexes them specially but accepts them in label positions). */
    public boolean isKeyword() {
        return switch (this) {
            case AND, OR, UNLESS, ATAN2, BY, WITHOUT, ON, IGNORING, GROUP_LEFT, GROUP_RIGHT, BOOL, OFFSET,
                    START, END, AGGREGATOR -> true;
            default -> false;
        };
    }
}
