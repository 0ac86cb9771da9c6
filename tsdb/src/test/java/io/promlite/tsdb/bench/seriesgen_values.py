"""Writes the bench farm's series values for ChunkGrowthBench.

usage: python3 seriesgen_values.py FARM_BENCH_DIR TARGETS STEPS OUT
FARM_BENCH_DIR holds the farm's seriesgen.py. Targets 0..TARGETS-1 of 1000 series each (seed 1,
as the farm runs them), STEPS scrapes 5 s apart. OUT: int32 series, int32 steps, then each
series' values as big-endian doubles, in the order the target exposes them.
"""
import struct
import sys

sys.path.insert(0, sys.argv[1])
import seriesgen  # noqa: E402

targets, steps, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
columns = []
for idx in range(targets):
    target = seriesgen.Target(idx, 1000, 1)
    rows = []
    for k in range(steps):
        target.step(1_700_000_000 + 5 * k, 5)
        rows.append([float(v if kind == "c" else target.vals[v]) for _, _, kind, v in target.series])
    columns.extend([row[s] for row in rows] for s in range(len(rows[0])))
with open(out, "wb") as f:
    f.write(struct.pack(">ii", len(columns), steps))
    for column in columns:
        f.write(struct.pack(">%dd" % steps, *column))
