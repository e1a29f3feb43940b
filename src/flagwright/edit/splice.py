"""Edit one node of a YAML file and leave every other byte as it was.

ruamel.yaml's round trip keeps comments, key order and quoting, but a full re-dump may still
re-indent or re-wrap parts of the file nobody edited. So the edited tree is dumped, and only the
lines of the edited node are taken from that dump; everything before and after comes from the
original text. The result is re-read and compared with the intended tree before it is returned.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from flagwright.errors import UserError

KeyPath = tuple[str, ...]
_DOC_START = re.compile(r"^---(\s|$)")


class EditError(UserError):
    """The edit cannot be made without changing the file beyond the edited node."""


def make_yaml(text: str) -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    mapping, sequence, offset = guess_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file is written; 2/4/2 if unknown.

    For a list under ``key:``, the dash offset is the dash's column past the key's, and the
    sequence indent the item content's column past the key's (``-   name`` counts the spaces).
    """
    lines = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "---"))
    ]
    mapping: int | None = None
    offset: int | None = None
    sequence: int | None = None
    for prev, line in pairwise(lines):
        if not prev.split(" #")[0].rstrip().endswith(":"):
            continue
        parent = len(prev) - len(prev.lstrip(" -"))
        child = _indent(line)
        if line.lstrip().startswith("- ") and offset is None and child >= parent:
            offset = child - parent
            sequence = len(line) - len(line.lstrip(" -")) - parent
        elif not line.lstrip().startswith("- ") and mapping is None and child > parent:
            mapping = child - parent
    mapping = mapping or 2
    if offset is None or sequence is None:
        offset, sequence = mapping, mapping + 2
    return mapping, sequence, offset


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def load_all(yaml: YAML, text: str) -> list[Any]:
    try:
        return list(yaml.load_all(untab(text)))
    except YAMLError as exc:
        raise EditError(f"cannot read the file for editing: {exc}") from None


def untab(text: str) -> str:
    """``text`` with each tab used as separating whitespace (before a comment, after a value)
    turned into one space, so columns stay the same.

    YAML allows tabs there and the loader reads them, but ruamel.yaml's scanner refuses a tab
    that precedes a ``#`` comment, which made an edit refuse a file that validates. Tabs inside
    scalars (quoted, block) and inside comments are kept: only the scanner's tokens say where
    those are, so the positions come from libyaml's scanner (the one the loader reads with).
    """
    if "\t" not in text:
        return text
    import yaml

    inside = bytearray(len(text))
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            start, end = token.start_mark.index, token.end_mark.index
            inside[start:end] = b"\1" * (end - start)
    except yaml.YAMLError:
        return text  # ruamel reports the problem, as before
    out = list(text)
    comment = False
    for at, char in enumerate(text):
        if char in "\r\n":
            comment = False
        elif inside[at] or comment:
            continue
        elif char == "#" and (at == 0 or text[at - 1] in " \t\r\n"):
            comment = True
        elif char == "\t":
            out[at] = " "
    return "".join(out)


def dump_all(yaml: YAML, docs: Sequence[Any]) -> str:
    out = io.StringIO()
    yaml.dump_all(docs, out)
    return out.getvalue()


def edit_node(
    text: str, doc: int, path: KeyPath, mutate: Callable[[CommentedMap], None]
) -> tuple[str, Any]:
    """Apply ``mutate`` to document ``doc`` and splice the node at ``path`` back into ``text``.

    ``path`` names the mapping key that ``mutate`` changes (it may add or delete that key).
    Returns the new text and the plain data of the edited document.
    """
    if "\r" in text and "\n" not in text:
        # Lone CR line ends: ruamel.yaml keeps the CR inside comments, so edit as LF and
        # give the file its own line ends back.
        result, data = edit_node(text.replace("\r", "\n"), doc, path, mutate)
        return result.replace("\n", "\r"), data
    yaml = make_yaml(text)
    docs = load_all(yaml, text)
    if doc >= len(docs) or not isinstance(docs[doc], CommentedMap):
        raise EditError("the document to edit is not a mapping")
    path = _block_path(docs[doc], path)
    lines = text.splitlines(keepends=True)
    old_region = _region(docs, doc, path, lines)
    mutate(docs[doc])
    intended = plain(docs[doc])
    dumped = dump_all(yaml, docs)
    new_lines = dumped.splitlines(keepends=True)
    new_docs = load_all(make_yaml(dumped), dumped)
    new_region = _region(new_docs, doc, path, new_lines)
    start, end = old_region
    replacement = new_lines[new_region[0] : new_region[1]]  # empty when the key was deleted
    newline = _newline(lines)
    if newline != "\n":
        replacement = [r.replace("\n", newline) for r in replacement]
    if start > 0 and not lines[start - 1].endswith(("\n", "\r")):
        replacement = [newline, *replacement]
    result = "".join([*lines[:start], *replacement, *lines[end:]])
    check = load_all(make_yaml(result), result)
    if doc >= len(check) or plain(check[doc]) != intended:
        raise EditError(
            "the edit cannot be written without touching other parts of the file; edit it by hand"
        )
    return result, intended


def _newline(lines: list[str]) -> str:
    """The file's line break (LF, CRLF or a lone CR, as old Mac files have), from its first line."""
    first = lines[0] if lines else ""
    if first.endswith("\r\n"):
        return "\r\n"
    if first.endswith("\r"):
        return "\r"
    return "\n"


def _block_path(root: CommentedMap, path: KeyPath) -> KeyPath:
    """Shorten ``path`` until its parent is a block mapping (flow mappings share lines)."""
    while len(path) > 1:
        parent = _get(root, path[:-1])
        if isinstance(parent, CommentedMap) and not parent.fa.flow_style():
            break
        path = path[:-1]
    return path


def _get(root: Any, path: KeyPath) -> Any:
    node = root
    for key in path:
        if not isinstance(node, CommentedMap) or key not in node:
            return None
        node = node[key]
    return node


def _region(docs: list[Any], doc: int, path: KeyPath, lines: list[str]) -> tuple[int, int]:
    """0-based [start, end) lines of the key at ``path``: from its key line to its last content
    line (comments after it belong to what follows). A missing key gets an empty region where
    it would be appended."""
    root = docs[doc]
    parent = _get(root, path[:-1])
    key = path[-1]
    if isinstance(parent, CommentedMap) and key in parent:
        start = parent.lc.key(key)[0]
        end = _end_of_key(docs, doc, path, lines)
        while end > start + 1 and _is_filler(lines[end - 1]):
            end -= 1
        return start, end
    if isinstance(parent, CommentedMap) and len(path) > 1:
        end = _end_of_key(docs, doc, path[:-1], lines)
    else:
        end = _doc_end(docs, doc, lines)
    while end > 0 and _is_filler(lines[end - 1]):
        end -= 1
    return end, end


def _end_of_key(docs: list[Any], doc: int, path: KeyPath, lines: list[str]) -> int:
    parent = _get(docs[doc], path[:-1])
    keys = list(parent)
    position = keys.index(path[-1])
    if position + 1 < len(keys):
        return int(parent.lc.key(keys[position + 1])[0])
    if len(path) == 1:
        return _doc_end(docs, doc, lines)
    return _end_of_key(docs, doc, path[:-1], lines)


def _doc_end(docs: list[Any], doc: int, lines: list[str]) -> int:
    if doc + 1 >= len(docs) or not isinstance(docs[doc + 1], CommentedMap | CommentedSeq):
        return len(lines)
    line = int(docs[doc + 1].lc.line)
    while line > 0 and not _DOC_START.match(lines[line]):
        line -= 1
    return line


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def plain(node: Any) -> Any:
    """ruamel's round-trip types as plain dicts, lists and scalars (for comparison)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)
