#!/usr/bin/env python3
"""Inputs of format-choice.test's matmul kernel checks (numpy only):

  format_choice_inputs.py PREFIX

writes PREFIX.x.npy (3 x 512 activations), PREFIX.w.npy (a 256 x 512 f32
weight: integer rows, power-of-two rows, Gaussian rows with outliers, one
NaN and one infinity), and the parts of weights with choices: PREFIX.e.npy
(ui4 codes), PREFIX.s.npy (E8M0 scale codes), PREFIX.sel.npy (selectors
0..2) for 256 x 512 with blocks of 32, and PREFIX.e2/s2/sel2.npy for 128 x
512 with blocks of 64 and two choices, and PREFIX.e3/s3/sel3.npy for a
512 x 256 (K x N) weight with blocks of 32 along K and two choices, and
PREFIX.de/ds/dsel.npy for 64 x 256 with blocks of 32 and three choices,
selectors 0..3 (3 names none)."""

import sys

import numpy as np


def main():
    prefix = sys.argv[1]
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 512)).astype(np.float32)
    w = rng.standard_normal((256, 512)).astype(np.float32)
    w[::3] = np.round(np.clip(w[::3] * 3, -8, 7))
    w[1::3] = np.sign(w[1::3]) * 2.0 ** np.round(w[1::3] * 2)
    w[2::3, ::37] *= 20
    w[5, 7] = np.nan
    w[8, 100] = np.inf
    np.save(prefix + ".x.npy", x)
    np.save(prefix + ".w.npy", w)
    np.save(prefix + ".e.npy", rng.integers(0, 16, (256, 512)).astype(np.uint8))
    np.save(prefix + ".s.npy", rng.integers(120, 135, (256, 16)).astype(np.uint8))
    np.save(prefix + ".sel.npy", rng.integers(0, 3, (256, 16)).astype(np.uint8))
    np.save(prefix + ".e2.npy", rng.integers(0, 16, (128, 512)).astype(np.uint8))
    np.save(prefix + ".s2.npy", rng.integers(120, 135, (128, 8)).astype(np.uint8))
    np.save(prefix + ".sel2.npy", rng.integers(0, 2, (128, 8)).astype(np.uint8))
    np.save(prefix + ".e3.npy", rng.integers(0, 16, (512, 256)).astype(np.uint8))
    np.save(prefix + ".s3.npy", rng.integers(120, 135, (16, 256)).astype(np.uint8))
    np.save(prefix + ".sel3.npy", rng.integers(0, 2, (16, 256)).astype(np.uint8))
    # Selector 3 names no choice of three: NaN.
    np.save(prefix + ".de.npy", rng.integers(0, 16, (64, 256)).astype(np.uint8))
    np.save(prefix + ".ds.npy", rng.integers(100, 160, (64, 8)).astype(np.uint8))
    np.save(prefix + ".dsel.npy", rng.integers(0, 4, (64, 8)).astype(np.uint8))


if __name__ == "__main__":
    main()
