"""compile_snapshot, dump_bundle and select_flags on a fixture configuration."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from flagwright.check.repository import Validated, validate_repository
from flagwright.compile import (
    CompileError,
    UnknownEnvironment,
    compile_snapshot,
    dump_bundle,
    select_flags,
)
from flagwright.runtime import Snapshot, SnapshotError, canonical_bytes, compute_digest

from .fixture_config import FILES, write_config

DAY = date(2026, 11, 23)


def _validated(root: Path) -> Validated:
    validated = validate_repository(root, today=DAY)
    assert validated.diagnostics == []
    return validated


def _bundle(root: Path, env: str) -> dict[str, Any]:
    validated = _validated(root)
    return compile_snapshot(validated.index, env)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "repo")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_bundle_content(config: Path, env: str, snapshot: SnapshotAssertion) -> None:
    # Indented here so the snapshot reads well; the file layout is tested below.
    assert (
        json.dumps(_bundle(config, env), indent=2, sort_keys=True, ensure_ascii=False) == snapshot
    )


def test_bundle_file_layout_is_canonical_with_one_flag_per_line(config: Path) -> None:
    bundle = _bundle(config, "prod")
    text = dump_bundle(bundle)
    lines = text.split("\n")
    assert json.loads(text) == bundle
    assert lines[0].startswith('{"bucketing":"flagd-v2","digest":"sha256:')
    assert lines[0].endswith('"flags":{')
    assert [json.loads("{" + line.rstrip(",") + "}").popitem()[0] for line in lines[1:-2]] == (
        sorted(bundle["flags"])
    )
    assert lines[-2] == (
        f'}},"format":"flagwright.snapshot/v1","source_digest":"{bundle["source_digest"]}"}}'
    )
    assert lines[-1] == ""
    # Removing the digest member and the newlines gives exactly the bytes the digest covers,
    # which is how readers verify it without re-serialising.
    member = f'"digest":"{bundle["digest"]}",'
    body = text.replace(member, "", 1).replace("\n", "")
    assert body.encode("utf-8") == canonical_bytes(bundle)


def test_every_flag_appears_and_unlisted_flags_serve_default(config: Path) -> None:
    bundle = _bundle(config, "prod")
    assert sorted(bundle["flags"]) == sorted(
        Path(rel).stem for rel in FILES if rel.startswith("flags/") and rel.count("/") == 1
    )
    assert bundle["flags"]["settings"]["listed"] is False
    assert bundle["flags"]["settings"]["rules"] == []
    assert bundle["flags"]["settings"]["fallthrough"] is None
    assert bundle["flags"]["kill-switch"]["listed"] is True
    assert bundle["flags"]["kill-switch"]["enabled"] is False


def test_weights_are_integers_in_declared_order_and_percents_stay_stable(config: Path) -> None:
    flags = _bundle(config, "prod")["flags"]
    assert flags["checkout-redesign"]["rules"][1]["split"] == [
        ["control", 1250],
        ["treatment", 8750],
    ]
    percents = [s["percent"] for s in flags["banner"]["fallthrough"]["rollout"]["stages"]]
    assert percents == [1, 12.5, 50, 100]
    assert [type(p) for p in percents] == [int, float, int, int]


def test_times_are_utc_z_and_stages_absolute(config: Path) -> None:
    flags = _bundle(config, "prod")["flags"]
    rollout = flags["banner"]["fallthrough"]["rollout"]
    assert rollout["start"] == "2026-11-20T10:00:00Z"  # written as 11:00+01:00
    assert [s["from"] for s in rollout["stages"]] == [
        "2026-11-20T10:00:00Z",
        "2026-11-20T10:30:00Z",
        "2026-11-20T11:00:00Z",
        "2026-11-20T12:00:00Z",
    ]
    holidays = flags["banner"]["rules"][0]["when"]["any"][0]
    assert holidays == {"time": {"after": "2026-11-30T23:00:00Z", "before": "2026-12-24T00:00:00Z"}}
    assert flags["banner"]["rules"][2]["when"]["value"] == "2020-01-01T00:00:00Z"


def test_rule_without_when_always_matches(config: Path) -> None:
    rules = _bundle(config, "dev")["flags"]["settings"]["rules"]
    assert rules[1] == {"name": "rule-2", "when": {"all": []}, "serve": "roomy"}


def test_digest_verifies_with_the_runtime_loader(config: Path) -> None:
    text = dump_bundle(_bundle(config, "prod"))
    snapshot = Snapshot.from_bytes(text.encode("utf-8"), "snapshot.json")
    assert snapshot.validate() == {}  # every flag compiles in the runtime
    tampered = text.replace('"v2"', '"v3"')
    with pytest.raises(SnapshotError, match="digest mismatch"):
        Snapshot.from_bytes(tampered.encode("utf-8"))


def test_unknown_environment(config: Path) -> None:
    validated = _validated(config)
    with pytest.raises(
        UnknownEnvironment, match=r"^unknown environment 'prd'; did you mean 'prod'\?$"
    ):
        compile_snapshot(validated.index, "prd")


def test_dump_is_unicode_with_one_trailing_newline_and_round_trips(config: Path) -> None:
    text = dump_bundle(_bundle(config, "dev"))
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert '"ä"' in text
    assert text == dump_bundle(json.loads(text))


def test_compiling_twice_gives_identical_bytes(config: Path) -> None:
    assert dump_bundle(_bundle(config, "prod")) == dump_bundle(_bundle(config, "prod"))


def test_file_creation_order_does_not_matter(tmp_path: Path, config: Path) -> None:
    other = tmp_path / "reversed"
    for rel, text in reversed(FILES.items()):
        path = other / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert dump_bundle(_bundle(other, "prod")) == dump_bundle(_bundle(config, "prod"))


_SCRIPT = """
import sys
from datetime import date
from pathlib import Path
from flagwright.compile import compile_snapshot, dump_bundle
from flagwright.check.repository import validate_repository
root = Path(sys.argv[1])
validated = validate_repository(root, today=date(2026, 11, 23))
for env in ("dev", "prod"):
    bundle = compile_snapshot(validated.index, env)
    sys.stdout.write(dump_bundle(bundle))
"""


def test_output_does_not_depend_on_hash_seed(config: Path) -> None:
    outputs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(config)],
            env=env, capture_output=True, check=True, timeout=120,
        )  # fmt: skip
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b'"format":"flagwright.snapshot/v1"') == 2


class TestSourceDigest:
    def test_is_the_digest_of_the_compiled_flags(self, config: Path) -> None:
        bundle = _bundle(config, "prod")
        flags = json.dumps(
            bundle["flags"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        expected = "sha256:" + hashlib.sha256(flags.encode("utf-8")).hexdigest()
        assert bundle["source_digest"] == expected
        assert compute_digest(bundle) == bundle["digest"]

    def test_a_change_to_another_environment_leaves_the_bundle_identical(
        self, config: Path
    ) -> None:
        before = {env: dump_bundle(_bundle(config, env)) for env in ("dev", "prod")}
        flag = config / "flags/checkout-redesign.yaml"
        text = flag.read_text(encoding="utf-8")
        flag.write_text(text.replace("description: ", "description: Edited. "), encoding="utf-8")
        assert {env: dump_bundle(_bundle(config, env)) for env in ("dev", "prod")} == before
        assert "  dev:\n    serve: treatment\n" in text
        flag.write_text(
            text.replace("  dev:\n    serve: treatment\n", "  dev:\n    serve: control\n"),
            encoding="utf-8",
        )
        assert dump_bundle(_bundle(config, "prod")) == before["prod"]
        assert dump_bundle(_bundle(config, "dev")) != before["dev"]


class TestSelectFlags:
    def test_prerequisites_are_included_transitively(self, config: Path) -> None:
        bundle = _bundle(config, "prod")
        subset = select_flags(bundle, ["express-*"])
        assert list(subset["flags"]) == ["checkout-redesign", "express-pay", "new-checkout-api"]
        assert subset["flags"]["express-pay"] == bundle["flags"]["express-pay"]

    def test_digest_recomputed_and_verified_by_the_runtime(self, config: Path) -> None:
        bundle = _bundle(config, "prod")
        subset = select_flags(bundle, ["kill-*", "fractional"])
        assert list(subset["flags"]) == ["fractional", "kill-switch"]
        assert subset["digest"] == compute_digest(subset) != bundle["digest"]
        # Its source_digest covers the flags it holds, not the environment's.
        assert subset["source_digest"] != bundle["source_digest"]
        assert select_flags(bundle, ["*"])["source_digest"] == bundle["source_digest"]
        assert Snapshot.from_bytes(dump_bundle(subset).encode("utf-8")).validate() == {}

    def test_matching_is_case_sensitive_and_may_select_nothing(self, config: Path) -> None:
        subset = select_flags(_bundle(config, "prod"), ["KILL-*", "nothing-*"])
        assert subset["flags"] == {}

    def test_input_bundle_is_not_modified(self, config: Path) -> None:
        bundle = _bundle(config, "prod")
        before = dump_bundle(bundle)
        select_flags(bundle, ["banner"])
        assert dump_bundle(bundle) == before


def test_zero_hold_in_a_scheduled_rollout_is_refused(config: Path) -> None:
    # Validation reports `hold: 0s` (FW219); the compiler still refuses it if called regardless,
    # because two stages starting together would be rejected by the runtime.
    plan = config / "flags/plans/standard-canary.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            "hold: 30m}\n  - {percent: 12.5", "hold: 0s}\n  - {percent: 12.5"
        ),
        encoding="utf-8",
    )
    validated = validate_repository(config, today=date(2026, 11, 23))
    assert [(d.path, d.line, d.code) for d in validated.diagnostics] == [
        ("flags/plans/standard-canary.yaml", 4, "FW219")
    ]
    with pytest.raises(CompileError) as caught:
        compile_snapshot(validated.index, "prod")
    assert str(caught.value) == (
        "flag 'banner' in 'prod': plan 'standard-canary': stage 1 needs a hold longer than 0s "
        "for a scheduled rollout"
    )
    # Manual rollouts have no timeline, so the same plan still compiles where only they use it.
    assert compile_snapshot(validated.index, "dev")["flags"]["banner"]["listed"] is False


def test_bundle_text_of_a_subset_is_the_dump_of_the_selected_bundle(config: Path) -> None:
    from flagwright.compile.json_out import BundleText
    from flagwright.compile.select import selected_keys

    bundle = _bundle(config, "prod")
    writer = BundleText(bundle)
    for patterns in (["checkout-*"], ["kill-switch", "banner"], ["nothing-*"], ["*"]):
        keys = selected_keys(bundle, patterns)
        expected = select_flags(bundle, patterns)
        assert writer.digest(keys) == expected["digest"]
        assert writer.text(keys) == dump_bundle(expected)
    assert writer.text(bundle["flags"], bundle["digest"]) == dump_bundle(bundle)


def test_a_compile_error_after_validation_passed_is_an_internal_error(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checker and the compiler disagreeing is flagwright's bug: exit 3, not a user error."""
    from tests.cli_runner import run_cli

    import flagwright.check.repository

    flag = config / "flags" / "fractional.yaml"
    text = flag.read_text(encoding="utf-8").replace("spades: 25}", "spades: 35}")
    flag.write_text(text, encoding="utf-8")
    assert not validate_repository(config, today=date(2026, 11, 23)).ok  # the checks see it
    monkeypatch.setattr(flagwright.check.repository, "run_checks", lambda *args, **kwargs: None)
    ran = run_cli("-C", str(config), "eval", "fractional", "--env", "prod")
    assert ran.exit_code == 3, ran.stderr
    assert ran.stderr.startswith("internal error: CompileError: flag 'fractional' in 'prod': ")
    assert "please report" in ran.stderr
