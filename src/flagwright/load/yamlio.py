"""The one fast YAML reader: libyaml's parser, YAML 1.2 core-schema resolution, and limits.

PyYAML resolves scalars by YAML 1.1 rules (``on``/``no`` become booleans, ``010`` is octal, dates
become ``datetime``); config authors expect YAML 1.2, so this module installs its own resolver and
scalar constructors on a private loader class instead of patching PyYAML's shared ones. Dates and
times stay strings, as they are in JSON; the models parse them.

Everything that can go wrong becomes a :class:`YamlError` with a 1-based position; nothing else
escapes.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.cyaml import CParser  # type: ignore[attr-defined]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from flagwright.codes import Code
from flagwright.load.lines import Lines, offset_position
from flagwright.load.yamllimits import (
    COMPOSE_GUARD,
    MAX_DEPTH,
    MAX_EXPANDED_CHARS,
    MAX_EXPANDED_NODES,
    MAX_FILE_BYTES,
    YamlError,
    check_depth_by_events,
    check_depth_of_nodes,
    check_expansion,
    nesting_chars,
    position,
    raise_if_libyaml_limit,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_CHARS",
    "MAX_EXPANDED_NODES",
    "MAX_FILE_BYTES",
    "YAML12_NON_STRING",
    "YamlError",
    "decode",
    "load_documents",
]


class _Resolver(BaseResolver):
    """YAML 1.2 core schema: only true/false are booleans, only ~/null/empty is null."""


_Resolver.yaml_implicit_resolvers = {}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)

# Plain scalars that a YAML 1.2 reader (ours, Helm's newer parsers) would not read back as the
# same string, so the writers quote them: the resolvers above, signed 0o/0x included, and no
# empty string (writers quote that on their own).
YAML12_NON_STRING = re.compile(
    r"^(?:[-+]?(?:0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+)"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|~|null|Null|NULL)$"
)


class _Constructor(SafeConstructor):
    yaml_constructors: ClassVar[dict[Any, Any]] = {}

    # An explicit tag on a value that does not fit it (`!!int abc`, `!!bool maybe`) makes
    # PyYAML's constructors raise plain Python errors with no position; give them one.
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError, TypeError):
            raise ConstructorError(
                None, None, f"{_show_node(node)} cannot be read as {_short_tag(node.tag)}",
                node.start_mark,
            ) from None  # fmt: skip

    def construct_document(self, node: Any) -> Any:
        try:
            return super().construct_document(node)
        except (ValueError, KeyError, TypeError):
            raise ConstructorError(
                None, None, "a value does not match the !!type written before it", node.start_mark
            ) from None

    # Every value may end up in JSON (bundles, exports) read by services in several languages:
    # numbers must be finite and fit a 64-bit integer, or they are a diagnostic here rather than
    # a crash when rendering.
    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        if len(text) > 40:
            raise _number_error(node, "is too large a number")
        if text.startswith("0o"):
            value = int(text[2:], 8)
        elif text.startswith("0x"):
            value = int(text[2:], 16)
        else:
            value = int(text, 10)
        if not -(2**63) <= value < 2**63:
            raise _number_error(node, "does not fit a 64-bit integer")
        return value

    def construct_yaml_float(self, node: ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        value = float(text.replace(".inf", "inf").replace(".nan", "nan"))
        if not math.isfinite(value):
            raise _number_error(node, "is not a finite number; JSON cannot hold it")
        return value

    def construct_yaml_map(self, node: MappingNode) -> Any:
        data: dict[Any, Any] = {}
        yield data
        seen: dict[Any, Node] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=False)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(
                    None, None, "a mapping key must be a scalar", key_node.start_mark
                ) from None
            if key in seen:
                raise _DuplicateKey(key, seen[key], key_node)
            seen[key] = key_node
            data[key] = self.construct_object(value_node, deep=False)


def _number_error(node: ScalarNode, problem: str) -> ConstructorError:
    return ConstructorError(None, None, f"{_show_node(node)} {problem}", node.start_mark)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag


def _show_node(node: Node) -> str:
    if not isinstance(node, ScalarNode):
        return "a collection"
    text = str(node.value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first: Node, second: Node) -> None:
        super().__init__(key)
        self.key = key
        self.first = first
        self.second = second


_CONSTRUCTORS: dict[str | None, Any] = {
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _Constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _Constructor.construct_yaml_float,
    "tag:yaml.org,2002:str": SafeConstructor.construct_yaml_str,
    "tag:yaml.org,2002:seq": SafeConstructor.construct_yaml_seq,
    "tag:yaml.org,2002:map": _Constructor.construct_yaml_map,
    None: SafeConstructor.construct_undefined,
}
for _tag, _method in _CONSTRUCTORS.items():
    _Constructor.add_constructor(_tag, _method)


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOLEANS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_IMPLICIT: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers) for first, resolvers in _Resolver.yaml_implicit_resolvers.items()
}


class _Loader(CParser, _Constructor, _Resolver):
    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        _Constructor.__init__(self)
        _Resolver.__init__(self)

    # libyaml's composer calls these once per node; BaseResolver's versions are generic (path
    # resolvers, wildcard lists) and took about a fifth of the load time. These give the same
    # tags for this loader's resolvers, which has no path resolvers.
    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR_TAG
        return _SEQ_TAG if kind is SequenceNode else _MAP_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


class _Unusual(Exception):
    """A document the quick constructor leaves to PyYAML's, which reports it exactly."""


_MISS = object()


def _quick_document(node: Node, loader: _Loader) -> Any:
    """The document's value, or _MISS when anything is unusual (see _quick).

    PyYAML's constructor spends most of its time in generic machinery (generators for
    recursive structures, per-node bookkeeping); a document without aliases needs none of it.
    The result is the same value PyYAML's constructor builds; for every document this
    declines (tags, duplicate or unhashable keys, too deep), the full path runs instead, so
    errors and their positions are PyYAML's own.
    """
    try:
        return _quick(node, loader, 1)
    except Exception:  # any problem at all: the full path below finds and reports it
        return _MISS


def _quick(node: Node, loader: _Loader, depth: int) -> Any:
    tag = node.tag
    if isinstance(node, ScalarNode):
        if tag == _STR_TAG:
            return node.value
        if tag == _NULL_TAG:
            return None
        if tag == _BOOL_TAG:
            return _BOOLEANS[node.value]
        if tag == _INT_TAG:
            return loader.construct_yaml_int(node)
        if tag == _FLOAT_TAG:
            return loader.construct_yaml_float(node)
        raise _Unusual
    if depth > MAX_DEPTH:
        raise _Unusual
    if isinstance(node, MappingNode) and tag == _MAP_TAG:
        data: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _quick(key_node, loader, depth + 1)
            if key in data:
                raise _Unusual
            data[key] = _quick(value_node, loader, depth + 1)
        return data
    if isinstance(node, SequenceNode) and tag == _SEQ_TAG:
        return [_quick(child, loader, depth + 1) for child in node.value]
    raise _Unusual


def decode(raw: bytes) -> str:
    """Decode UTF-8 (a BOM is allowed) or raise YamlError at the first bad byte."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlError(
            Code.FILE_TOO_LARGE,
            f"file is {len(raw)} bytes; the limit is {MAX_FILE_BYTES} bytes",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlError(
            Code.ENCODING,
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}; save the file as UTF-8",
            line,
            col,
        ) from None


def load_documents(text: str) -> list[Any]:
    """Parse every document of a YAML stream; raise YamlError with a position on any problem."""
    lines = Lines(text)
    try:
        return _load_documents(text)
    except YamlError as exc:
        if exc.mark is not None:
            exc.line, exc.col = lines.of_mark(exc.mark)
        raise


def _load_documents(text: str) -> list[Any]:
    nesting = nesting_chars(text)
    if nesting > COMPOSE_GUARD:
        check_depth_by_events(text)
    loader = _Loader(text)
    try:
        docs: list[Any] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None and "*" not in text:
                value = _quick_document(node, loader)
                if value is not _MISS:
                    docs.append(value)
                    continue
            if node is not None and MAX_DEPTH < nesting <= COMPOSE_GUARD:
                check_depth_of_nodes(node)
            if node is not None and "*" in text:
                check_expansion(node)
            docs.append(loader.construct_document(node))
        return docs
    except _DuplicateKey as dup:
        first = Lines(text).of_mark(dup.first.start_mark)[0]
        raise YamlError(
            Code.DUPLICATE_KEY,
            f"duplicate key {dup.key!r}: first defined at line {first}",
            *position(dup.second.start_mark),
        ) from None
    except ConstructorError as exc:
        mark = exc.problem_mark
        problem = exc.problem or "cannot construct value"
        code = Code.UNSUPPORTED_TAG if "tag" in problem else Code.YAML_SYNTAX
        if code is Code.UNSUPPORTED_TAG:
            # Show the tag as the author wrote it (`!!python/object`), not PyYAML's expansion.
            tag = problem.split("for the tag")[-1].strip().strip("'")
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            problem = (
                f"tag {tag!r} is not supported: only plain YAML (mappings, lists, strings, "
                "numbers, booleans, null) is allowed"
            )
        raise YamlError(code, problem, *position(mark)) from None
    except yaml.MarkedYAMLError as exc:
        raise_if_libyaml_limit(exc)
        raise YamlError(
            Code.YAML_SYNTAX,
            _syntax_message(exc, text),
            *position(exc.problem_mark or exc.context_mark),
        ) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (NUL, other controls): at the character itself.
        line, col = offset_position(text, exc.position)
        raise YamlError(Code.YAML_SYNTAX, str(exc).splitlines()[0], line, col) from None
    except yaml.YAMLError as exc:
        raise_if_libyaml_limit(exc)
        raise YamlError(Code.YAML_SYNTAX, str(exc).splitlines()[0]) from None
    except RecursionError:
        raise YamlError(Code.TOO_DEEP, f"nesting is deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


_ALIAS_NAME = re.compile(r"\*([^\s,\[\]{}]+)")


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """libyaml's problem, plus what it leaves out: the alias, where an unclosed thing began."""
    message = exc.problem or "invalid YAML"
    mark, context_mark = exc.problem_mark, exc.context_mark
    if message == "found undefined alias" and mark is not None:
        found = _ALIAS_NAME.match(text, mark.index)
        if found:
            name = found.group(1)
            message = f"found undefined alias {name!r}; define it first with '&{name}'"
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        message = f"{message}: a tab; indent YAML with spaces"
    if exc.context:
        where = ""
        if context_mark is not None and mark is not None and context_mark.line != mark.line:
            where = f" that starts at line {context_mark.line + 1}"
        message = f"{message} ({exc.context}{where})"
    return message
