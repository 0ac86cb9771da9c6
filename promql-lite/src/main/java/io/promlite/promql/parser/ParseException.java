package io.promlite.promql.parser;

import io.promlite.promql.PromqlException;

/** Builds Prometheus-style parse errors: {@code LINE:COL: parse error: message}. */
final class ParseException {
    private ParseException() {
    }

    static PromqlException at(String input, int pos, String message) {
        int line = 1;
        int lastBreak = -1;
        int end = Math.min(pos, input.length());
        for (int i = 0; i < end; i++) {
            if (input.charAt(i) == '\n') {
                line++;
                lastBreak = i;
            }
        }
        return new PromqlException(PromqlException.Kind.BAD_DATA,
                line + ":" + (pos - lastBreak) + ": parse error: " + message);
    }
}
