"""Every name flagwright gives a Kubernetes or Argo CD object, in one place."""

from __future__ import annotations

ARGOCD_NAMESPACE = "argocd"
SNAPSHOT_KEY = "snapshot.json"
# The file (ConfigMap key) of each format an App can read, in the order they appear in `reads`.
FORMAT_FILES = {
    "snapshot": SNAPSHOT_KEY,
    "flagd": "flagd.json",
    "featuremanagement": "featuremanagement.json",
}


def configmap_name(app: str) -> str:
    return f"{app}-flags"


def application_name(app: str, env: str) -> str:
    # Applications of every environment share Argo CD's namespace, so the name carries the env.
    return f"{app}-{env}"


def root_application_name(env: str) -> str:
    return f"flagwright-{env}"
