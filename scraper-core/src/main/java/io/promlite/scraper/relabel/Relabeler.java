package io.promlite.scraper.relabel;

import io.promlite.config.LabelNames;
import io.promlite.config.RelabelConfig;
import io.promlite.tsdb.model.Labels;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;

/** Applies relabel rules to a label set with Prometheus's semantics (model/relabel.Process). */
public final class Relabeler {
    private Relabeler() {
    }

    /** The relabeled set, or null when a rule dropped it. Rules run in order. */
    public static Labels process(Labels labels, List<RelabelConfig> rules) {
        if (rules.isEmpty()) {
            return labels;
        }
        TreeMap<String, String> lset = new TreeMap<>(labels.toMap());
        for (RelabelConfig rule : rules) {
            if (!apply(rule, lset)) {
                return null;
            }
        }
        return Labels.fromMap(lset);
    }

    private static boolean apply(RelabelConfig rule, TreeMap<String, String> lset) {
        String val = joinSources(rule, lset);
        switch (rule.action()) {
            case DROP -> {
                return !rule.regex().pattern().matcher(val).matches();
            }
            case KEEP -> {
                return rule.regex().pattern().matcher(val).matches();
            }
            case DROPEQUAL -> {
                return !lset.getOrDefault(rule.targetLabel(), "").equals(val);
            }
            case KEEPEQUAL -> {
                return lset.getOrDefault(rule.targetLabel(), "").equals(val);
            }
            case REPLACE -> replace(rule, lset, val);
            case LOWERCASE -> set(lset, rule.targetLabel(), val.toLowerCase(Locale.ROOT));
            case UPPERCASE -> set(lset, rule.targetLabel(), val.toUpperCase(Locale.ROOT));
            case HASHMOD -> set(lset, rule.targetLabel(), Long.toUnsignedString(
                    Long.remainderUnsigned(md5Low64(val), rule.modulus())));
            case LABELMAP -> {
                for (Map.Entry<String, String> l : new ArrayList<>(lset.entrySet())) {
                    Matcher m = rule.regex().pattern().matcher(l.getKey());
                    if (m.matches()) {
                        set(lset, GoTemplate.expand(rule.replacement(), m), l.getValue());
                    }
                }
            }
            case LABELDROP -> lset.keySet().removeIf(name -> rule.regex().pattern().matcher(name).matches());
            case LABELKEEP -> lset.keySet().removeIf(name -> !rule.regex().pattern().matcher(name).matches());
        }
        return true;
    }

    private static void replace(RelabelConfig rule, TreeMap<String, String> lset, String val) {
        Matcher m = rule.regex().pattern().matcher(val);
        if (!m.matches()) {
            return;
        }
        String target = GoTemplate.expand(rule.targetLabel(), m);
        if (!LabelNames.isValid(target)) {
            return;
        }
        set(lset, target, GoTemplate.expand(rule.replacement(), m));
    }

    private static String joinSources(RelabelConfig rule, Map<String, String> lset) {
        List<String> sources = rule.sourceLabels();
        if (sources.size() == 1) {
            return lset.getOrDefault(sources.get(0), "");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sources.size(); i++) {
            if (i > 0) {
                sb.append(rule.separator());
            }
            sb.append(lset.getOrDefault(sources.get(i), ""));
        }
        return sb.toString();
    }

    /** An empty value deletes the label, as in Prometheus's labels.Builder. */
    private static void set(Map<String, String> lset, String name, String value) {
        if (value.isEmpty()) {
            lset.remove(name);
        } else {
            lset.put(name, value);
        }
    }

    /** The last 8 bytes of the MD5 digest, big-endian, as Prometheus's hashmod uses. */
    private static long md5Low64(String val) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(val.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 8, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides MD5", e);
        }
    }
}
