"""Shared fixtures: the repository's tools and the lowp package under test.

Run with Debian's interpreter and the build's package first on the path:
``PYTHONPATH=build/python /usr/bin/python3 -m pytest python/tests``
(the lit suite does exactly that, test/Python/pytest.test)."""

from __future__ import annotations

import os
import subprocess
from typing import List, Sequence

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.environ.get("LOWP_BUILD_DIR", os.path.join(REPO, "build"))
TOOLS = os.path.join(BUILD, "bin")


def tool(name: str) -> str:
    path = os.path.join(TOOLS, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not built")
    return path


def run_tool(name: str, args: Sequence[str], stdin: str = "") -> str:
    """Runs a lowp tool and returns its standard output; fails the test
    with its standard error when it exits non-zero."""
    result = subprocess.run([tool(name), *args], input=stdin,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"{name} {' '.join(args)} failed:\n"
                             f"{result.stderr}")
    return result.stdout


#: Every builtin float format lowp-format lists, and formats of each other
#: kind.
BUILTIN_FLOATS: List[str] = [
    "f4E2M1FN", "f6E2M3FN", "f6E3M2FN", "f8E4M3FN", "f8E5M2", "f8E4M3",
    "f8E3M4", "f8E4M3FNUZ", "f8E5M2FNUZ", "f8E4M3B11FNUZ", "f8E8M0FNU", "f16",
    "bf16", "tf32",
]
OTHER_FORMATS: List[str] = [
    "!lowp.float<e3m3>", "!lowp.float<e2m2, unsigned, finite>", "i4", "ui8",
    "si12", "!lowp.codebook<nf4>",
]
DETERMINISTIC_MODES = ["to_nearest_even", "to_nearest_away", "toward_zero",
                       "upward", "downward"]
