package io.promlite.config;

import java.util.List;

/**
 * The content of a {@code file_sd_configs} file: a YAML or JSON list of {@code targets} +
 * {@code labels} groups. Addresses are not checked here: a target whose address is unusable is
 * skipped on its own when the scrape targets are built, as Prometheus does for discovered targets.
 */
public final class TargetGroupsFile {
    private TargetGroupsFile() {
    }

    /** @throws ConfigException for malformed YAML/JSON, unknown fields or invalid label names */
    public static List<StaticConfig> parse(String content, String sourceName) throws ConfigException {
        return new ConfigParser(sourceName, null).parseTargetGroups(content);
    }
}
