"""Turn a document path (keys and indices) into a 1-based line and column.

Only files that have something to report are re-read here, with ruamel.yaml's round-trip loader,
which keeps the position of every key and value; the fast path never pays for it.
"""

from __future__ import annotations

from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq

from flagwright.diagnostics import YamlPath


class PositionIndex:
    """Positions for every document of one file's text."""

    def __init__(self, text: str) -> None:
        yaml = YAML(typ="rt", pure=True)
        self._docs: list[Any] = list(yaml.load_all(text))

    def locate(
        self, doc: int, where: YamlPath, at: Literal["key", "value"] = "value"
    ) -> tuple[int, int]:
        """The position of ``where`` in document ``doc``, or of its nearest ancestor that exists."""
        if doc >= len(self._docs):
            return 1, 1
        node = self._docs[doc]
        best = _start(node) or (1, 1)
        for depth, step in enumerate(where):
            last = depth == len(where) - 1
            if isinstance(node, CommentedMap) and step in node:
                key_pos = _zero_based(node.lc.key(step))
                value_pos = _zero_based(node.lc.value(step))
                child = node[step]
                if last and at == "key":
                    return key_pos
                # A problem with a whole mapping or list is reported at its key (`prod:`), a
                # problem with a scalar at the value itself.
                best = key_pos if isinstance(child, CommentedBase) else value_pos
                node = child
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
                child = node[step]
                best = _start(child) or _zero_based(node.lc.item(step))
                node = child
            else:
                break
        return best


def _start(node: Any) -> tuple[int, int] | None:
    if isinstance(node, CommentedBase) and node.lc.line is not None:
        return node.lc.line + 1, node.lc.col + 1
    return None


def _zero_based(pos: Any) -> tuple[int, int]:
    line, col = pos
    return int(line) + 1, int(col) + 1
