"""`flagwright init DIR`: a minimal config repository that validates and renders as it is.

One promotion chain (dev → staging → prod), one app deployed to all three, one flag selected by
the app, the JSON Schemas editors use, flagwright's pre-commit hooks and a README. Nothing is
written into a folder that already holds anything: ``init`` never merges into existing work.
"""

from __future__ import annotations

from pathlib import Path

from flagwright.errors import UserError
from flagwright.model.schemas import SCHEMA_DIR, generate_schemas, schema_file_name


def _schema_line(rel: str, kind: str) -> str:
    depth = rel.count("/")
    schema = f"{'../' * depth}{SCHEMA_DIR}/{schema_file_name(kind)}"
    # The document start marker keeps the files as yamllint's default rules want them.
    return f"# yaml-language-server: $schema={schema}\n---"


def _environment(name: str, promotes_from: str | None, sync: str) -> str:
    chain = f"promotes_from: {promotes_from}\n" if promotes_from else ""
    policy = (
        "policy:\n  max_rollout_step: 25\n  require_promotion: true\n" if name == "prod" else ""
    )
    replicas = 3 if name == "prod" else 1
    return (
        f"{_schema_line('environments/x.yaml', 'Environment')}\n"
        f"kind: Environment\nname: {name}\n{chain}"
        "argocd:\n"
        "  project: default\n"
        "  destination: {server: https://kubernetes.default.svc}\n"
        f"  namespace: web-{name}\n"
        f"  sync: {sync}\n"
        f"{policy}"
        "apps:\n"
        "  web:\n"
        f"    values: {{replicaCount: {replicas}, image: {{tag: 1.0.0}}}}\n"
    )


FILES: dict[str, str] = {
    "environments/repository.yaml": (
        f"{_schema_line('environments/repository.yaml', 'Repository')}\n"
        "# Where Argo CD reads this repository from: set it to your Git remote.\n"
        "kind: Repository\nurl: https://git.example.com/your-org/config.git\nrevision: main\n"
    ),
    "environments/dev.yaml": _environment("dev", None, "auto"),
    "environments/staging.yaml": _environment("staging", "dev", "auto"),
    "environments/prod.yaml": _environment("prod", "staging", "manual"),
    "environments/apps/web.yaml": (
        f"{_schema_line('environments/apps/web.yaml', 'App')}\n"
        "kind: App\nname: web\n"
        "chart: {repo: https://charts.example.com, name: web, version: 1.0.0}\n"
        "values:\n"
        '  image: {repository: "ghcr.io/your-org/{{ app }}"}\n'
        "flags: [web-*]\n"
    ),
    "flags/web-new-homepage.yaml": (
        f"{_schema_line('flags/web-new-homepage.yaml', 'Flag')}\n"
        "kind: Flag\nkey: web-new-homepage\n"
        "description: The new home page\nowner: team-web\n"
        "environments:\n"
        '  dev: {serve: "on"}\n'
        '  staging: {split: {"on": 50, "off": 50}}\n'
        '  prod: {enabled: false, serve: "off"}\n'
    ),
    ".pre-commit-config.yaml": (
        "# flagwright's hooks (the ids of its .pre-commit-hooks.yaml), run with the\n"
        "# flagwright installed where pre-commit runs. To have pre-commit install it\n"
        "# instead: `- repo: <flagwright's Git URL>`, `rev: <tag>`, the same hook ids.\n"
        "---\n"
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: flagwright-validate\n"
        "        name: flagwright validate\n"
        "        entry: flagwright validate\n"
        "        language: system\n"
        "        pass_filenames: false\n"
        "        files: ^(flags|environments)/.*\\.ya?ml$\n"
        "      - id: flagwright-render-check\n"
        "        name: flagwright render --check\n"
        "        entry: flagwright render --check\n"
        "        language: system\n"
        "        pass_filenames: false\n"
        "        files: ^((flags|environments)/.*\\.ya?ml|rendered/.*)$\n"
    ),
    "README.md": (
        "# Config repository\n\n"
        "Feature flags (`flags/`) and environments (`environments/`) for flagwright.\n\n"
        "```\n"
        "flagwright validate     # check everything, file:line:col\n"
        "flagwright render       # write rendered/ (commit it; Argo CD syncs it)\n"
        "pre-commit install      # run both before every commit\n"
        "```\n\n"
        "`schemas/` is generated (`flagwright schema`); editors use it through the first line\n"
        "of each YAML file. Set `environments/repository.yaml` to this repository's Git URL.\n"
    ),
}


def init_repository(target: Path) -> list[str]:
    """Write the starter repository into ``target`` (created, or empty); return the files."""
    if target.exists() and not target.is_dir():
        raise UserError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise UserError(f"{target} is not empty: init writes only into a new or empty folder")
    files = dict(FILES)
    files.update((f"{SCHEMA_DIR}/{name}", text) for name, text in generate_schemas().items())
    for rel in sorted(files):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(files[rel])
    return sorted(files)


__all__ = ["FILES", "init_repository"]
