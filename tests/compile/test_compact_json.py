"""compact_json keeps one C encoder instead of json.dumps' set-up per call: same text, same
refusals."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagwright.compile.json_out import compact_json

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def _dumps(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


@settings(max_examples=50)
@given(_JSON)
def test_the_same_text_as_json_dumps(value: Any) -> None:
    assert compact_json(value) == _dumps(value)


def test_what_json_dumps_refuses_is_refused() -> None:
    for value in (math.nan, [math.inf], {"a": -math.inf}):
        with pytest.raises(ValueError, match="Out of range float values"):
            compact_json(value)
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        compact_json({"a": {1}})
    assert compact_json({2: "b", 1: "a"}) == '{"1":"a","2":"b"}' == _dumps({2: "b", 1: "a"})
