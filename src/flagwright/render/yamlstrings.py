"""How the YAML writer spells one scalar so every line passes yamllint's default rules.

A scalar gets the first style whose lines all pass :func:`line_ok` (yamllint's ``line-length``
at 80 characters, which lets a line over the limit through when it has no space after its
indentation or its ``- ``):

1. on the key's line, as libyaml spells it on one line (plain, ``'single'`` or ``"double"``);
2. for a single word too long for the key's line, alone on the next line;
3. a multi-line string as a literal block (``|``), lines as they are;
4. as a folded block (``>``, ``>-``): long lines broken at single spaces, which folding turns
   back into spaces, and each line break written as an empty line (a ConfigMap's
   one-flag-per-line JSON, a long PromQL query);
5. double-quoted, broken anywhere: at a single space by folding, elsewhere by an escaped line
   break (``\\`` at the end of the line), which YAML removes with the next line's indentation.

Every style reads back as the same string (the tests parse them back); block styles are used
only for text they can hold exactly: printable characters, no trailing spaces on a line (which
yamllint also refuses), no runs of more than two empty lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import yaml

# PyYAML's 1.1 resolver already quotes 1.1 booleans, 0x ints and dates; YAML 1.2 readers need more.
from flagwright.load.yamlio import YAML12_NON_STRING

MAX_LINE = 80

# What may stand in a block scalar unescaped: YAML's printable set without the characters YAML
# 1.1 readers take for line breaks, the BOM, carriage returns and tabs (yamllint's indentation
# rule trips over tabs).
_BLOCK_SAFE = re.compile(
    r"^[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*$"
)
_ASCII_BLOCK_SAFE = b"\n" + bytes(range(0x20, 0x7F))  # _BLOCK_SAFE's ASCII part
_QUOTED_SAFE = re.compile(
    r"[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


class _Dumper(yaml.CSafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: Any, data: str) -> Any:
    if YAML12_NON_STRING.match(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _represent_str)


@lru_cache(maxsize=65536, typed=True)
def one_line(value: Any) -> str:
    """libyaml's spelling of a scalar on one line (plain, quoted or escaped)."""
    if isinstance(value, str) and _BREAKS.search(value):
        return '"' + "".join(map(_escape, value)) + '"'
    text: str = yaml.dump(
        value, Dumper=_Dumper, allow_unicode=True, width=2**31 - 1, line_break="\n"
    )
    return text.removesuffix("\n...\n").removesuffix("\n")


def line_ok(line: str) -> bool:
    """yamllint's ``line-length`` rule with its defaults (max 80, non-breakable words allowed)."""
    if len(line) <= MAX_LINE:
        return True
    start = len(line) - len(line.lstrip(" "))
    if start == len(line):
        return False
    if line[start] == "#":
        while start < len(line) and line[start] == "#":
            start += 1
        start += 1
    elif line[start] == "-":
        start += 2
    return " " not in line[start:]


def spelled_lines(spelled: str, head: str, indent: int) -> list[str]:
    """``head`` and a value already spelled on one line (``[]``, ``{}``): there, or below it."""
    same = f"{head} {spelled}"
    if line_ok(same) or " " in spelled:
        return [same]
    return [head, " " * indent + spelled]


def scalar_lines(value: Any, head: str, indent: int) -> list[str]:
    """The lines of ``head`` (``"  key:"`` or ``"  -"``) followed by ``value``.

    ``indent`` is where continuation and block lines start (the indentation of the value).
    """
    pad = " " * indent
    styles: list[Callable[[], list[str] | None]]
    if not isinstance(value, str) or "\n" not in value:
        spelled = one_line(value)
        styles = [
            lambda: [f"{head} {spelled}"],
            lambda: [head, pad + spelled] if " " not in spelled else None,
            lambda: _folded(value, head, pad) if isinstance(value, str) else None,
        ]
    else:
        # The block styles check their own lines: a flag ConfigMap's text has thousands.
        block = _literal(value, head, pad) or _folded(value, head, pad)
        if block is not None:
            return block
        styles = []
    for style in styles:
        lines = style()
        if lines is not None and all(line_ok(line) for line in lines if len(line) > MAX_LINE):
            return lines
    if not isinstance(value, str):  # numbers and the like have no spaces: never reached
        return [f"{head} {one_line(value)}"]
    return [head, *_quoted(value, pad)]


@lru_cache(maxsize=4)
def _block_safe(text: str) -> bool:
    # Both block styles ask about the same (large) text in turn.
    if text.isascii():  # the common case, where deleting every allowed byte is quicker
        printable = not text.encode("ascii").translate(None, _ASCII_BLOCK_SAFE)
    else:
        printable = _BLOCK_SAFE.match(text) is not None
    return (
        printable
        and not text.startswith("\n")
        and "\n\n\n\n" not in text
        and not text.endswith("\n\n")
        and " \n" not in text
        and not text.endswith(" ")
    )


def _chomp(text: str) -> tuple[str, list[str]]:
    """The chomping indicator and the content lines of a block scalar holding ``text``."""
    if text.endswith("\n"):
        return "", text[:-1].split("\n")
    return "-", text.split("\n")


def _literal(text: str, head: str, pad: str) -> list[str] | None:
    """The lines of a literal block, or None where a line would not pass :func:`line_ok`."""
    if not _block_safe(text) or text.startswith(" "):
        return None
    chomp, lines = _chomp(text)
    first = f"{head} |{chomp}"
    width = MAX_LINE - len(pad)
    if not line_ok(first) or any(len(line) > width and " " in line for line in lines):
        return None  # yamllint would refuse the line; a folded block can break it
    # Every other line over the limit has no space after its indentation: it passes.
    return [first, *[pad + line if line else "" for line in lines]]


def _folded(text: str, head: str, pad: str) -> list[str] | None:
    """A folded block: folding joins two adjacent text lines with a space, so a real line break
    between them is written as an empty line. Lines starting with a space ("more indented") are
    not folded: the breaks around them stay as they are, and they are written unbroken."""
    if not _block_safe(text) or text.startswith(" "):
        return None
    chomp, lines = _chomp(text)
    out = [f"{head} >{chomp}"]
    if not line_ok(out[0]):
        return None
    width = MAX_LINE - len(pad)
    # Asked of the lines, not of the text: a ConfigMap's lines are long and few.
    if all(line and line[0] != " " for line in lines):
        # No empty and no "more indented" line (a ConfigMap's JSON): one empty line between
        # any two, and only a long line with a space is broken. A line left long has no space
        # at all and passes line_ok; a long part of a broken one may not (a run of spaces).
        block = [""] * (2 * len(lines) - 1)
        block[::2] = [pad + line for line in lines]
        broken = [n for n, line in enumerate(lines) if len(line) > width and " " in line]
        for n in reversed(broken):
            parts = [pad + part for part in _fold_at_spaces(lines[n], width)]
            if not all(line_ok(part) for part in parts if len(part) > MAX_LINE):
                return None
            block[2 * n : 2 * n + 1] = parts
        out.extend(block)
        return out
    if "\n\n\n" in text:
        return None
    append, extend = out.append, out.extend
    previous: bool | None = None  # whether the last text line was "more indented"
    empty = 0
    for line in lines:
        if not line:
            empty += 1
            continue
        spaced = line[0] == " "
        if previous is not None:
            blank = empty + (not previous and not spaced)
            if blank:
                extend([""] * blank)
        empty = 0
        if spaced or len(line) <= width or " " not in line:
            append(pad + line)
        else:
            extend(pad + part for part in _fold_at_spaces(line, width))
        previous = spaced
    return out if all(line_ok(line) for line in out if len(line) > MAX_LINE) else None


_SINGLE_SPACE = re.compile(r"(?<=\S) (?=\S)")


def _fold_at_spaces(line: str, width: int) -> list[str]:
    """``line`` in parts that join back with single spaces, each as short as the words allow."""
    if len(line) <= width or " " not in line:
        return [line]
    words = line.split(" ") if "  " not in line else _SINGLE_SPACE.split(line)
    parts: list[str] = []
    current = words[0]
    for word in words[1:]:
        if len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            parts.append(current)
            current = word
    parts.append(current)
    return parts


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if _QUOTED_SAFE.match(char):
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _quoted(text: str, pad: str) -> list[str]:
    """Double-quoted, every line within the limit however long its words are."""
    tokens = [_escape(char) for char in text]
    width = max(MAX_LINE - len(pad) - 1, 8)  # room for the closing quote or the escaping '\'
    lines: list[str] = []
    current = '"'
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if len(current) + len(token) > width:
            before = tokens[i - 1] if i else ""
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token == " " and before not in ("", " ") and after not in ("", " "):
                lines.append(current)  # a plain line break folds back into this space
                current = ""
                i += 1
                continue
            lines.append(current + "\\")
            # The next line's leading spaces are indentation: a space there must be escaped.
            current = "\\ " if token == " " else token
        else:
            current += token
            if token == "\\n" and i + 1 < len(tokens):
                # One physical line per line of the text, as far as the width allows.
                lines.append(current + "\\")
                current = "\\ " if tokens[i + 1] == " " else ""
                i += 1 if tokens[i + 1] == " " else 0
        i += 1
    lines.append(current + '"')
    return [pad + line for line in lines]
