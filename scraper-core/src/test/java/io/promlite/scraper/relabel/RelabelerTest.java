package io.promlite.scraper.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.promlite.config.ConfigException;
import io.promlite.config.ConfigLoader;
import io.promlite.config.RelabelConfig;
import io.promlite.tsdb.model.Labels;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cases follow Prometheus's model/relabel tests; rules are written as a prometheus.yml would. */
class RelabelerTest {
    private static List<RelabelConfig> rules(String yaml) throws ConfigException {
        String indented = yaml.lines().map(l -> "      " + l).reduce("", (a, b) -> a + b + "\n");
        return ConfigLoader.parse("scrape_configs:\n  - job_name: t\n    relabel_configs:\n" + indented, "rules.yml")
                .scrapeConfigs().get(0).relabelConfigs();
    }

    static Stream<Arguments> cases() {
        Labels abc = Labels.of("a", "foo", "b", "bar", "c", "baz");
        return Stream.of(
                Arguments.of("replace with groups", abc, """
                        - source_labels: [a]
                          regex: f(.*)
                          target_label: d
                          replacement: ch${1}-ch${1}
                        """, Labels.of("a", "foo", "b", "bar", "c", "baz", "d", "choo-choo")),
                Arguments.of("replace joins sources with the separator", abc, """
                        - source_labels: [a, b]
                          regex: f(.*);(.*)r
                          target_label: a
                          replacement: b${1}${2}m
                        """, Labels.of("a", "boobam", "b", "bar", "c", "baz")),
                Arguments.of("replace without a match changes nothing", abc, """
                        - source_labels: [a]
                          regex: nomatch
                          target_label: d
                        """, abc),
                Arguments.of("replace to empty deletes the target", abc, """
                        - source_labels: [missing]
                          target_label: a
                        """, Labels.of("b", "bar", "c", "baz")),
                Arguments.of("replace with a templated target label", abc, """
                        - source_labels: [a]
                          regex: (.*)
                          target_label: ${1}_x
                          replacement: v
                        """, Labels.of("a", "foo", "b", "bar", "c", "baz", "foo_x", "v")),
                Arguments.of("replace skips an invalid expanded target", Labels.of("a", "some-name"), """
                        - source_labels: [a]
                          target_label: ${1}
                        """, Labels.of("a", "some-name")),
                Arguments.of("$1x names a missing group, as in Go", abc, """
                        - source_labels: [a]
                          regex: (f)oo
                          target_label: d
                          replacement: $1x
                        """, abc),
                Arguments.of("named groups and $$", abc, """
                        - source_labels: [a]
                          regex: (?P<first>f)(?P<rest>.*)
                          target_label: d
                          replacement: ${rest}$$${first}
                        """, Labels.of("a", "foo", "b", "bar", "c", "baz", "d", "oo$f")),
                Arguments.of("regex is anchored", abc, """
                        - source_labels: [a]
                          regex: o
                          target_label: d
                          replacement: matched
                        """, abc),
                Arguments.of("keep on match", abc, """
                        - source_labels: [a]
                          regex: f.*
                          action: keep
                        """, abc),
                Arguments.of("keep drops a non-match", abc, """
                        - source_labels: [a]
                          regex: b.*
                          action: keep
                        """, null),
                Arguments.of("drop on match", abc, """
                        - source_labels: [c]
                          regex: baz
                          action: drop
                        """, null),
                Arguments.of("drop keeps a non-match", abc, """
                        - source_labels: [c]
                          regex: qux
                          action: drop
                        """, abc),
                Arguments.of("keepequal keeps equal values", Labels.of("a", "x", "b", "x"), """
                        - source_labels: [a]
                          target_label: b
                          action: keepequal
                        """, Labels.of("a", "x", "b", "x")),
                Arguments.of("keepequal drops different values", abc, """
                        - source_labels: [a]
                          target_label: b
                          action: keepequal
                        """, null),
                Arguments.of("dropequal drops equal values", Labels.of("a", "x", "b", "x"), """
                        - source_labels: [a]
                          target_label: b
                          action: dropequal
                        """, null),
                Arguments.of("hashmod", abc, """
                        - source_labels: [c]
                          target_label: d
                          modulus: 1000
                          action: hashmod
                        """, Labels.of("a", "foo", "b", "bar", "c", "baz", "d", "976")),
                Arguments.of("labelmap copies matching names", Labels.of("__meta_my_label", "aaa", "a", "b"), """
                        - regex: __meta_(.+)
                          action: labelmap
                        """, Labels.of("__meta_my_label", "aaa", "my_label", "aaa", "a", "b")),
                Arguments.of("labelmap with a custom replacement", Labels.of("foo", "bar"), """
                        - regex: (f)(o)o
                          replacement: ${2}_${1}
                          action: labelmap
                        """, Labels.of("foo", "bar", "o_f", "bar")),
                Arguments.of("labeldrop", abc, """
                        - regex: (b|c)
                          action: labeldrop
                        """, Labels.of("a", "foo")),
                Arguments.of("labelkeep", abc, """
                        - regex: (b|c)
                          action: labelkeep
                        """, Labels.of("b", "bar", "c", "baz")),
                Arguments.of("lowercase", Labels.of("a", "FooBar"), """
                        - source_labels: [a]
                          target_label: z
                          action: lowercase
                        """, Labels.of("a", "FooBar", "z", "foobar")),
                Arguments.of("uppercase", Labels.of("a", "FooBar"), """
                        - source_labels: [a]
                          target_label: z
                          action: uppercase
                        """, Labels.of("a", "FooBar", "z", "FOOBAR")),
                Arguments.of("rules run in order and stop at a drop", abc, """
                        - source_labels: [a]
                          target_label: x
                          replacement: y
                        - source_labels: [x]
                          regex: y
                          action: drop
                        """, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void appliesRules(String name, Labels input, String yaml, Labels expected) throws ConfigException {
        assertEquals(expected, Relabeler.process(input, rules(yaml)));
    }
}
