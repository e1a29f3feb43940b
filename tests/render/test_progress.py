"""The progress bar draws only on a terminal."""

from __future__ import annotations

import io

from flagwright.render.progress import progress_bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with progress_bar(10, "rendering", stream) as advance:
        assert advance is None
    assert stream.getvalue() == ""


def test_a_bar_on_a_terminal() -> None:
    stream = _Terminal()
    with progress_bar(4, "rendering", stream) as advance:
        assert advance is not None
        for _ in range(4):
            advance(1)
    assert "rendering" in stream.getvalue()
    assert "100%" in stream.getvalue()
