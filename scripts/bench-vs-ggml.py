#!/usr/bin/python3
"""lowp's GEMMs against ggml's MUL_MAT in the same run.

  /usr/bin/python3 scripts/bench-vs-ggml.py --ggml=DIR [--rounds=N] [--threads=T]

Runs lowp-bench (scripts/bench.sh, its GEMM rows and OpenBLAS sgemm) and
ggml's MUL_MAT harness (scripts/bench-ggml.sh, built against the ggml or
llama.cpp checkout DIR) one round each, alternately, N times (default 3),
so that a change in the shared machine's load moves both alike. Then it
prints, for each lowp kernel and thread count, the median GFLOP/s of lowp
and of the ggml cases with the nearest format, and their ratio (above
1.00: lowp is faster).

ggml always converts f32 activations to its vec_dot_type (q8_0 blocks of
32 int8 values with an f16 scale for these weight types) inside MUL_MAT,
so each of its quantized GEMMs is a W4A8 or W8A8 product. lowp's W4A32
rows (f32 activations, every product exact in f32) are therefore compared
with a less exact computation, and its W4A8 rows (MXFP8 activations) are
the like-for-like comparison. The closest ggml formats:

  lowp                          ggml
  MXFP4 (E2M1, E8M0 per 32)     mxfp4 (the same format), repacked and not
  NVFP4 (E4M3 per 16, f32)      nvfp4 (E4M3 per 16, no tensor scale)
  int4-g128 (f16 + zero / 128)  q4_0 (int4, f16 per 32, no zero point)
  int8 per row x int4-g128      q4_0 (q8_0 activations)
  E4M3 x MXFP8, E4M3 x E4M3     q8_0 (int8, f16 per 32; q8_0 activations)

Exit status: 0, or 1 if either program reported a wrong result or failed.
Standard library only.
"""

import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# lowp kernel (without _1t/_2t) -> (the ggml cases it is compared with, what
# the activations are on each side).
PAIRS = [
    ("gemm_mxfp4_64", ["ggml_mxfp4_repack_64", "ggml_mxfp4_64"], "W4A32 vs W4A8"),
    ("gemm_mxfp4_512", ["ggml_mxfp4_repack_512", "ggml_mxfp4_512"], "W4A32 vs W4A8"),
    ("gemm_nvfp4_512", ["ggml_nvfp4_512"], "W4A32 vs W4A8"),
    ("gemm_int4_g128_512", ["ggml_q4_0_repack_512", "ggml_q4_0_512"], "W4A32 vs W4A8"),
    ("gemm_mxfp8_mxfp4_64", ["ggml_mxfp4_repack_64", "ggml_mxfp4_64"], "W4A8 vs W4A8"),
    ("gemm_mxfp8_mxfp4_512", ["ggml_mxfp4_repack_512", "ggml_mxfp4_512"], "W4A8 vs W4A8"),
    ("gemm_int8_int4_g128_512", ["ggml_q4_0_repack_512", "ggml_q4_0_512"], "W4A8 vs W4A8"),
    ("gemm_e4m3_mxfp8_512", ["ggml_q8_0_512"], "W8A8 vs W8A8"),
    ("gemm_e4m3_e4m3_512", ["ggml_q8_0_512"], "W8A8 vs W8A8"),
]

SHAPE = re.compile(r"^\d+x\d+x\d+$")


def parse_lowp(text, results):
    """GFLOP/s of lowp-bench's GEMM rows: NAME ... MxKxN THREADS MS GFLOPS."""
    for line in text.splitlines():
        fields = line.split()
        if not fields or not re.match(r"^(gemm_|openblas_sgemm_)", fields[0]):
            continue
        for i, field in enumerate(fields):
            if SHAPE.match(field) and i + 3 < len(fields):
                try:
                    gflops = float(fields[i + 3])
                except ValueError:
                    break
                results.setdefault(fields[0], []).append(gflops)
                break


def parse_ggml(text, results):
    """GFLOP/s of the harness's lines: NAME threads=T ms=M gflops=G ..."""
    for line in text.splitlines():
        fields = dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)
        if line.startswith("ggml_") and "gflops" in fields and "threads" in fields:
            name = "%s_%st" % (line.split()[0], fields["threads"])
            results.setdefault(name, []).append(float(fields["gflops"]))


def run(command, env):
    print("bench-vs-ggml.py: " + " ".join(command), file=sys.stderr, flush=True)
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    return done.returncode, done.stdout


def main():
    ggml, rounds, threads = None, 3, 2
    for arg in sys.argv[1:]:
        if arg.startswith("--ggml="):
            ggml = arg.split("=", 1)[1]
        elif arg.startswith("--rounds="):
            rounds = int(arg.split("=", 1)[1])
        elif arg.startswith("--threads="):
            threads = int(arg.split("=", 1)[1])
        elif arg in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            print("bench-vs-ggml.py: unknown option %s (see --help)" % arg, file=sys.stderr)
            return 2
    if not ggml or rounds < 1 or threads < 1:
        print("bench-vs-ggml.py: --ggml=DIR is required; --rounds and --threads "
              "are positive (see --help)", file=sys.stderr)
        return 2
    lowp_filter = ",".join(["openblas_sgemm_64", "openblas_sgemm_512"] +
                           [name for name, _, _ in PAIRS])
    lowp, ggml_results = {}, {}
    status = 0
    env = dict(os.environ)
    # As scripts/bench.sh runs it (which also builds it, in the first round).
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    for i in range(rounds):
        lowp_bench = ["bash", "scripts/bench.sh"] if i == 0 else ["build-bench/lowp-bench"]
        code, out = run(lowp_bench + ["--rounds=1", "--threads=%d" % threads,
                                      "--filter=" + lowp_filter], env)
        status |= code != 0
        parse_lowp(out, lowp)
        code, out = run(["bash", "scripts/bench-ggml.sh", "--ggml=" + ggml,
                         "--rounds=1", "--threads=1,%d" % threads,
                         "--filter=mxfp4,q4_0,q8_0,nvfp4"], env)
        status |= code != 0
        parse_ggml(out, ggml_results)
    print("lowp GEMMs against ggml MUL_MAT, median GFLOP/s of %d alternating rounds "
          "(above 1.00x lowp is faster)" % rounds)
    print("  %-28s %-14s %8s  %-28s %8s %7s" % ("lowp kernel", "activations", "GFLOP/s",
                                               "ggml case", "GFLOP/s", "ratio"))
    for name, cases, kind in PAIRS:
        for t in sorted({1, threads}):
            key = "%s_%dt" % (name, t)
            if key not in lowp:
                continue
            mine = statistics.median(lowp[key])
            for case in cases:
                other = ggml_results.get("%s_%dt" % (case, t))
                if not other:
                    continue
                theirs = statistics.median(other)
                print("  %-28s %-14s %8.1f  %-28s %8.1f %6.2fx" % (
                    key, kind, mine, "%s_%dt" % (case, t), theirs, mine / theirs))
    for t in sorted({1, threads}):
        for shape in ("64", "512"):
            key = "openblas_sgemm_%s_%dt" % (shape, t)
            if key in lowp:
                print("  %-28s %-14s %8.1f  (OpenBLAS f32, for scale)" % (
                    key, "f32", statistics.median(lowp[key])))
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
