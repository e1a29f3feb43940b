"""One environment of a validated configuration → its snapshot bundle (FORMAT.md)."""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import sha256
from typing import Any

from flagwright.check.suggest import did_you_mean
from flagwright.compile.conditions import ConditionCompiler
from flagwright.compile.json_out import compact_json, copy_json
from flagwright.compile.rollouts import RolloutError, compile_rollout
from flagwright.compile.splits import TOTAL, split_weights, total
from flagwright.errors import InternalError, UserError
from flagwright.load.index import ConfigIndex
from flagwright.model import EnvEntry, Flag, RolloutPlan
from flagwright.runtime import FORMAT


class CompileError(InternalError):
    """The compiler refuses what the checks passed: a bug in flagwright (exit 3)."""


class UnknownEnvironment(UserError):
    """The environment asked for is not in the repository."""


def compile_snapshot(index: ConfigIndex, env: str) -> dict[str, Any]:
    """The full bundle for ``env``, both digests included; every flag appears, listed or not.

    ``source_digest`` is the sha256 of the environment's compiled flags (FORMAT.md): it changes
    exactly when what this environment serves changes, so a pull request that touches only
    ``dev`` leaves every file rendered for ``prod`` byte-identical.
    """
    return compile_snapshot_members(index, env)[0]


def compile_snapshot_members(index: ConfigIndex, env: str) -> tuple[dict[str, Any], dict[str, str]]:
    """:func:`compile_snapshot`, and each flag serialised as the bundle's file holds it
    (``'"key":value'``, :class:`~flagwright.compile.json_out.BundleText`'s members): made once
    for the digest and reused for the file."""
    bucketing = index.environments[env].model.bucketing if env in index.environments else ""
    flags = compile_flags(index, env)
    members = {key: f"{compact_json(key)}:{compact_json(value)}" for key, value in flags.items()}
    return assemble_bundle(env, flags, bucketing, members), members


def assemble_bundle(
    env: str, flags: dict[str, Any], bucketing: str, members: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The bundle around already compiled flags (``bucketing``: the environment's rule), with
    both digests. ``members``: the flags already serialised (:func:`compile_snapshot_members`);
    joined in key order they are the compact JSON of ``flags``."""
    if members is None:
        flags_json = compact_json(flags)
    else:
        flags_json = "{" + ",".join([members[key] for key in sorted(members)]) + "}"
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "environment": env,
        "bucketing": bucketing,
        "source_digest": _sha256(flags_json),
        "flags": flags,
    }
    # The canonical document of the digest, with the flags serialised once for both digests.
    canonical = (
        f"{compact_json(key)}:{flags_json if key == 'flags' else compact_json(bundle[key])}"
        for key in sorted(bundle)
    )
    bundle["digest"] = _sha256("{" + ",".join(canonical) + "}")
    return bundle


def compile_flags(index: ConfigIndex, env: str) -> dict[str, Any]:
    """Every flag of the repository compiled for ``env``, by key.

    ``index`` must come from a configuration without errors: the checks are what make the
    compiled form well defined, and anything they would have reported raises CompileError here.
    """
    if env not in index.environments:
        raise UnknownEnvironment(
            f"unknown environment {env!r}" + did_you_mean(env, index.environments)
        )
    conditions = ConditionCompiler({name: s.model for name, s in index.segments.items()})
    plans = {name: p.model for name, p in index.plans.items()}
    flags: dict[str, Any] = {}
    for key in sorted(index.flags):
        try:
            flags[key] = _flag(index.flags[key].model, env, conditions, plans)
        except (UserError, CompileError) as exc:
            raise CompileError(f"flag {key!r} in {env!r}: {exc}") from None
    return flags


def _sha256(text: str) -> str:
    return "sha256:" + sha256(text.encode("utf-8")).hexdigest()


def _flag(
    flag: Flag, env: str, conditions: ConditionCompiler, plans: dict[str, RolloutPlan]
) -> dict[str, Any]:
    default = flag.resolved_default
    if default is None:
        raise CompileError("no default variant")
    entry = flag.environments.get(env)
    out: dict[str, Any] = {
        "type": flag.type,
        # Deep copies: bundles of different environments must not share mutable values.
        "variants": copy_json(flag.resolved_variants),
        "default": default,
        "listed": entry is not None,
        "enabled": True if entry is None else entry.enabled,
        "requires": list(flag.requires),
        "bucket_by": flag.bucket_by,
        "experiment": None if flag.experiment is None else flag.experiment.model_dump(),
        "rules": [],
        "fallthrough": None,
    }
    if entry is not None:
        out["rules"] = _rules(entry, conditions)
        out["fallthrough"] = _fallthrough(entry, default, plans)
    return out


def _rules(entry: EnvEntry, conditions: ConditionCompiler) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for number, rule in enumerate(entry.rules, start=1):
        name = rule.name or f"rule-{number}"
        compiled: dict[str, Any] = {"name": name, "when": conditions.when(rule.when)}
        if rule.serve is not None and rule.split is None:
            compiled["serve"] = rule.serve
        elif rule.split is not None and rule.serve is None:
            compiled["split"] = _split(rule.split, f"rule {name!r}")
        else:
            raise CompileError(f"rule {name!r} needs exactly one of 'serve' and 'split'")
        rules.append(compiled)
    return rules


def _fallthrough(entry: EnvEntry, default: str, plans: dict[str, RolloutPlan]) -> dict[str, Any]:
    given = [k for k in ("serve", "split", "rollout") if getattr(entry, k) is not None]
    if len(given) != 1:
        raise CompileError("an environment entry needs exactly one of 'serve', 'split', 'rollout'")
    if entry.serve is not None:
        return {"serve": entry.serve}
    if entry.split is not None:
        return {"split": _split(entry.split, "the fallthrough")}
    assert entry.rollout is not None
    plan = plans.get(entry.rollout.plan)
    if plan is None:
        raise CompileError(f"unknown rollout plan {entry.rollout.plan!r}")
    try:
        return {"rollout": compile_rollout(entry.rollout, plan, default)}
    except RolloutError as exc:
        raise CompileError(str(exc)) from None


def _split(split: dict[str, float], what: str) -> list[list[str | int]]:
    weights = split_weights(split)
    if total(weights) != TOTAL:
        raise CompileError(f"{what}: split weights add up to {total(weights) / 100:g}, not 100")
    return weights
