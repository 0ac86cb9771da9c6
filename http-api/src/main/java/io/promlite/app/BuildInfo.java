package io.promlite.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** The version stamped into the jar at build time. */
public final class BuildInfo implements CommandLine.IVersionProvider {
    public static final String VERSION = load();

    private static String load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    /** Prometheus's {@code --version} layout, with the Java runtime in place of Go's. */
    @Override
    public String[] getVersion() {
        return new String[] {
            "promlite, version " + VERSION,
            "  java version:     " + Runtime.version(),
            "  platform:         " + System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch"),
        };
    }
}
