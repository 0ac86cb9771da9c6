package io.promlite.config;

/**
 * A configuration that cannot be used, located in its source. The message reads
 * {@code FILE:LINE:COLUMN: field NAME: what is wrong} (or without the field when the YAML
 * itself is malformed).
 */
public final class ConfigException extends Exception {
    private final String file;
    private final int line;
    private final int column;
    private final String field;
    private final String problem;

    public ConfigException(String file, int line, int column, String field, String problem) {
        super(format(file, line, column, field, problem));
        this.file = file;
        this.line = line;
        this.column = column;
        this.field = field;
        this.problem = problem;
    }

    private static String format(String file, int line, int column, String field, String problem) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (field != null) {
            sb.append("field ").append(field).append(": ");
        }
        return sb.append(problem).toString();
    }

    public String file() {
        return file;
    }

    /** 1-based line, or 0 when the problem has no single location. */
    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The offending field's YAML path (e.g. {@code scrape_configs[1].scrape_interval}), or null. */
    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
