#!/usr/bin/env python3
"""Range-query latency on live data: Prometheus vs promlite, same run, same samples.

Both servers start fresh and empty; the same series (../shared/bench generator, same seeds) are
then remote-written to each with timestamps from 2 s after the servers were ready, --minutes of
them at 15 s. So every series is created after start, and every query window, which starts at the
ready time as ingest_bench.py's does, reaches before the series' first samples. The queries are
ingest_bench.py's set, as /api/v1/query_range at step 15 s: 3 untimed runs each, then --reps timed
runs with the servers interleaved. Prints medians, the promlite/Prometheus ratio and its geometric
mean. Wall-clock figures: run it on a quiet machine.

    promql-lite/bench/live_query_bench.py --jar http-api/target/promlite.jar
"""
import argparse
import http.client
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SHARED_BENCH = os.environ.get("PROMLITE_SHARED_BENCH", "/work/shared/bench")
sys.path.insert(0, SHARED_BENCH)
import ingest_bench  # noqa: E402  (QUERIES)
import storage_bench as sb  # noqa: E402  (make_targets, RemoteWriter)
from urllib.parse import urlencode  # noqa: E402


def wait_ready(port):
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/-/ready")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--jvm-args", default="", help="extra JVM arguments for promlite, e.g. a JFR recording")
    ap.add_argument("--series", type=int, default=7500)
    ap.add_argument("--minutes", type=int, default=5)
    ap.add_argument("--reps", type=int, default=21)
    ap.add_argument("--port-prometheus", type=int, default=23730)
    ap.add_argument("--port-promlite", type=int, default=23731)
    args = ap.parse_args()
    run = tempfile.mkdtemp(prefix="live-query-bench-")
    with open(os.path.join(run, "empty.yml"), "w") as f:
        f.write("scrape_configs: []\n")
    prom, pl = args.port_prometheus, args.port_promlite
    cmds = {prom: ["/usr/bin/prometheus", "--config.file=%s/empty.yml" % run, "--storage.tsdb.path=%s/prom" % run,
                   "--web.listen-address=127.0.0.1:%d" % prom, "--web.enable-remote-write-receiver"],
            pl: ["java"] + args.jvm_args.split() + ["-jar", args.jar, "--config.file=%s/empty.yml" % run,
                 "--storage.tsdb.path=%s/pl" % run, "--web.listen-address=127.0.0.1:%d" % pl,
                 "--web.enable-remote-write-receiver"]}
    procs = [subprocess.Popen(c, stdout=open("%s/%d.log" % (run, p), "w"), stderr=subprocess.STDOUT)
             for p, c in cmds.items()]
    try:
        for p in cmds:
            wait_ready(p)
        ready = time.time()
        steps = args.minutes * 4
        ts = [int((ready + 2 + j * 15) * 1000) for j in range(steps)]
        for p in cmds:
            w = sb.RemoteWriter(p, 500, steps)
            w.push(sb.make_targets(args.series, 500, 1, 4), ts, 15)
            if w.errors:
                raise SystemExit("remote write to port %d failed: %s" % (p, w.errors[0]))
        conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=60) for p in cmds}
        ratios = []
        print("%d series x %d samples, window %.0f s" % (args.series, steps, ts[-1] / 1000 - ready))
        for name, q in ingest_bench.QUERIES:
            path = "/api/v1/query_range?" + urlencode({"query": q, "start": ready, "end": ts[-1] / 1000, "step": 15})
            times = {p: [] for p in conns}
            for i in range(args.reps + 3):
                for p in (list(conns) if i % 2 else list(reversed(list(conns)))):
                    t0 = time.perf_counter()
                    conns[p].request("GET", path)
                    body = conns[p].getresponse().read()
                    if i >= 3:
                        times[p].append(time.perf_counter() - t0)
                    series = len(json.loads(body)["data"]["result"])
            a, b = statistics.median(times[prom]) * 1e3, statistics.median(times[pl]) * 1e3
            ratios.append(b / a)
            print("%-26s prometheus %8.3f ms  promlite %8.3f ms  ratio %.2f  (%d series)" % (name, a, b, b / a, series))
        print("geometric mean of ratios %.2f" % math.exp(sum(map(math.log, ratios)) / len(ratios)))
    finally:
        for pr in procs:
            pr.terminate()
        for pr in procs:
            pr.wait(60)
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
