package io.promlite.app;

import static io.promlite.app.StackFiles.DOCKER;
import static io.promlite.app.StackFiles.REPO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/Dockerfile read as text (no Docker engine runs here): what it copies exists and is in
 * the build context, and what it runs is promlite's own command line.
 */
class DockerImageTest {
    private record Instruction(String keyword, String args) {
    }

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    private static List<Instruction> instructions() throws IOException {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(StackFiles.file("Dockerfile"))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().strip();
            current.setLength(0);
            int space = text.indexOf(' ');
            out.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
        }
        return out;
    }

    private static List<Instruction> runtimeStage() throws IOException {
        List<Instruction> all = instructions();
        int lastFrom = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).keyword().equals("FROM")) {
                lastFrom = i;
            }
        }
        return all.subList(lastFrom, all.size());
    }

    private static String single(List<Instruction> stage, String keyword) {
        List<String> found = stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
        assertEquals(1, found.size(), keyword + " once in the runtime stage: " + found);
        return found.get(0);
    }

    /** Paths the build context keeps, from Dockerfile.dockerignore's allow-list. */
    private static List<String> keptByDockerignore() throws IOException {
        List<String> lines = Files.readAllLines(StackFiles.file("Dockerfile.dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals("*", lines.get(0), "the context is an allow-list");
        return lines.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
    }

    private static boolean kept(List<String> allowed, String path) {
        return allowed.stream().anyMatch(a -> path.equals(a) || path.startsWith(a + "/"));
    }

    @Test
    void multiStageBuildOfTheRepositoryOntoAGlibcJre() throws IOException {
        List<String> froms = instructions().stream().filter(i -> i.keyword().equals("FROM")).map(Instruction::args)
                .toList();
        assertEquals(List.of("maven:3.9-eclipse-temurin-21 AS build", "eclipse-temurin:21-jre"), froms);
    }

    @Test
    void buildContextHoldsEveryModuleAndEveryCopiedFile() throws IOException {
        List<String> allowed = keptByDockerignore();
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(REPO.resolve("pom.xml")));
        int count = 0;
        while (modules.find()) {
            count++;
            assertTrue(kept(allowed, modules.group(1)), "module " + modules.group(1) + " is in the build context");
        }
        assertTrue(count >= 5, "modules found in the root pom");
        for (Instruction copy : runtimeStage()) {
            if (!copy.keyword().equals("COPY") || copy.args().contains("--from=")) {
                continue;
            }
            String[] words = copy.args().replaceAll("--\\S+\\s+", "").split("\\s+");
            String source = words[0];
            assertTrue(Files.exists(REPO.resolve(source)), source + " exists");
            assertTrue(kept(allowed, source), source + " is in the build context");
        }
    }

    @Test
    void runsLikeThePrometheusImageAsANonRootUser() throws IOException {
        List<Instruction> stage = runtimeStage();
        assertEquals("9090", single(stage, "EXPOSE"));
        assertEquals("/prometheus", single(stage, "VOLUME"));
        assertEquals("/prometheus", single(stage, "WORKDIR"));
        String user = single(stage, "USER");
        assertFalse(user.startsWith("0") || user.startsWith("root"), "non-root: " + user);

        List<String> cmd = StackFiles.jsonStrings(single(stage, "CMD"));
        assertEquals(List.of("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"), cmd);
        Main.commandLine().parseArgs(cmd.toArray(String[]::new));

        List<String> entrypoint = StackFiles.jsonStrings(single(stage, "ENTRYPOINT"));
        assertEquals("java", entrypoint.get(0));
        String jar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
        assertTrue(stage.stream().anyMatch(i -> i.keyword().equals("COPY") && i.args().contains("--from=build")
                        && i.args().endsWith(" " + jar)), "the jar is copied to " + jar);
        assertTrue(entrypoint.stream().anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage=")),
                "the heap is sized from the container's memory limit");
    }

    @Test
    void startsTheJvmWithTheOptionsFileTheBuildPutsNextToTheJarAndTwoMallocArenas() throws IOException {
        List<Instruction> stage = runtimeStage();
        List<String> entrypoint = StackFiles.jsonStrings(single(stage, "ENTRYPOINT"));
        String argfile = entrypoint.stream().filter(a -> a.startsWith("@")).findFirst().orElseThrow().substring(1);
        assertTrue(entrypoint.indexOf("@" + argfile) < entrypoint.indexOf("-jar"), "JVM options come before -jar");
        assertTrue(stage.stream().anyMatch(i -> i.keyword().equals("COPY")
                        && i.args().equals("--from=build /src/http-api/target/" + JvmOptionsTest.FILE_NAME + " " + argfile)),
                "the options file is copied from the build to " + argfile);
        assertEquals("MALLOC_ARENA_MAX=2", single(stage, "ENV"), "glibc's malloc arenas are capped");
    }

    @Test
    void healthcheckUsesPromlitesOwnSubcommand() throws IOException {
        List<Instruction> stage = runtimeStage();
        String healthcheck = single(stage, "HEALTHCHECK");
        List<String> probe = StackFiles.jsonStrings(healthcheck.substring(healthcheck.indexOf("CMD [") + 4));
        assertEquals(List.of("promlite", "healthcheck"), probe.subList(0, 2));
        Main.commandLine().parseArgs(probe.subList(1, probe.size()).toArray(String[]::new));

        // "promlite" on the image's PATH is docker/image/promlite, which runs the same jar.
        assertTrue(stage.stream().anyMatch(i -> i.keyword().equals("COPY")
                && i.args().endsWith("docker/image/promlite /usr/local/bin/promlite")));
        String launcher = Files.readString(DOCKER.resolve("image/promlite"));
        String jar = StackFiles.jsonStrings(single(stage, "ENTRYPOINT")).stream().filter(a -> a.endsWith(".jar"))
                .findFirst().orElseThrow();
        assertTrue(launcher.startsWith("#!/bin/sh\n"), "a POSIX shell script");
        assertTrue(launcher.contains("exec java ") && launcher.contains("-jar " + jar + " \"$@\""), launcher);
        Path script = DOCKER.resolve("image/promlite");
        assertTrue(Files.isExecutable(script), script + " is executable in git");
    }

    @Test
    void defaultConfigOfTheImageIsValid() throws IOException {
        String copy = runtimeStage().stream().filter(i -> i.keyword().equals("COPY")
                && i.args().endsWith(" /etc/prometheus/prometheus.yml")).map(Instruction::args).findFirst().orElseThrow();
        Path source = REPO.resolve(copy.split("\\s+")[0]);
        CliRun r = CliRun.of("check", "config", source.toString());
        assertEquals(0, r.exitCode(), r.stderr());
    }
}
