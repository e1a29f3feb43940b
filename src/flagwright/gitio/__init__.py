"""Reading a config repository from Git's object database: refs, revisions, history."""

from __future__ import annotations

from flagwright.gitio.refs import check_ref
from flagwright.gitio.repo import GitRepo
from flagwright.gitio.revision import Revision, RevisionLoader

__all__ = ["GitRepo", "Revision", "RevisionLoader", "check_ref"]
