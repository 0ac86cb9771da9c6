#!/usr/bin/env python3
"""Range-query latency: promlite vs Debian's Prometheus on the same data, in the same run.

1. Generates --series node-exporter-shaped series over --hours at --step seconds with the
   shared generator (../shared/bench: seriesgen via storage_bench's helpers, imported at run
   time, not copied), as an OpenMetrics file.
2. Prometheus: `promtool tsdb create-blocks-from openmetrics` turns the file into blocks,
   which go into a fresh data dir before /usr/bin/prometheus starts on it.
3. promlite: started with --web.enable-remote-write-receiver, fed the same samples (same
   seeds) over remote write 1.0, then restarted so that it too reads persisted data.
4. Both must hold the same number of series; then every query runs as /api/v1/query_range
   over the whole window at --query-step, --warmup untimed runs each, then --reps timed runs
   with Prometheus and promlite interleaved. Prints the median per query, the
   promlite/Prometheus ratio and the geometric mean of the ratios.

Stdlib only; run from anywhere after `mvn -pl http-api -am package -DskipTests`:
    promql-lite/bench/query_bench.py                 # 10k series x 6h at 15s (the recorded run)
    promql-lite/bench/query_bench.py --preset quick  # 2k series x 1h, a smoke run
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED_BENCH = os.environ.get("PROMLITE_SHARED_BENCH", os.path.join(os.path.dirname(ROOT), "shared", "bench"))
if not os.path.isdir(SHARED_BENCH):
    SHARED_BENCH = "/work/shared/bench"
sys.path.insert(0, SHARED_BENCH)
import perflib as pl  # noqa: E402
import storage_bench as sb  # noqa: E402  (make_targets, timestamps, write_openmetrics, RemoteWriter)
import targets as tg  # noqa: E402

PROMLITE_CMD = ("java -jar " + os.path.join(ROOT, "http-api", "target", "promlite.jar")
                + " --config.file={config} --storage.tsdb.path={datadir} --web.listen-address=127.0.0.1:{port}"
                  " --web.enable-remote-write-receiver")

# The queries of the performance clause of promlite's PromQL issue, over the generator's metrics:
# node_cpu_seconds_total is the largest counter family (~15 % of the series), the regex selectors
# touch every counter or every series.
QUERIES = [
    ("rate", "rate(node_cpu_seconds_total[5m])"),
    ("sum_by_job_rate", "sum by (job) (rate(node_cpu_seconds_total[5m]))"),
    ("hist_p90", "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
    ("topk_rate", "topk(5, rate(node_cpu_seconds_total[5m]))"),
    ("regex_name_count", 'count by (job) ({__name__=~"node_.+_total"})'),
    ("regex_label", 'node_filesystem_avail_bytes{fstype=~"ext4|xfs", mountpoint=~"/data.*"}'),
    ("regex_instance_rate", 'sum without (cpu) (rate(node_cpu_seconds_total{instance=~"127.0.0.1:1930[0-4]"}[5m]))'),
    ("count_all_series", 'count({__name__=~".+"})'),
]
PRESETS = {"full": dict(series=10000, hours=6.0), "quick": dict(series=2000, hours=1.0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="full")
    ap.add_argument("--series", type=int, help="total series (preset full: 10000, quick: 2000)")
    ap.add_argument("--hours", type=float, help="data span (preset full: 6, quick: 1)")
    ap.add_argument("--step", type=float, default=15, help="sample interval in s (default %(default)s)")
    ap.add_argument("--query-step", type=float, default=60, help="range-query step in s (default %(default)s)")
    ap.add_argument("--reps", type=int, default=7, help="timed rounds over all queries (default %(default)s)")
    ap.add_argument("--warmup", type=int, default=15,
                    help="untimed rounds over all queries first, so the JVM has compiled its hot paths "
                         "as in a long-running server (default %(default)s)")
    ap.add_argument("--with-ingest-set", action="store_true",
                    help="also time the query set of ../shared/bench/ingest_bench.py")
    ap.add_argument("--port-prometheus", type=int, default=19212)
    ap.add_argument("--port-promlite", type=int, default=19213)
    ap.add_argument("--promlite-cmd", default=PROMLITE_CMD, help="template with {port} {datadir} {config}")
    ap.add_argument("--keep", action="store_true", help="keep the run directory")
    ap.add_argument("--json-out")
    args = ap.parse_args()
    for k, v in PRESETS[args.preset].items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    queries = list(QUERIES)
    if args.with_ingest_set:
        import ingest_bench
        queries += [("ingest:" + n, q) for n, q in ingest_bench.QUERIES]

    pl.install_signal_handlers()
    pl.require_free_ports([args.port_prometheus, args.port_promlite])
    run = "/tmp/promql-bench-%s" % time.strftime("%Y%m%d-%H%M%S")
    os.makedirs(run)
    pl.log("run dir %s" % run)
    steps = int(round(args.hours * 3600 / args.step))
    t0 = (int(time.time()) // sb.BLOCK) * sb.BLOCK - sb.BLOCK * int((args.hours * 3600 + sb.BLOCK - 1) // sb.BLOCK)
    ts_ms = sb.timestamps(t0, steps, args.step, 0, 1)
    cfg = os.path.join(run, "empty.yml")
    with open(cfg, "w") as f:
        f.write(tg.empty_config_text(args.step))

    w0 = time.time()
    tgts = sb.make_targets(args.series, 1000, 1, 4)
    n_series = sum(t.n_series for t in tgts)
    om = os.path.join(run, "data.om")
    n_samples = sb.write_openmetrics(om, tgts, ts_ms, args.step)
    pl.log("generated %d series x %d steps = %d samples in %.0fs" % (n_series, steps, n_samples, time.time() - w0))

    prom_data = os.path.join(run, "prometheus")
    p = subprocess.run(["/usr/bin/promtool", "tsdb", "create-blocks-from", "openmetrics", om, prom_data],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("promtool failed: " + p.stdout + p.stderr)
    os.unlink(om)
    prom = pl.spawn(pl.expand_cmd("prometheus", args.port_prometheus, prom_data, cfg),
                    os.path.join(run, "prometheus.log"))
    prom_api = pl.Api(args.port_prometheus, timeout=600)
    pl.wait_ready(prom_api, prom, 180, "prometheus")

    lite_data = os.path.join(run, "promlite")
    os.makedirs(lite_data)
    lite = pl.spawn(pl.expand_cmd(args.promlite_cmd, args.port_promlite, lite_data, cfg),
                    os.path.join(run, "promlite.log"))
    lite_api = pl.Api(args.port_promlite, timeout=600)
    pl.wait_ready(lite_api, lite, 180, "promlite")
    w0 = time.time()
    rw = sb.RemoteWriter(args.port_promlite, 2000, 60)
    rw.push(sb.make_targets(args.series, 1000, 1, 4), ts_ms, args.step)
    if rw.errors:
        raise SystemExit("remote write into promlite failed: %s" % (rw.errors[0],))
    pl.log("remote-wrote %d samples into promlite in %.0fs" % (rw.samples, time.time() - w0))
    # Prometheus reads the data from persisted blocks; promlite gets the same footing by a clean
    # restart, which persists what it ingested and leaves no post-ingest background work running.
    pl.stop_process(lite, 300, "promlite")
    lite = pl.spawn(pl.expand_cmd(args.promlite_cmd, args.port_promlite, lite_data, cfg),
                    os.path.join(run, "promlite-2.log"))
    lite_api = pl.Api(args.port_promlite, timeout=600)
    pl.wait_ready(lite_api, lite, 300, "promlite")

    t_last = ts_ms[-1] / 1000.0
    q_start, q_end = ts_ms[0] / 1000.0 + 300, t_last
    counts = {}
    for name, api in (("prometheus", prom_api), ("promlite", lite_api)):
        counts[name] = api.scalar('count({__name__=~".+"})', t_last)
    pl.log("series at the end: %s (generated %d)" % (counts, n_series))
    if counts["prometheus"] != counts["promlite"]:
        raise SystemExit("the servers hold different data: %s" % counts)

    # Rounds over the whole set, the two servers alternating on each query, so load from
    # elsewhere on the (shared) machine hits both alike.
    times = {name: {"prometheus": [], "promlite": []} for name, _ in queries}
    result_series = {name: {} for name, _ in queries}
    for rnd in range(args.warmup + args.reps):
        for name, q in queries:
            for side, api in (("prometheus", prom_api), ("promlite", lite_api)):
                js, dt = api.query_range(q, q_start, q_end, args.query_step)
                if js.get("status") != "success":
                    raise SystemExit("%s failed on %s: %s" % (side, q, js.get("error")))
                if rnd >= args.warmup:
                    times[name][side].append(dt * 1000)
                result_series[name][side] = len(js["data"]["result"])
        pl.log("round %d/%d done%s" % (rnd + 1, args.warmup + args.reps, " (warm-up)" if rnd < args.warmup else ""))
    rows = []
    for name, q in queries:
        if result_series[name]["prometheus"] != result_series[name]["promlite"]:
            pl.log("WARNING %s: %s result series" % (name, result_series[name]))
        a, b = pl.median(times[name]["prometheus"]), pl.median(times[name]["promlite"])
        rows.append({"name": name, "query": q, "series": result_series[name]["promlite"], "prometheus_ms": a,
                     "promlite_ms": b, "ratio": b / a, "raw": times[name]})
        pl.log("%-22s prometheus %8.1f ms  promlite %8.1f ms  ratio %.2f" % (name, a, b, b / a))

    pl.stop_process(lite, 120, "promlite")
    pl.stop_process(prom, 120, "prometheus")
    gm = pl.gmean([r["ratio"] for r in rows])
    print("\n%d series x %gh at %gs, range queries over %gh at step %gs, median of %d (after %d warm-up rounds)" % (
        n_series, args.hours, args.step, (q_end - q_start) / 3600, args.query_step, args.reps, args.warmup))
    print("| query | result series | Prometheus ms | promlite ms | promlite/Prometheus |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print("| `%s` | %d | %.1f | %.1f | %.2f |" % (r["query"].replace("|", "\\|"), r["series"], r["prometheus_ms"],
                                                   r["promlite_ms"], r["ratio"]))
    print("| **geometric mean** | | | | **%.2f** |" % gm)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"args": vars(args), "series": n_series, "samples": n_samples, "rows": rows,
                       "gmean_ratio": gm}, f, indent=1)
    if not args.keep:
        shutil.rmtree(run, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
