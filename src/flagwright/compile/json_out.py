"""The one way bundles become text, so identical bundles are identical bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def dump_bundle(bundle: Mapping[str, Any]) -> str:
    """Sorted keys, two-space indent, UTF-8 text (not ASCII escapes), trailing newline.

    ``allow_nan=False``: NaN and Infinity are not JSON, and other readers would reject the file.
    """
    return json.dumps(bundle, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
