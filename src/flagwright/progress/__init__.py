"""Gated flag rollouts without a server: advance, hold or roll back from Prometheus and Git."""

from __future__ import annotations

from flagwright.progress.decision import Decision
from flagwright.progress.run import ProgressResult, run_progress

__all__ = ["Decision", "ProgressResult", "run_progress"]
