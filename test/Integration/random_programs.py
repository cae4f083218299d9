#!/usr/bin/env python3
"""Random well-typed lowp programs, each run compiled and in the reference
interpreter by lowp-run --check (standard library only).

  random_programs.py [--seed=N|--seed=random] [--count=N] LOWP_RUN WORKDIR

Each program takes a random f32 tensor (NaN, infinities, zeros, subnormals,
values up to 3e38 and pseudo-random magnitudes) and runs 3 to 7 random steps:
lowp.convert into a random format (FP8, FP6, FP4, bf16, f16, !lowp.float,
codebooks, narrow integers, posits, HiFloat8, logarithmic numbers) under a
random rounding mode, saturating or not, stochastic with random bits; arith
on f32 and on builtin narrow floats; lowp.quantize / dequantize under MX,
NVFP4, int4-g128 and per-group format choice encodings where the shape
allows; math functions; comparisons and selects; lowp.matmul
against narrow and block-scaled weights; linalg.matmul and linalg.reduce in
narrow floats; scf.for and scf.if carrying narrow tensors. Every result
must match the reference (lowp-run --check); a mismatch, an error or a
crash prints the program and counts as a failure. Prints
"N programs, F failed" and exits 1 if F > 0.
"""

import os
import random
import struct
import subprocess
import sys

from matmul_kernels import write_npy

FORMATS = ["f8E4M3FN", "f8E5M2", "f8E4M3FNUZ", "f8E5M2FNUZ", "f6E2M3FN",
           "f6E3M2FN", "f4E2M1FN", "bf16", "f16", "f8E8M0FNU",
           "!lowp.float<e3m3>", "!lowp.float<e2m2, fn>", "!lowp.float<e5m1>",
           "!lowp.codebook<nf4>", "i4", "i8", "ui4", "i2",
           "!lowp.posit<8, 1>", "!lowp.posit<16, 2>", "!lowp.hif8",
           "!lowp.lns<4, 3>"]
# Builtin floats: arith takes them directly.
ARITH_FORMATS = ["f8E4M3FN", "f8E5M2", "f6E2M3FN", "f4E2M1FN", "bf16", "f16"]
MODES = ["", "to_nearest_away", "toward_zero", "upward", "downward"]
ENCODINGS = [("f4E2M1FN", "mx", 32), ("f8E4M3FN", "mx", 32),
             ("f6E3M2FN", "mx", 32), ("i8", "mx", 32),
             ("f4E2M1FN", "nvfp4", 16),
             ("ui4", "block = [32], scale = f8E8M0FNU, rule = floor, "
              "choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]", 32)]
MATH = ["absf", "exp", "sqrt", "tanh", "floor", "log1p"]


def f32_words(rng, count):
    specials = [0x7FC00000, 0x7F800000, 0xFF800000, 0x00000000, 0x80000000,
                0x00000001, 0x807FFFFF, 0x7F7FFFFF, 0xFF7FFFFF]
    words = []
    for _ in range(count):
        r = rng.random()
        if r < 0.15:
            words.append(rng.choice(specials))
        else:
            magnitude = 2.0 ** rng.uniform(-30, 30)
            value = magnitude if rng.random() < 0.5 else -magnitude
            words.append(struct.unpack("<I", struct.pack("<f", value))[0])
    return words


class Program:
    def __init__(self, rng):
        self.rng = rng
        self.rows = rng.choice([1, 2, 3])
        self.cols = rng.choice([16, 32, 48, 64, 128, 7, 33])
        self.lines = []
        self.results = []  # (value, type)
        self.next = 0
        self.needs_random = False

    def shape(self, element):
        return "tensor<%dx%dx%s>" % (self.rows, self.cols, element)

    def fresh(self):
        self.next += 1
        return "%%v%d" % self.next

    def emit(self, text):
        self.lines.append("  " + text)

    def step(self, value):
        """One random step from an f32 value; returns the new f32 value."""
        rng = self.rng
        f32 = self.shape("f32")
        kind = rng.choice(["convert", "convert", "arith", "narrow", "quantize",
                           "math", "select", "stochastic", "matmul",
                           "linalg", "loop", "branch"])
        if kind in ("convert", "stochastic"):
            fmt = rng.choice(FORMATS)
            mode = rng.choice(MODES)
            saturate = rng.random() < 0.3 and not fmt.startswith("!lowp.codebook")
            narrow = self.shape(fmt)
            out = self.fresh()
            if kind == "stochastic" and not fmt.startswith("!lowp.codebook") \
                    and not fmt.startswith("!lowp.lns") and fmt != "f8E8M0FNU":
                self.needs_random = True
                self.emit("%s = lowp.convert %s random(%%r : %s) stochastic%s : %s to %s"
                          % (out, value, self.shape("i8"),
                             " saturate" if saturate else "", f32, narrow))
            else:
                self.emit("%s = lowp.convert %s%s%s : %s to %s"
                          % (out, value, " " + mode if mode else "",
                             " saturate" if saturate else "", f32, narrow))
            self.results.append((out, narrow))
            back = self.fresh()
            self.emit("%s = lowp.convert %s : %s to %s" % (back, out, narrow, f32))
            return back
        if kind == "arith":
            op = rng.choice(["addf", "subf", "mulf", "divf", "maxnumf",
                             "minimumf", "remf"])
            out = self.fresh()
            self.emit("%s = arith.%s %s, %%x : %s" % (out, op, value, f32))
            return out
        if kind == "narrow":
            fmt = rng.choice(ARITH_FORMATS)
            narrow = self.shape(fmt)
            a = self.fresh()
            self.emit("%s = arith.truncf %s : %s to %s" % (a, value, f32, narrow))
            b = self.fresh()
            op = rng.choice(["addf", "mulf", "subf", "divf", "maxnumf"])
            self.emit("%s = arith.%s %s, %s : %s" % (b, op, a, a, narrow))
            self.results.append((b, narrow))
            c = self.fresh()
            self.emit("%s = arith.extf %s : %s to %s" % (c, b, narrow, f32))
            return c
        if kind == "quantize":
            element, preset, block = rng.choice(ENCODINGS)
            if self.cols % block:
                return value
            encoded = "tensor<%dx%dx%s, #lowp.block_scaled<%s>>" % (
                self.rows, self.cols, element, preset)
            mode = rng.choice(MODES)
            q = self.fresh()
            self.emit("%s = lowp.quantize %s%s : %s to %s"
                      % (q, value, " " + mode if mode else "", f32, encoded))
            self.results.append((q, encoded))
            d = self.fresh()
            self.emit("%s = lowp.dequantize %s : %s to %s" % (d, q, encoded, f32))
            return d
        if kind == "math":
            op = rng.choice(MATH)
            fmt = rng.choice(["f32", "bf16", "f16"])
            if fmt == "f32":
                out = self.fresh()
                self.emit("%s = math.%s %s : %s" % (out, op, value, f32))
                return out
            narrow = self.shape(fmt)
            a = self.fresh()
            self.emit("%s = arith.truncf %s : %s to %s" % (a, value, f32, narrow))
            b = self.fresh()
            self.emit("%s = math.%s %s : %s" % (b, op, a, narrow))
            self.results.append((b, narrow))
            c = self.fresh()
            self.emit("%s = arith.extf %s : %s to %s" % (c, b, narrow, f32))
            return c
        if kind == "matmul":
            return self.matmul(value)
        if kind == "linalg":
            return self.linalg(value)
        if kind == "loop":
            return self.loop(value)
        if kind == "branch":
            return self.branch(value)
        # select
        predicate = rng.choice(["olt", "oge", "une", "uno", "ord"])
        p = self.fresh()
        self.emit("%s = arith.cmpf %s, %s, %%x : %s" % (p, predicate, value, f32))
        s = self.fresh()
        self.emit("%s = arith.select %s, %s, %%x : %s, %s"
                  % (s, p, value, self.shape("i1"), f32))
        return s

    def matmul(self, value):
        """lowp.matmul of the value by itself as N x K weights in a narrow
        format or a block-scaled encoding: a rows x rows result, checked
        against the reference's exact sums and bound. The chain goes on
        with the value."""
        rng = self.rng
        f32 = self.shape("f32")
        choices = ["bf16", "f8E4M3FN", "f4E2M1FN", "!lowp.float<e3m2>"]
        if self.cols % 32 == 0:
            choices += ["mx"]
        weight = rng.choice(choices)
        w = self.fresh()
        if weight == "mx":
            wtype = "tensor<%dx%dxf4E2M1FN, #lowp.block_scaled<mx>>" % (
                self.rows, self.cols)
            self.emit("%s = lowp.quantize %s : %s to %s" % (w, value, f32, wtype))
        else:
            wtype = self.shape(weight)
            self.emit("%s = lowp.convert %s : %s to %s" % (w, value, f32, wtype))
        y = self.fresh()
        rtype = "tensor<%dx%dxf32>" % (self.rows, self.rows)
        self.emit("%s = lowp.matmul %s, %s {accumulator = f32, transpose_rhs} "
                  ": %s, %s -> %s" % (y, value, w, f32, wtype, rtype))
        self.results.append((y, rtype))
        return value

    def linalg(self, value):
        """A named linalg op computing in a builtin narrow float, each step
        rounded into it: linalg.matmul of the value by its transpose, or
        linalg.reduce of each row."""
        rng = self.rng
        fmt = rng.choice(["bf16", "f16", "f8E4M3FN", "f8E5M2"])
        narrow = self.shape(fmt)
        a = self.fresh()
        self.emit("%s = arith.truncf %s : %s to %s"
                  % (a, value, self.shape("f32"), narrow))
        zero = self.fresh()
        self.emit("%s = arith.constant 0.0 : %s" % (zero, fmt))
        if rng.random() < 0.5:
            ttype = "tensor<%dx%dx%s>" % (self.cols, self.rows, fmt)
            rtype = "tensor<%dx%dx%s>" % (self.rows, self.rows, fmt)
            e, t, i, f, m = (self.fresh() for _ in range(5))
            self.emit("%s = tensor.empty() : %s" % (e, ttype))
            self.emit("%s = linalg.transpose ins(%s : %s) outs(%s : %s) "
                      "permutation = [1, 0]" % (t, a, narrow, e, ttype))
            self.emit("%s = tensor.empty() : %s" % (i, rtype))
            self.emit("%s = linalg.fill ins(%s : %s) outs(%s : %s) -> %s"
                      % (f, zero, fmt, i, rtype, rtype))
            self.emit("%s = linalg.matmul ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                      % (m, a, t, narrow, ttype, f, rtype, rtype))
        else:
            rtype = "tensor<%dx%s>" % (self.rows, fmt)
            i, f, m = (self.fresh() for _ in range(3))
            op = rng.choice(["addf", "maximumf", "mulf"])
            self.emit("%s = tensor.empty() : %s" % (i, rtype))
            self.emit("%s = linalg.fill ins(%s : %s) outs(%s : %s) -> %s"
                      % (f, zero, fmt, i, rtype, rtype))
            self.emit("%s = linalg.reduce ins(%s : %s) outs(%s : %s) dimensions = [1]"
                      % (m, a, narrow, f, rtype))
            self.emit("  (%%in: %s, %%acc: %s) {" % (fmt, fmt))
            self.emit("    %%s = arith.%s %%in, %%acc : %s" % (op, fmt))
            self.emit("    linalg.yield %%s : %s" % fmt)
            self.emit("  }")
        self.results.append((m, rtype))
        return value

    def loop(self, value):
        """scf.for carrying the value in a narrow format: each iteration
        multiplies by x in f32 and rounds back, 1 to 3 times."""
        rng = self.rng
        f32 = self.shape("f32")
        fmt = rng.choice(FORMATS[:12])
        narrow = self.shape(fmt)
        a, lo, hi, one, r = (self.fresh() for _ in range(5))
        self.emit("%s = lowp.convert %s : %s to %s" % (a, value, f32, narrow))
        self.emit("%s = arith.constant 0 : index" % lo)
        self.emit("%s = arith.constant %d : index" % (hi, rng.randint(1, 3)))
        self.emit("%s = arith.constant 1 : index" % one)
        self.emit("%s = scf.for %%i%s = %s to %s step %s iter_args(%%t%s = %s) -> (%s) {"
                  % (r, r[2:], lo, hi, one, r[2:], a, narrow))
        self.emit("  %%f%s = lowp.convert %%t%s : %s to %s" % (r[2:], r[2:], narrow, f32))
        self.emit("  %%g%s = arith.mulf %%f%s, %%x : %s" % (r[2:], r[2:], f32))
        self.emit("  %%h%s = lowp.convert %%g%s : %s to %s" % (r[2:], r[2:], f32, narrow))
        self.emit("  scf.yield %%h%s : %s" % (r[2:], narrow))
        self.emit("}")
        self.results.append((r, narrow))
        back = self.fresh()
        self.emit("%s = lowp.convert %s : %s to %s" % (back, r, narrow, f32))
        return back

    def branch(self, value):
        """scf.if on the sign of the value's first element, choosing between
        two roundings of it (or two quantizations)."""
        rng = self.rng
        f32 = self.shape("f32")
        fmt = rng.choice(FORMATS[:12])
        narrow = self.shape(fmt)
        c0, e, zero, p, r = (self.fresh() for _ in range(5))
        self.emit("%s = arith.constant 0 : index" % c0)
        self.emit("%s = tensor.extract %s[%s, %s] : %s" % (e, value, c0, c0, f32))
        self.emit("%s = arith.constant 0.0 : f32" % zero)
        self.emit("%s = arith.cmpf olt, %s, %s : f32" % (p, e, zero))
        modes = rng.sample(MODES, 2)
        self.emit("%s = scf.if %s -> (%s) {" % (r, p, narrow))
        for k, mode in enumerate(modes):
            if k == 1:
                self.emit("} else {")
            self.emit("  %%b%d%s = lowp.convert %s%s : %s to %s"
                      % (k, r[2:], value, " " + mode if mode else "", f32, narrow))
            self.emit("  scf.yield %%b%d%s : %s" % (k, r[2:], narrow))
        self.emit("}")
        self.results.append((r, narrow))
        back = self.fresh()
        self.emit("%s = lowp.convert %s : %s to %s" % (back, r, narrow, f32))
        return back

    def text(self):
        value = "%x"
        for _ in range(self.rng.randint(3, 7)):
            value = self.step(value)
        self.results.append((value, self.shape("f32")))
        arguments = ["%%x: %s" % self.shape("f32")]
        if self.needs_random:
            arguments.append("%%r: %s" % self.shape("i8"))
        header = "func.func @main(%s) -> (%s) {" % (
            ", ".join(arguments), ", ".join(t for _, t in self.results))
        ret = "  return %s : %s" % (", ".join(v for v, _ in self.results),
                                   ", ".join(t for _, t in self.results))
        return "\n".join([header] + self.lines + [ret, "}"]) + "\n"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    options = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    seed = options.get("seed", "1")
    seed = random.SystemRandom().randrange(1 << 30) if seed == "random" else int(seed)
    count = int(options.get("count", "20"))
    lowp_run, workdir = args
    os.makedirs(workdir, exist_ok=True)
    failed = 0
    for index in range(count):
        rng = random.Random(seed * 100003 + index)
        program = Program(rng)
        text = program.text()
        path = os.path.join(workdir, "program%d.mlir" % index)
        with open(path, "w") as f:
            f.write(text)
        x = os.path.join(workdir, "x%d.npy" % index)
        write_npy(x, "<u4", [program.rows, program.cols],
                  f32_words(rng, program.rows * program.cols))
        with open(x, "r+b") as f:
            header = f.read(128)
            f.seek(0)
            f.write(header.replace(b"<u4", b"<f4"))
        command = [lowp_run, path, "--input=" + x, "--check"]
        if program.needs_random:
            r = os.path.join(workdir, "r%d.npy" % index)
            write_npy(r, "<i1", [program.rows, program.cols],
                      [rng.randrange(-128, 128)
                       for _ in range(program.rows * program.cols)])
            command.append("--input=" + r)
        done = subprocess.run(command, capture_output=True, text=True)
        lines = done.stdout.splitlines()
        ok = (done.returncode == 0 and lines and
              all(" 0 bit mismatches" in l or " 0 outside the error bound" in l
                  for l in lines))
        if not ok:
            failed += 1
            print("program %d (seed %d) failed, exit %d:" % (index, seed, done.returncode))
            print(text)
            print(done.stdout[-2000:] + done.stderr[-2000:])
    print("%d programs, %d failed (seed %d)" % (count, failed, seed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
