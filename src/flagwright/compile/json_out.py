"""The one way bundles become text, so identical bundles are identical bytes.

The file is the canonical JSON the digest is computed over (sorted keys, no insignificant
whitespace, UTF-8), plus the ``digest`` member and one newline before each flag. The newlines keep
Git diffs of ``rendered/`` to one line per changed flag; compact JSON lets the C encoder write it
(an indented dump goes through the pure-Python encoder, several times slower), and lets readers
verify the digest by hashing the file's bytes instead of re-serialising the document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def _compact(value: Any) -> str:
    # allow_nan=False: NaN and Infinity are not JSON, and other readers would reject the file.
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def dump_bundle(bundle: Mapping[str, Any]) -> str:
    """Canonical compact JSON with one flag per line and a trailing newline."""
    members = []
    for key in sorted(bundle):
        value = bundle[key]
        if key == "flags" and value:
            flags = ",\n".join(
                f"{_compact(name)}:{_compact(flag)}" for name, flag in sorted(value.items())
            )
            members.append(f'"flags":{{\n{flags}\n}}')
        else:
            members.append(f"{_compact(key)}:{_compact(value)}")
    return "{" + ",".join(members) + "}\n"
