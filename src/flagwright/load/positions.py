"""Turn a document path (keys and indices) into a 1-based line and column.

Only files that have something to report are re-read here. The re-read uses libyaml's composer,
which keeps the start of every key and value node and runs in C: a render that reports on
thousands of files (say, flags an export cannot express) stays fast. ruamel.yaml's round-trip
loader would give the same positions about twenty times more slowly; ruamel is kept for edits,
where comments must survive.
"""

from __future__ import annotations

from typing import Any, Literal

import yaml
from yaml.cyaml import CParser  # type: ignore[attr-defined]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from flagwright.diagnostics import YamlPath
from flagwright.load.lines import Lines


class _Composer(CParser, BaseResolver):
    """libyaml's composer without tag resolution, which only positions do not need."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        BaseResolver.__init__(self)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return ""


def _compose_all(text: str) -> list[Node]:
    composer = _Composer(text)
    try:
        nodes: list[Node] = []
        while composer.check_node():
            node = composer.get_node()
            if node is not None:
                nodes.append(node)
        return nodes
    finally:
        composer.dispose()


class PositionIndex:
    """Positions for every document of one file's text (the text already loaded cleanly)."""

    def __init__(self, text: str) -> None:
        self._lines = Lines(text)
        try:
            self._docs: list[Node] = _compose_all(text)
        except yaml.YAMLError:
            # The fast reader accepted this text, so this cannot happen; the finding still
            # counts, at the top of the file rather than not at all.
            self._docs = []

    def _start(self, node: Node) -> tuple[int, int]:
        return self._lines.of_mark(node.start_mark)

    def locate(
        self, doc: int, where: YamlPath, at: Literal["key", "value"] = "value"
    ) -> tuple[int, int]:
        """The position of ``where`` in document ``doc``, or of its nearest ancestor that exists."""
        if doc >= len(self._docs):
            return 1, 1
        node = self._docs[doc]
        _start = self._start
        best = _start(node)
        for depth, step in enumerate(where):
            last = depth == len(where) - 1
            if isinstance(node, MappingNode) and (pair := _entry(node, step)) is not None:
                key, child = pair
                if last and at == "key":
                    return _start(key)
                # A problem with a whole mapping or list is reported at its key (`prod:`), a
                # problem with a scalar at the value itself; an empty value (`description:`)
                # has no token of its own, so at its key too.
                empty = isinstance(child, ScalarNode) and child.value == "" and not child.style
                best = _start(key) if not isinstance(child, ScalarNode) or empty else _start(child)
                node = child
            elif (
                isinstance(node, SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                node = node.value[step]
                best = _start(node)
            else:
                break
        return best


def _entry(node: MappingNode, step: str | int) -> tuple[Node, Node] | None:
    wanted = step if isinstance(step, str) else _as_yaml(step)
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == wanted:
            return key, value
    return None


def _as_yaml(value: Any) -> str:
    # Keys the loader turned into numbers or booleans, written back as YAML spells them.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
