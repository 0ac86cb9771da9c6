package io.promlite.config;

/**
 * How a job authenticates to its targets: Prometheus's {@code basic_auth}, or
 * {@code authorization} (which {@code bearer_token} and {@code bearer_token_file} are shorthands
 * for). Secrets may sit in files, read when the job's scrape loops start; relative paths are
 * resolved against the config file's directory.
 */
public sealed interface HttpAuth {
    /** {@code Authorization: Basic base64(username:password)}. */
    record Basic(String username, String password, String passwordFile) implements HttpAuth {
    }

    /** {@code Authorization: <type> <credentials>}, type {@code Bearer} by default. */
    record Credentials(String type, String credentials, String credentialsFile) implements HttpAuth {
    }
}
