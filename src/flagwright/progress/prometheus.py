"""Instant queries against Prometheus' HTTP API, stdlib only.

The PromQL text travels as a URL-encoded parameter of ``GET /api/v1/query`` (never through a
shell), with the evaluation instant as ``time=``. Anything that keeps a value from being read
(refused connection, timeout, HTTP error, an ``error`` status, a body that is not the API's
JSON) is a :class:`Reading` with ``error`` set: a gate that cannot be read is inconclusive,
never a pass.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

TIMEOUT_SECONDS = 10.0
MAX_BODY_BYTES = 8 * 1024 * 1024  # an instant query's answer; a runaway one is an error


@dataclass(frozen=True, slots=True)
class Reading:
    """One query at one instant: the values of the series it returned, or why there are none."""

    values: tuple[float, ...] = ()
    error: str | None = None
    unreachable: bool = False  # no answer at all (refused, timed out): not worth asking again


def query_url(base: str, promql: str, at: datetime) -> str:
    params = urllib.parse.urlencode({"query": promql, "time": _unix(at)})
    return f"{base.rstrip('/')}/api/v1/query?{params}"


def instant_query(
    base: str, promql: str, at: datetime, timeout: float = TIMEOUT_SECONDS
) -> Reading:
    url = query_url(base, promql, at)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        # The URL's scheme is http or https: the Environment model allows nothing else.
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        return Reading(error=f"HTTP {exc.code} from {base}: {_api_error(exc.read(4096))}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Reading(error=f"cannot reach {base}: {reason}", unreachable=True)
    if len(body) > MAX_BODY_BYTES:
        return Reading(error=f"the answer from {base} exceeds {MAX_BODY_BYTES} bytes")
    return parse_answer(body, base)


def parse_answer(body: bytes, base: str) -> Reading:
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return Reading(error=f"{base} did not answer with JSON")
    if not isinstance(answer, dict):
        return Reading(error=f"{base} answered with something other than a JSON object")
    if answer.get("status") != "success":
        return Reading(error=f"{base}: {_api_error(body)}")
    data = answer.get("data")
    if not isinstance(data, dict):
        return Reading(error=f"{base} answered without data")
    kind, result = data.get("resultType"), data.get("result")
    try:
        if kind == "vector" and isinstance(result, list):
            return Reading(tuple(_number(item["value"][1]) for item in result))
        if kind == "scalar" and isinstance(result, list):
            return Reading((_number(result[1]),))
    except (KeyError, IndexError, TypeError, ValueError):
        return Reading(error=f"{base} answered with a malformed {kind}")
    return Reading(error=f"the query returns a {kind}; a gate needs an instant vector or a scalar")


def _number(text: Any) -> float:
    # Prometheus writes sample values as strings: "0.01", "NaN", "+Inf".
    if not isinstance(text, str):
        raise ValueError(text)
    return float(text)


def _api_error(body: bytes) -> str:
    try:
        answer = json.loads(body)
        return f"{answer.get('errorType', 'error')}: {answer.get('error', '')}".strip()
    except (ValueError, UnicodeDecodeError, AttributeError):
        return body[:200].decode("utf-8", "replace").strip() or "no details"


def _unix(at: datetime) -> str:
    seconds = at.timestamp()
    return str(int(seconds)) if seconds.is_integer() else f"{seconds:.3f}"
