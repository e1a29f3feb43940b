"""Compile a validated configuration into snapshot bundles (FORMAT.md), one per environment.

The render step (``flagwright render``) and the in-memory ``eval``/``explain`` commands both go
through these functions, so a bundle on disk and an answer on the command line agree.
"""

from __future__ import annotations

from flagwright.compile.json_out import dump_bundle
from flagwright.compile.select import select_flags
from flagwright.compile.snapshot import (
    CompileError,
    UnknownEnvironment,
    compile_flags,
    compile_snapshot,
)

__all__ = [
    "CompileError",
    "UnknownEnvironment",
    "compile_flags",
    "compile_snapshot",
    "dump_bundle",
    "select_flags",
]
