"""The exceptions lowp raises. Every one derives from :class:`lowp.Error`."""

from __future__ import annotations

import re
from typing import List

_LOCATION = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): "
                       r"(?P<severity>error|warning|note|remark): "
                       r"(?P<message>.*)$")


class Error(Exception):
    """An error from lowp: bad MLIR, a format it does not know, arrays that
    do not fit a function's signature, a failed compilation.

    ``str(error)`` is the whole message; ``error.diagnostics`` holds the MLIR
    diagnostics it carries, one per line as ``FILE:LINE:COL: error: ...``,
    and ``error.locations`` the same as (file, line, column, severity,
    message) tuples."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics: List[str] = [
            line for line in message.splitlines() if _LOCATION.match(line)]
        self.locations = []
        for line in self.diagnostics:
            m = _LOCATION.match(line)
            self.locations.append((m["file"], int(m["line"]), int(m["col"]),
                                   m["severity"], m["message"]))


class ParseError(Error, ValueError):
    """MLIR text (or a file) that does not parse or verify."""


class CompileError(Error, RuntimeError):
    """A module that parses but does not lower or compile, or a failed
    pass pipeline."""


class FormatError(Error, ValueError):
    """A format, encoding or rounding mode that lowp does not know, or codes
    that are not codes of their format."""


class ArgumentError(Error, TypeError):
    """Arrays that do not fit a compiled function's signature: their count,
    shapes, dtypes, or values that are not values of the element type."""


class UnsupportedOpError(Error, ValueError):
    """An importer met an operation it does not translate."""
