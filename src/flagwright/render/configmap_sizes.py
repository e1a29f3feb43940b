"""FW307 found by ``validate``: flag ConfigMaps over Kubernetes' 1 MiB object limit.

A ConfigMap's size is only known once the flags are compiled, so this runs the compiler and the
ConfigMap renderer's own functions (:func:`~flagwright.render.configmap.configmap_data`, and
:func:`~flagwright.render.configmap.flag_configmap` for the verdict): the finding is render's,
word for word and at the same source position.

Spelling every ConfigMap as YAML would cost as much as the rest of ``validate``, so each one is
first bounded from above (:func:`spelled_bound`): its YAML is the manifest around the files it
holds, and each file's spelling is bounded by counting the characters the YAML writer may
escape, break or indent. Only a ConfigMap whose bound is over the limit is spelled exactly.

The bound covers every style :mod:`flagwright.render.yamlstrings` may choose for a multi-line
string (literal, folded, double-quoted); a change there must keep
``tests/render/test_configmap_sizes.py`` (the bound against the real spelling) passing.

Runs only on a configuration without errors, like render: the compiler's input must have
passed the checks (anything else is a CompileError, an internal error). A large repository
checks its environments in forked workers (:mod:`flagwright.render.forked`), as render renders
them, and only the findings come back; a small one checks them here, and the compiled bundles
stay in ``ConfigIndex.bundles`` for whatever renders next. ``render`` itself skips this check
(``validate_repository(..., sizes=False)``): it builds every ConfigMap and reports FW307 from
the same function.

Why compile rather than bound a ConfigMap from the sources: compiling inlines each segment into
every rule naming it and each rollout plan into every flag on it, and names unnamed rules, so a
few source bytes can become kilobytes of JSON; any factor covering that is far too loose for a
repository whose ConfigMaps are a third of the limit (``bench/generate.py``'s are), and every
app there would be compiled anyway. Compiling is most of what this check costs; see
``bench/bench_validate.py`` for what it adds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flagwright.codes import Code, Severity
from flagwright.diagnostics import Finding, Findings
from flagwright.load.allocation import cycle_collector_paused
from flagwright.load.index import ConfigIndex
from flagwright.model import Repository
from flagwright.render.configmap import (
    MAX_BYTES,
    configmap_data,
    configmap_manifest,
    flag_configmap,
)
from flagwright.render.context import EnvContext
from flagwright.render.forked import map_forked, worker_count
from flagwright.render.yamlout import dump_yaml
from flagwright.render.yamlstrings import MAX_LINE

# The writer puts a ConfigMap's files at `data:` → `  <file>:` → value lines indented by 4.
DATA_INDENT = 4
# Characters the double-quoted style writes as they are; any other is escaped (at most 10 bytes,
# ``\UXXXXXXXX``). Kept wider than yamlstrings' set is never unsound: it is only counted.
_ESCAPED = re.compile(
    r"[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_LONGEST_ESCAPE = 10


# ASCII text: the bytes outside the printable range, counted by deleting the printable ones.
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _escaped(text: str) -> int:
    """How many characters of ``text`` the double-quoted style may escape (at least that many)."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _PRINTABLE_ASCII))
    return len(_ESCAPED.findall(text))


def check_configmap_sizes(index: ConfigIndex, findings: Findings) -> None:
    """Report FW307 for every flag ConfigMap render would refuse as too large."""
    repository = index.repository
    if repository is None or any(f.severity is Severity.ERROR for f in findings.items):
        return
    with cycle_collector_paused():  # as in render: compiling makes many containers, no cycles
        _check(index, repository, findings)


def _check(index: ConfigIndex, repository: Repository, findings: Findings) -> None:
    envs = [name for name in sorted(index.environments) if index.environments[name].model.apps]
    sizes = _EnvSizes(index, repository)
    workers = worker_count(len(envs), len(index.flags))
    results = map_forked(sizes.check, envs, workers) if workers > 1 else map(sizes.check, envs)
    for found in results:
        findings.extend(found)


@dataclass(slots=True)
class _EnvSizes:
    """One environment's ConfigMaps checked; what a forked worker runs."""

    index: ConfigIndex
    repository: Repository
    selections: dict[tuple[str, ...], list[str]] = field(default_factory=dict)

    def check(self, name: str) -> list[Finding]:
        """The environment's FW307s; its compiled bundle stays in ``index.bundles``."""
        from flagwright.render.fleet import ClusterContext
        from flagwright.render.fleet_appset import ordered
        from flagwright.render.templating import ValueTemplates

        env = self.index.environments[name]
        templates = ValueTemplates()  # unused here: ConfigMaps hold no value templates
        ctx = EnvContext(
            self.index, env, self.repository, templates, Findings(), selections=self.selections
        )
        if not ctx.deployments:
            return []  # nothing to compile for
        found: list[Finding] = []
        contexts = [ctx]
        contexts += [ClusterContext(ctx, c) for c in ordered(env.model.clusters or []) if c.flags]
        for context in contexts:
            for deployment in context.deployments:
                digest, data = configmap_data(context, deployment)
                if _bound(context, deployment.name, digest, data) > MAX_BYTES:
                    flag_configmap(context, deployment)  # the exact size, reported as render does
            found += _too_large(context.findings.items)
        return found


def _too_large(items: list[Finding]) -> list[Finding]:
    # Only the refusal: FW308 (over 256 KiB) stays render's, which sees every ConfigMap's size.
    return [f for f in items if f.code is Code.CONFIGMAP_TOO_LARGE]


def _bound(ctx: EnvContext, app: str, digest: str, data: dict[str, str]) -> int:
    """At least the bytes of the app's ConfigMap file: the manifest with empty files, plus a
    bound on each file's lines."""
    skeleton = configmap_manifest(ctx, app, digest, dict.fromkeys(data, ""))
    total = len(dump_yaml(skeleton).encode("utf-8"))
    for name, text in data.items():
        head = len(f"{' ' * (DATA_INDENT - 2)}{name}:".encode())
        bound = spelled_bound(text, head, DATA_INDENT)
        if bound is None:
            return MAX_BYTES + 1  # no bound for this text: spell it exactly
        total += bound
    return total


def spelled_bound(text: str, head: int, indent: int) -> int | None:
    """At least the bytes of ``scalar_lines(text, key_line, indent)`` joined by and ending in
    newlines, where the key's line (``"  name:"``) is ``head`` bytes; ``None`` for text without
    a line break (spelled on one line in more ways than are bounded here).

    With ``n`` bytes, ``nl`` line breaks, ``sp`` spaces and pad ``p`` (``indent`` spaces):

    * literal (``|``): the key's line and ``" |-"``, then each text line after the pad:
      at most ``head + 4 + n + (p + 1)(nl + 1)``;
    * folded (``>``): each line is broken at most at each space (the space becomes the break,
      each part gets a pad) and each line break may add an empty line: at most
      ``head + 4 + n + (p + 1) sp + (p + 2)(nl + 1)``;
    * double-quoted: each character escaped at most to ``\\UXXXXXXXX`` (``"`` and ``\\`` to
      two), so the content has at most ``e = n + #'"' + #'\\' + 9 #escaped + 2`` bytes; a
      line is broken after each ``\\n`` or once it holds more than ``width - 10`` characters,
      and each line adds its pad, a ``\\``, an escaped leading space and its newline: at most
      ``head + 1 + e + (p + 3)(nl + 2 + e // (width - 20))``.
    """
    if "\n" not in text:
        return None
    pad = indent
    n = len(text.encode("utf-8"))
    lines = text.count("\n") + 1
    spaces = text.count(" ")
    literal = head + 4 + n + (pad + 1) * lines
    folded = head + 4 + n + (pad + 1) * spaces + (pad + 2) * lines
    escaped = _escaped(text)
    content = n + text.count('"') + text.count("\\") + (_LONGEST_ESCAPE - 1) * escaped + 2
    # A line broken for width holds more than width - 10 characters, at most two of them not
    # from the content (the opening quote, the backslash of an escaped leading space).
    room = max(MAX_LINE - indent - 1, 8) - 2 * _LONGEST_ESCAPE
    if room <= 0:
        return None  # too narrow to count lines by width: spell it exactly
    quoted_lines = lines + 1 + content // room
    quoted = head + 1 + content + (pad + 3) * quoted_lines
    return max(literal, folded, quoted)
