"""Where charts and the config repository come from: URLs, paths and refs, checked strictly.

They end up in Argo CD Applications, and from there in ``git`` and ``helm`` command lines run by
Argo CD's repo server: a value that starts with ``-`` could be read as an option
(``--upload-pack=...``), a chart path must stay inside its repository (relative, no ``..``), and
refs follow the same narrow grammar as revisions given on flagwright's command line.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from flagwright.errors import GitError

GIT_URL_PATTERN = r"^(https?://|ssh://|git@)[^\s\x00-\x1f\x7f]+$"
HELM_URL_PATTERN = r"^(https?|oci)://[^\s\x00-\x1f\x7f]+$"
WORD_PATTERN = r"^[^-\s\x00-\x1f\x7f][^\s\x00-\x1f\x7f]*$"
CHART_PATH_PATTERN = r"^(?!/)(?!-)(?!.*(^|/)\.\.(/|$))[^\s\\\\\x00-\x1f\x7f]+$"
GIT_REF_PATTERN = r"^(?!-)(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_./+-]*$"
_GIT_URL = re.compile(GIT_URL_PATTERN)
_HELM_URL = re.compile(HELM_URL_PATTERN)
_WORD = re.compile(WORD_PATTERN)
_CHART_PATH = re.compile(CHART_PATH_PATTERN)


def _error(message: str, value: str) -> PydanticCustomError:
    shown = value if len(value) <= 60 else value[:57] + "..."
    joined = "{value} " + message if message.startswith("is ") else "{value}: " + message
    return PydanticCustomError("fw_source", joined, {"value": repr(shown)})


def _git_url(value: str) -> str:
    if not _GIT_URL.match(value):
        raise _error("not a Git URL (https://, http://, ssh:// or git@host:path)", value)
    return value


def _helm_url(value: str) -> str:
    if not _HELM_URL.match(value):
        raise _error("is not a chart repository URL starting with https://, http:// or oci://",
                     value)  # fmt: skip
    return value


def _word(value: str) -> str:
    if not _WORD.match(value):
        raise _error("must be one word, without spaces, not starting with '-'", value)
    return value


def _chart_path(value: str) -> str:
    if value.startswith("/"):
        raise _error("a chart path is relative to the Git repository, not absolute", value)
    if ".." in value.split("/"):
        raise _error("a chart path must stay inside its repository: no '..'", value)
    if not _CHART_PATH.match(value):
        raise _error(
            "a chart path is a relative path without spaces, backslashes or a leading '-'",
            value,
        )
    return value


def _git_ref(value: str) -> str:
    # The command line's own grammar; imported here because gitio imports the models.
    from flagwright.gitio.refs import check_ref

    try:
        check_ref(value)
    except GitError as exc:
        raise _error(f"not a Git ref: {exc}", value) from None
    if "~" in value or "^" in value:
        raise _error("give a branch, tag or commit id, without ~ or ^", value)
    return value


GitUrl = Annotated[
    str, AfterValidator(_git_url), WithJsonSchema({"type": "string", "pattern": GIT_URL_PATTERN})
]
HelmRepoUrl = Annotated[
    str, AfterValidator(_helm_url), WithJsonSchema({"type": "string", "pattern": HELM_URL_PATTERN})
]
Word = Annotated[
    str, AfterValidator(_word), WithJsonSchema({"type": "string", "pattern": WORD_PATTERN})
]
ChartPath = Annotated[
    str,
    AfterValidator(_chart_path),
    WithJsonSchema({"type": "string", "pattern": CHART_PATH_PATTERN}),
]
GitRef = Annotated[
    str,
    AfterValidator(_git_ref),
    WithJsonSchema({"type": "string", "pattern": GIT_REF_PATTERN, "maxLength": 256}),
]
