package io.promlite.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;

/** Reads a {@code prometheus.yml} into a validated {@link PromliteConfig}. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Reads and parses a file; errors name the file as given; relative file paths resolve against its directory. */
    public static PromliteConfig load(Path file) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, 0, null, "cannot read config file: " + e);
        }
        String yaml;
        try {
            yaml = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file.toString(), 0, 0, null, "config file is not valid UTF-8");
        }
        Path dir = file.toAbsolutePath().getParent();
        return new ConfigParser(file.toString(), dir).parse(yaml);
    }

    /**
     * Parses YAML text; {@code sourceName} names it in errors. An empty document is a valid
     * config without scrape configs. Relative file paths (file_sd, secrets, certificates) stay
     * relative to the working directory.
     */
    public static PromliteConfig parse(String yaml, String sourceName) throws ConfigException {
        return new ConfigParser(sourceName, null).parse(yaml);
    }
}
