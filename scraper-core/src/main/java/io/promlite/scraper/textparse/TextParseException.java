package io.promlite.scraper.textparse;

/** A malformed exposition body, located by its 1-based line number. */
public final class TextParseException extends Exception {
    private final int line;

    public TextParseException(int line, String problem) {
        super("line " + line + ": " + problem);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
