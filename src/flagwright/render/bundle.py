"""``rendered/<env>/flags/snapshot.json``: the environment's full snapshot bundle."""

from __future__ import annotations

from flagwright.render.artifact import Artifact
from flagwright.render.context import EnvContext


def render_snapshot(ctx: EnvContext) -> dict[str, Artifact]:
    bundle = ctx.bundle
    text = ctx.bundle_text.text(bundle["flags"], bundle["digest"])
    return {f"{ctx.base}/flags/snapshot.json": Artifact(text)}
