"""Turn a document path (keys and indices) into a 1-based line and column.

Only files that have something to report are re-read here, with ruamel.yaml's round-trip loader,
which keeps the position of every key and value; the fast path never pays for it.
"""

from __future__ import annotations

from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError

from flagwright.diagnostics import YamlPath
from flagwright.load.yamlio import document_starts


class _Constructor(RoundTripConstructor):
    """Timestamps stay strings: an invalid date (2026-13-01) is a finding, not a crash here."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


class PositionIndex:
    """Positions for every document of one file's text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[tuple[int, int]] | None = None
        yaml = YAML(typ="rt", pure=True)
        yaml.Constructor = _Constructor
        try:
            self._docs: list[Any] = list(yaml.load_all(text))
        except (YAMLError, ValueError, TypeError):
            # The fast reader accepted this text, so this is a ruamel disagreement; the finding
            # still counts, at the top of the file rather than not at all.
            self._docs = []

    def locate(
        self, doc: int, where: YamlPath, at: Literal["key", "value"] = "value"
    ) -> tuple[int, int]:
        """The position of ``where`` in document ``doc``, or of its nearest ancestor that exists."""
        if doc >= len(self._docs):
            return 1, 1
        node = self._docs[doc]
        best = _start(node) or self._document_start(doc)
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
                if child is None and value_pos[0] != key_pos[0]:
                    # An empty value (`description:`) has no token; ruamel reports where the
                    # next one starts, which is another key's line.
                    best = key_pos
                node = child
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
                child = node[step]
                best = _start(child) or _zero_based(node.lc.item(step))
                node = child
            else:
                break
        return best

    def _document_start(self, doc: int) -> tuple[int, int]:
        # A scalar or empty document has no position of its own in ruamel's result.
        if self._starts is None:
            self._starts = document_starts(self._text)
        return self._starts[doc] if doc < len(self._starts) else (1, 1)


def _start(node: Any) -> tuple[int, int] | None:
    if isinstance(node, CommentedBase) and node.lc.line is not None:
        return node.lc.line + 1, node.lc.col + 1
    return None


def _zero_based(pos: Any) -> tuple[int, int]:
    line, col = pos
    return int(line) + 1, int(col) + 1
