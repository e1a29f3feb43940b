"""The limits a YAML file is held to and the error it raises: size, nesting depth, aliases.

A config repository is untrusted input: a file may be huge, nested deep enough to crash libyaml's
recursive composer, or use aliases to expand a few lines into millions of nodes. The checks here
run before or while :mod:`flagwright.load.yamlio` builds Python values, so no later walk ever
sees such a document.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flagwright.codes import Code

MAX_FILE_BYTES = 1024 * 1024
MAX_EXPANDED_NODES = 100_000
# Without aliases a document holds at most MAX_FILE_BYTES of text; aliases may repeat some of it.
MAX_EXPANDED_CHARS = 4 * MAX_FILE_BYTES
MAX_DEPTH = 64
# libyaml's composer recurses in C and crashes the interpreter on very deep input (about 100,000
# levels), so text that could nest that deep is checked on the event stream before composing;
# below this many nesting characters the composed node tree is checked instead, which is cheaper.
COMPOSE_GUARD = 1000
_NESTING_CHARS = "[{-?:"


class YamlError(Exception):
    """A file that cannot be read as YAML; ``line`` and ``col`` are 1-based."""

    def __init__(
        self, code: Code, message: str, line: int = 1, col: int = 1, mark: Any = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.col = col
        self.mark = mark  # libyaml's, when the position came from one

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: [{self.code}] {self.message}"


# Limits libyaml enforces itself (newer bundled libyaml builds have a nesting limit of their own);
# matched on the message so the mapping holds whatever PyYAML version is installed.
_LIBYAML_LIMITS = (("maximum nesting depth", Code.TOO_DEEP),)


def raise_if_libyaml_limit(exc: yaml.YAMLError) -> None:
    """Report libyaml's own resource limits with the loader's code for that limit."""
    text = str(exc)
    for needle, code in _LIBYAML_LIMITS:
        if needle in text:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            raise YamlError(code, f"nesting is deeper than {MAX_DEPTH} levels", *position(mark))


def position(mark: Any) -> tuple[int, int, Any]:
    """Line, column and the mark itself (load_documents corrects the line from its offset)."""
    if mark is None:
        return 1, 1, None
    return mark.line + 1, mark.column + 1, mark


def nesting_chars(text: str) -> int:
    # Every nesting level costs at least one of these characters or a level of indentation;
    # indentation alone cannot reach the limit cheaply (n levels need about n²/2 bytes) and a
    # block mapping level needs a ':' anyway, so a text with at most MAX_DEPTH of them cannot
    # be too deep and needs no depth check at all.
    return sum(text.count(c) for c in _NESTING_CHARS)


def check_depth_of_nodes(root: Node) -> None:
    """Reject a composed document nested deeper than MAX_DEPTH (iterative, aliases visited once)."""
    seen: set[int] = set()
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ScalarNode) or id(node) in seen:
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlError(
                Code.TOO_DEEP,
                f"nesting is deeper than {MAX_DEPTH} levels",
                *position(node.start_mark),
            )
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, MappingNode)
            else node.value
        )
        stack.extend((child, depth + 1) for child in children)


def check_depth_by_events(text: str) -> None:
    """Walk libyaml's event stream (iterative, no recursion) and stop at the depth limit."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlError(
                        Code.TOO_DEEP,
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        *position(event.start_mark),
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise_if_libyaml_limit(exc)
        return  # the real parse reports syntax errors with their position


def check_expansion(root: Node) -> None:
    """Reject documents whose aliases would expand past MAX_EXPANDED_NODES nodes or
    MAX_EXPANDED_CHARS characters of scalars ("billion laughs", or one long string repeated).

    PyYAML shares aliased nodes instead of copying them, so the file itself loads fast; the
    danger is every later walk (validation, rendering, JSON output) seeing the expanded tree.
    Sizes are memoised per node, so this is linear in the number of distinct nodes.
    """
    sizes: dict[int, tuple[int, int]] = {}  # node id -> (nodes, scalar characters) expanded
    opened: set[int] = set()  # collections whose children are still being sized
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, ScalarNode):
            sizes[id(node)] = (1, len(node.value))
            continue
        children: list[Node] = (
            [n for pair in node.value for n in pair]
            if isinstance(node, MappingNode)
            else list(node.value)
            if isinstance(node, SequenceNode)
            else []
        )
        if not children_done:
            if id(node) in opened:
                # Reached again from inside itself: `a: &x [*x]` would expand forever.
                raise YamlError(
                    Code.ALIAS_LIMIT,
                    "an alias refers to the mapping or list that contains it, so it would "
                    "expand forever; refusing to load it (remove the alias)",
                    *position(node.start_mark),
                )
            opened.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        counted = [sizes.get(id(c), (0, 0)) for c in children]
        total = 1 + sum(n for n, _ in counted)
        chars = sum(c for _, c in counted)
        if total > MAX_EXPANDED_NODES:
            raise YamlError(
                Code.ALIAS_LIMIT,
                f"aliases expand this document past {MAX_EXPANDED_NODES} nodes; "
                "refusing to load it (remove the repeated aliases)",
                *position(node.start_mark),
            )
        if chars > MAX_EXPANDED_CHARS:
            raise YamlError(
                Code.ALIAS_LIMIT,
                f"aliases expand this document past {MAX_EXPANDED_CHARS} characters of text; "
                "refusing to load it (remove the repeated aliases)",
                *position(node.start_mark),
            )
        sizes[id(node)] = (total, chars)
