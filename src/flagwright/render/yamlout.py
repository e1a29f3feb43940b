"""The one YAML writer for rendered files: deterministic bytes for identical data.

Sorted keys, block style, no anchors or aliases, two-space indent, no line folding, ``\\n`` and
UTF-8. libyaml's emitter does the work (the pure-Python one is ten times slower on large
ConfigMaps); only the representers below run in Python.
"""

from __future__ import annotations

from typing import Any

import yaml

# PyYAML's 1.1 resolver already quotes 1.1 booleans, 0x ints and dates; YAML 1.2 readers need more.
from flagwright.load.yamlio import YAML12_NON_STRING


class _Dumper(yaml.CSafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: Any, data: str) -> Any:
    if "\n" in data:
        # libyaml falls back to a quoted style on its own where a block scalar cannot hold it.
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    if YAML12_NON_STRING.match(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """One YAML document, sorted, block style, ending in a newline."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        indent=2,
        width=2**31 - 1,
        line_break="\n",
        explicit_start=False,
    )
    return text
