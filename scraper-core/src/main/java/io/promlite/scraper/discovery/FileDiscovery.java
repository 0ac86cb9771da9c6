package io.promlite.scraper.discovery;

import io.promlite.config.ConfigException;
import io.promlite.config.FileSdConfig;
import io.promlite.config.StaticConfig;
import io.promlite.config.TargetGroupsFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Targets listed in {@code file_sd_configs} files. Prometheus reacts to file-system events;
 * promlite checks the files' size and modification time every few seconds instead (portable, and
 * cheap for the handful of files a config names) and re-reads every file each refresh interval.
 * Each group carries {@code __meta_filepath}.
 */
public final class FileDiscovery implements Discoverer {
    private static final Logger log = LoggerFactory.getLogger(FileDiscovery.class);
    static final String FILEPATH_LABEL = "__meta_filepath";
    /** The longest a change to a file goes unnoticed. */
    private static final Duration MAX_CHECK_INTERVAL = Duration.ofSeconds(5);

    private record FileState(FileTime modified, long size, List<TargetGroup> groups) {
    }

    private final FileSdConfig config;
    private Map<Path, FileState> files = new TreeMap<>();
    private long lastFullReadNanos;
    private boolean readOnce;

    public FileDiscovery(FileSdConfig config) {
        this.config = config;
    }

    @Override
    public Duration checkInterval() {
        return config.refreshInterval().compareTo(MAX_CHECK_INTERVAL) < 0 ? config.refreshInterval() : MAX_CHECK_INTERVAL;
    }

    @Override
    public List<TargetGroup> refresh() {
        long now = System.nanoTime();
        boolean full = !readOnce || now - lastFullReadNanos >= config.refreshInterval().toNanos();
        if (full) {
            lastFullReadNanos = now;
            readOnce = true;
        }
        Map<Path, FileState> next = new TreeMap<>();
        for (Path path : matchingFiles()) {
            FileState old = files.get(path);
            try {
                BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
                if (!full && old != null && old.modified().equals(attrs.lastModifiedTime()) && old.size() == attrs.size()) {
                    next.put(path, old);
                    continue;
                }
                List<StaticConfig> groups = TargetGroupsFile.parse(Files.readString(path), path.toString());
                next.put(path, new FileState(attrs.lastModifiedTime(), attrs.size(), toTargetGroups(path, groups)));
            } catch (NoSuchFileException e) {
                // Deleted between listing and reading: its targets go.
            } catch (IOException | ConfigException e) {
                log.error("error reading file-discovery file {}, keeping its last good targets: {}", path, e.getMessage());
                if (old != null) {
                    next.put(path, old);
                }
            }
        }
        files = next;
        List<TargetGroup> all = new ArrayList<>();
        files.values().forEach(f -> all.addAll(f.groups()));
        return all;
    }

    private static List<TargetGroup> toTargetGroups(Path path, List<StaticConfig> groups) {
        List<TargetGroup> out = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            StaticConfig g = groups.get(i);
            List<Map<String, String>> targets = new ArrayList<>(g.targets().size());
            for (String address : g.targets()) {
                targets.add(Map.of(StaticDiscovery.ADDRESS_LABEL, address));
            }
            Map<String, String> labels = new HashMap<>(g.labels());
            labels.put(FILEPATH_LABEL, path.toString());
            out.add(new TargetGroup(path + ":" + i, targets, labels));
        }
        return out;
    }

    /** The configured files, with a {@code *} in the file name expanded as a glob. */
    private TreeSet<Path> matchingFiles() {
        TreeSet<Path> out = new TreeSet<>();
        for (String pattern : config.files()) {
            Path path = Path.of(pattern);
            String name = path.getFileName().toString();
            if (!name.contains("*")) {
                if (Files.isRegularFile(path)) {
                    out.add(path);
                }
                continue;
            }
            Path dir = path.getParent() == null ? Path.of(".") : path.getParent();
            try (DirectoryStream<Path> matches = Files.newDirectoryStream(dir, name)) {
                for (Path p : matches) {
                    if (Files.isRegularFile(p)) {
                        out.add(p);
                    }
                }
            } catch (IOException e) {
                log.error("cannot list {} for file discovery: {}", dir, e.getMessage());
            }
        }
        return out;
    }
}
