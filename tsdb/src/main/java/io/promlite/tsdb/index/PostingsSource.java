package io.promlite.tsdb.index;

import io.promlite.tsdb.model.Matcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Postings to evaluate matchers over: one partition of {@link PostingsIndex}, or the head's
 * {@link HeadPostings}. Both share {@link #select}, so they agree on matcher semantics.
 */
interface PostingsSource {
    /** The sorted ids of series with {@code name="value"}, in a list the caller may keep. */
    LongList postings(String name, String value);

    /**
     * Walks the distinct values of {@code name}; for each, {@code visitor} returns a list to add
     * that value's series ids to, or null to skip them.
     */
    void scanValues(String name, ValueVisitor visitor);

    /** Every series, sorted. */
    LongList all();

    @FunctionalInterface
    interface ValueVisitor {
        LongList visit(String value);
    }

    /**
     * The series matching every matcher, sorted. Each matcher becomes either a set to intersect
     * with or, when it also accepts series lacking the label (as {@code job!="x"} or
     * {@code job=~".*"} do), a set of non-matching series to subtract. Regex matchers are
     * evaluated once per distinct label value, never per series.
     */
    static LongList select(PostingsSource source, List<Matcher> matchers) {
        List<LongList> include = new ArrayList<>();
        List<LongList> exclude = new ArrayList<>();
        for (Matcher m : matchers) {
            String v = m.value();
            if (m.type() == Matcher.Type.EQUAL && !v.isEmpty()) {
                include.add(source.postings(m.name(), v));
            } else if (m.type() == Matcher.Type.NOT_EQUAL && !v.isEmpty()) {
                exclude.add(source.postings(m.name(), v));
            } else {
                boolean acceptsAbsent = m.matchesEmpty();
                LongList ids = new LongList();
                // Accepting the absent label: collect the values the matcher rejects, to subtract.
                source.scanValues(m.name(), value -> m.matches(value) != acceptsAbsent ? ids : null);
                (acceptsAbsent ? exclude : include).add(ids.sortDistinct());
            }
        }
        LongList result;
        if (include.isEmpty()) {
            result = source.all();
        } else {
            include.sort(Comparator.comparingInt(LongList::size));
            result = include.get(0);
            for (int i = 1; i < include.size() && !result.isEmpty(); i++) {
                result = LongList.intersect(result, include.get(i));
            }
        }
        for (LongList ex : exclude) {
            if (result.isEmpty()) {
                break;
            }
            result = LongList.subtract(result, ex);
        }
        return result;
    }
}
