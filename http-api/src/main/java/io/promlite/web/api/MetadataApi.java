package io.promlite.web.api;

import io.promlite.tsdb.Querier;
import io.promlite.tsdb.Queryable;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.web.HttpRequest;
import io.promlite.web.HttpResponse;
import io.promlite.web.json.ApiJson;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** {@code /api/v1/series}, {@code /api/v1/labels} and {@code /api/v1/label/<name>/values}. */
public final class MetadataApi {
    private static final String TRUNCATED = "results truncated due to limit";

    private final Queryable storage;

    public MetadataApi(Queryable storage) {
        this.storage = storage;
    }

    public HttpResponse series(HttpRequest req) throws ApiError {
        List<String> selectors = req.params("match[]");
        if (selectors.isEmpty()) {
            throw ApiError.badData("no match[] parameter provided");
        }
        int limit = Params.limit(req.param("limit"));
        long start = Params.time("start", req.param("start"), Params.MIN_TIME_MS);
        long end = Params.time("end", req.param("end"), Params.MAX_TIME_MS);
        List<List<Matcher>> sets;
        try {
            sets = Params.matcherSets(selectors);
        } catch (ApiError e) {
            throw ApiError.invalidParam("match[]", e.getMessage());
        }
        TreeSet<Labels> found = new TreeSet<>();
        try (Querier q = storage.querier(start, end)) {
            for (List<Matcher> set : sets) {
                SeriesSet ss = q.select(set);
                while (ss.next()) {
                    found.add(ss.at().labels());
                }
            }
        }
        List<Labels> result = new ArrayList<>(found);
        List<String> warnings = truncate(result, limit);
        return ApiJson.success(g -> {
            g.writeStartArray();
            for (Labels l : result) {
                ApiJson.writeLabels(g, l);
            }
            g.writeEndArray();
        }, warnings, List.of());
    }

    public HttpResponse labelNames(HttpRequest req) throws ApiError {
        return union(req, Querier::labelNames);
    }

    public HttpResponse labelValues(HttpRequest req) throws ApiError {
        String name = req.pathParam("name");
        String unescaped = name.startsWith("U__") ? LabelNameEscaping.unescape(name) : name;
        if (unescaped.isEmpty()) {
            throw ApiError.badData("invalid label name: \"" + unescaped + "\"");
        }
        return union(req, (q, matchers) -> q.labelValues(unescaped, matchers));
    }

    /** One lookup of {@link #union}: label names or one label's values among the matching series. */
    private interface Lookup {
        List<String> find(Querier q, List<Matcher> matchers);
    }

    /**
     * The sorted union of the lookup over each {@code match[]} set within {@code start}..{@code end},
     * or over all series when no set is given.
     */
    private HttpResponse union(HttpRequest req, Lookup lookup) throws ApiError {
        int limit = Params.limit(req.param("limit"));
        long start = Params.time("start", req.param("start"), Params.MIN_TIME_MS);
        long end = Params.time("end", req.param("end"), Params.MAX_TIME_MS);
        List<List<Matcher>> sets = Params.matcherSets(req.params("match[]"));
        TreeSet<String> found = new TreeSet<>();
        try (Querier q = storage.querier(start, end)) {
            for (List<Matcher> set : sets.isEmpty() ? List.of(List.<Matcher>of()) : sets) {
                found.addAll(lookup.find(q, set));
            }
        }
        return strings(found, limit);
    }

    /** A JSON array of strings — never null, as Grafana's resource code requires. */
    private static HttpResponse strings(Collection<String> sorted, int limit) {
        List<String> result = new ArrayList<>(sorted);
        List<String> warnings = truncate(result, limit);
        return ApiJson.success(g -> {
            g.writeStartArray();
            for (String s : result) {
                g.writeString(s);
            }
            g.writeEndArray();
        }, warnings, List.of());
    }

    private static List<String> truncate(List<?> result, int limit) {
        if (limit > 0 && result.size() > limit) {
            result.subList(limit, result.size()).clear();
            return List.of(TRUNCATED);
        }
        return List.of();
    }
}
