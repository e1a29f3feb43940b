"""What a translator raises when a construct has no exact flagwright equivalent."""

from __future__ import annotations

from flagwright.codes import Code
from flagwright.diagnostics import YamlPath


class Unrepresentable(Exception):
    """One construct of one flag; the flag is then not written (nothing wrong is exported)."""

    def __init__(self, code: Code, where: YamlPath, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.where = where
        self.message = message
