"""Deployments follow the promotion chain (FW406), and an app leaves an environment only on
purpose (FW407); `diff` says which Argo CD Application is deleted."""

from __future__ import annotations

from flagwright.diff.run import run_diff
from flagwright.report.diff import as_json, as_markdown, as_text

from .conftest import GitWork, replace
from .test_policy import _validate

PROD_WEB = "values: {replicaCount: 3, image: {tag: 1.0.0}}"
STAGING_WEB = "values: {replicaCount: 2}"


def _without_web(work: GitWork, env: str) -> None:
    text = work.read(f"environments/{env}.yaml")
    (work.root / f"environments/{env}.yaml").write_text(text[: text.index("apps:")])


def test_removing_an_app_from_an_environment_is_fw407(config_repo: GitWork) -> None:
    _without_web(config_repo, "staging")
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "environments/staging.yaml:2:7: error[FW407] Application web-staging will be deleted: "
        "web is no longer deployed to staging, and Argo CD prunes the Application and "
        "everything it deployed; if that is intended, acknowledge it with the commit trailer "
        "`Flagwright-Allow: FW407 staging/web`"
    ]


def test_a_commit_trailer_acknowledges_the_removal(config_repo: GitWork) -> None:
    config_repo.git("checkout", "-q", "-b", "retire-web")
    _without_web(config_repo, "staging")
    config_repo.commit("Retire web in staging\n\nFlagwright-Allow: FW407 staging/web\n")
    assert _validate(config_repo)[0] == 0
    # the trailer names one app in one environment, not every removal
    _without_web(config_repo, "dev")
    code, lines = _validate(config_repo)
    assert code == 1
    assert [line.split(" ")[:2] for line in lines] == [
        ["environments/dev.yaml:2:7:", "error[FW407]"]
    ]


def test_deleting_an_environment_deletes_its_applications(config_repo: GitWork) -> None:
    config_repo.write(
        "environments/qa.yaml",
        """
        kind: Environment
        name: qa
        promotes_from: dev
        argocd: {project: shop, destination: {name: qa-1}, namespace: shop-qa}
        apps:
          web: {}
    """,
    )
    config_repo.commit("a qa environment")
    config_repo.remove("environments/qa.yaml")
    code, lines = _validate(config_repo, base="HEAD")
    assert code == 1
    assert [line.split(" ")[:3] for line in lines] == [
        ["environments/qa.yaml:1:1:", "error[FW407]", "Application"]
    ]
    assert "web-qa will be deleted" in lines[0]


def test_diff_names_the_deleted_application(config_repo: GitWork) -> None:
    _without_web(config_repo, "staging")
    diff = run_diff(config_repo.root, "main")
    assert diff.values == [] and diff.applications == []
    assert as_text(diff).splitlines()[1:] == [
        "0 flag changes in 0 environments, 0 Helm value changes, 1 Argo CD Application deleted",
        "",
        "Deleted:",
        "  - Application web-staging will be deleted (web leaves staging; Argo CD prunes "
        "everything it deployed)",
    ]
    assert "> **Application web-staging will be deleted" in as_markdown(diff)
    assert '"application": "web-staging"' in as_json(diff)


def test_an_image_tag_not_in_staging_is_fw406(config_repo: GitWork) -> None:
    replace(config_repo, "environments/prod.yaml", "tag: 1.0.0", "tag: 1.1.0")
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "environments/prod.yaml:12:44: error[FW406] web in prod: image.tag becomes '1.1.0', "
        "which staging (which prod promotes from) does not have yet (it has no value there); "
        "deploy it to staging first, or acknowledge it with the commit trailer "
        "`Flagwright-Allow: FW406 prod/web/image.tag`"
    ]


def test_an_image_tag_that_staging_runs_passes(config_repo: GitWork) -> None:
    replace(config_repo, "environments/staging.yaml", STAGING_WEB,
            "values: {replicaCount: 2, image: {tag: 1.1.0}}")  # fmt: skip
    config_repo.commit("web 1.1.0 to staging")
    replace(config_repo, "environments/prod.yaml", "tag: 1.0.0", "tag: 1.1.0")
    assert _validate(config_repo, base="HEAD")[0] == 0
    # staging must have had it before the change: both in one change is not a promotion
    config_repo.git("reset", "-q", "--hard", "HEAD~1")
    replace(config_repo, "environments/staging.yaml", STAGING_WEB,
            "values: {replicaCount: 2, image: {tag: 1.1.0}}")  # fmt: skip
    replace(config_repo, "environments/prod.yaml", "tag: 1.0.0", "tag: 1.1.0")
    assert _validate(config_repo)[0] == 1


def test_a_hotfix_says_so_with_a_trailer(config_repo: GitWork) -> None:
    config_repo.git("checkout", "-q", "-b", "hotfix")
    replace(config_repo, "environments/prod.yaml", "tag: 1.0.0", "tag: 1.0.1")
    config_repo.commit("web 1.0.1 straight to prod\n\nFlagwright-Allow: FW406 prod/web/image.*\n")
    assert _validate(config_repo) == (0, ["9 files, 9 documents: no problems"])


def test_a_chart_version_bump_in_the_app_reaches_prod_only_through_staging(
    config_repo: GitWork,
) -> None:
    replace(config_repo, "environments/apps/web.yaml", "version: 1.0.0", "version: 1.1.0")
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "environments/apps/web.yaml:3:63: error[FW406] web in prod: chart.version becomes "
        "'1.1.0', which staging (which prod promotes from) does not have yet (it has '1.0.0'); "
        "deploy it to staging first, or acknowledge it with the commit trailer "
        "`Flagwright-Allow: FW406 prod/web/chart.version`"
    ]
