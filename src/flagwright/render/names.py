"""Every name flagwright gives a Kubernetes or Argo CD object, in one place."""

from __future__ import annotations

import re

# Kubernetes' naming rules (apimachinery's validation): object names are DNS-1123 subdomains,
# namespaces DNS-1123 labels, label values at most 63 characters.
SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
MAX_SUBDOMAIN = 253
MAX_LABEL = 63

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
