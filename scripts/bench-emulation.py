#!/usr/bin/python3
"""lowp's emulation API against numpy's own conversion, in one run.

Times lowp.encode / lowp.round on 64M float32 values next to numpy's
x.astype(np.float16) on the same array (medians of interleaved runs) and
prints each as throughput relative to numpy's. Run from the repository:
    PYTHONPATH=build/python /usr/bin/python3 scripts/bench-emulation.py
"""

import statistics
import time

import numpy as np

import lowp

COUNT = 64 << 20
RUNS = 5

CASES = [
    ("x.astype(np.float16)", lambda x: x.astype(np.float16)),
    ('lowp.encode(x, "f16")', lambda x: lowp.encode(x, "f16")),
    ('lowp.encode(x, "f8E4M3FN")', lambda x: lowp.encode(x, "f8E4M3FN")),
    ('lowp.round(x, "f8E4M3FN")', lambda x: lowp.round(x, "f8E4M3FN")),
    ('lowp.encode(x, "f4E2M1FN")', lambda x: lowp.encode(x, "f4E2M1FN")),
    ('lowp.round(x, "bf16")', lambda x: lowp.round(x, "bf16")),
]


def main():
    x = np.random.default_rng(0).standard_normal(COUNT).astype(np.float32)
    for _, call in CASES:  # build each format's table before timing
        call(x[:16])
    times = {name: [] for name, _ in CASES}
    for _ in range(RUNS):
        for name, call in CASES:
            start = time.perf_counter()
            call(x)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times[CASES[0][0]])
    print(f"{COUNT} float32 values, median of {RUNS} interleaved runs")
    for name, _ in CASES:
        t = statistics.median(times[name])
        print(f"{name:30s} {t * 1e3:8.1f} ms  {base / t:5.2f}x numpy's "
              "astype(float16) throughput")


if __name__ == "__main__":
    main()
