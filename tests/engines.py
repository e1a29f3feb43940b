"""Run runtime tests on both evaluators: the compiled one (``_accel``) and generated Python.

``engine("python")`` turns the accelerator off for what is compiled inside the block (a flag
keeps the evaluator it was compiled with); ``ENGINES`` names both. The test environment must
have the accelerator built (``.ci/setup`` installs the package with a C compiler):
``tests/runtime/test_accel.py`` fails when it is missing, it never skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flagwright.runtime import accel

ENGINES = ("c", "python")
_BUILT = accel.ENGINE


@contextmanager
def engine(name: str) -> Iterator[None]:
    if name not in ENGINES:
        raise ValueError(name)
    saved = accel.ENGINE
    accel.ENGINE = _BUILT if name == "c" else None
    try:
        yield
    finally:
        accel.ENGINE = saved
