"""``rendered/<env>/flags/snapshot.json``: the environment's full snapshot bundle."""

from __future__ import annotations

from flagwright.render.artifact import Artifact
from flagwright.render.context import EnvContext


def render_snapshot(ctx: EnvContext) -> dict[str, Artifact]:
    from flagwright.compile import dump_bundle

    return {f"{ctx.base}/flags/snapshot.json": Artifact(dump_bundle(ctx.bundle))}
