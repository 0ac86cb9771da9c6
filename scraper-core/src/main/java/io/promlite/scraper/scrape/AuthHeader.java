package io.promlite.scraper.scrape;

import io.promlite.config.HttpAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** The {@code Authorization} header a job's credentials produce. */
final class AuthHeader {
    private AuthHeader() {
    }

    /**
     * The header value, or null without credentials. Secret files are read now (when a loop
     * starts), trimmed as Prometheus trims them.
     *
     * @throws IOException with Prometheus's wording when a secret file cannot be read
     */
    static String of(HttpAuth auth) throws IOException {
        if (auth instanceof HttpAuth.Basic basic) {
            String password = basic.passwordFile() == null
                    ? basic.password()
                    : read(basic.passwordFile(), "unable to read basic auth password file ");
            String pair = basic.username() + ":" + password;
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        if (auth instanceof HttpAuth.Credentials c) {
            String credentials = c.credentialsFile() == null
                    ? c.credentials()
                    : read(c.credentialsFile(), "unable to read authorization credentials file ");
            return c.type() + " " + credentials;
        }
        return null;
    }

    private static String read(String file, String problem) throws IOException {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new IOException(problem + file + ": " + e.getMessage(), e);
        }
    }
}
