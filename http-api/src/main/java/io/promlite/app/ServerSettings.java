package io.promlite.app;

import io.promlite.web.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;

/** What the command line decides about one server run. */
record ServerSettings(Path configFile, Path storagePath, ListenAddress listenAddress, Duration retention) {
}
