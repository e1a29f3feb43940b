"""flagwright's in-process flag runtime: evaluate compiled snapshot bundles.

Depends on the standard library and mmh3 only, and imports little at start-up: JSON, hashing,
threads, logging and time zones are loaded when first needed.

    from flagwright.runtime import Client
    client = Client.from_file("rendered/prod/flags/snapshot.json", watch=True)
    client.evaluate("checkout-redesign", {"targeting_key": "user-42"})
"""

# Imported with the runtime: no `from __future__ import annotations` (loading __future__ is a
# module load at start-up); annotations naming what only type checking imports are quoted.

from .client import Client
from .errors import SnapshotError
from .evaluation import Evaluation, Reason
from .snapshot import FORMAT, Snapshot, canonical_bytes, compute_digest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .bucketing import bucket, bucket_value, hash_key
    from .trace import Explanation, explain

__all__ = [
    "FORMAT",
    "Client",
    "Evaluation",
    "Explanation",
    "Reason",
    "Snapshot",
    "SnapshotError",
    "bucket",
    "bucket_value",
    "canonical_bytes",
    "compute_digest",
    "explain",
    "hash_key",
]


def __getattr__(name: str) -> object:
    # The flag compiler, bucketing (mmh3) and explain load on first use: `import` stays cheap.
    if name in ("explain", "Explanation"):
        from . import trace

        return getattr(trace, name)
    if name in ("bucket", "bucket_value", "hash_key"):
        from . import bucketing

        return getattr(bucketing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
