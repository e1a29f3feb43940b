"""Evaluates an AnalysisTemplate condition the way Argo Rollouts' expr-lang does, for exactly
the forms flagwright emits: ``&&`` (short-circuit), ``!``, the comparisons ``< <= > >=``,
``len(result)``, ``isNaN(x)``, ``result[i]`` and decimal number literals with an optional
unary minus. Anything else is a
SyntaxError, so a change to the emitted forms cannot pass these tests unnoticed.

``result`` is what Argo Rollouts' Prometheus provider passes: a list of floats for a vector.
Reading past the end of the list raises IndexError: Argo Rollouts records an Error measurement.
"""

from __future__ import annotations

import math
import re
from typing import Any

_TOKEN = re.compile(r"\s*(&&|<=|>=|[<>!()\[\]-]|[0-9]+(?:\.[0-9]+)?|[A-Za-z]+)")


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    position = 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            raise SyntaxError(f"unexpected {text[position:]!r}")
        out.append(match[1])
        position = match.end()
    return out


class _Parser:
    def __init__(self, text: str, result: Any) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.result = result

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise SyntaxError(f"expected {expected!r}, got {token!r}")
        self.at += 1
        return token

    # Each parse_* evaluates as it goes; `live` False parses without evaluating (short-circuit).
    def parse_and(self, live: bool = True) -> Any:
        value = self.parse_unary(live)
        while self.peek() == "&&":
            self.take()
            live = live and bool(value)
            right = self.parse_unary(live)
            value = bool(value) and bool(right) if live else False
        return value

    def parse_unary(self, live: bool) -> Any:
        if self.peek() == "!":
            self.take()
            value = self.parse_unary(live)
            return (not value) if live else None
        return self.parse_comparison(live)

    def parse_comparison(self, live: bool) -> Any:
        left = self.parse_operand(live)
        op = self.peek()
        if op in ("<", "<=", ">", ">="):
            self.take()
            right = self.parse_operand(live)
            if not live:
                return None
            return {"<": left < right, "<=": left <= right, ">": left > right,
                    ">=": left >= right}[op]  # fmt: skip
        return left

    def parse_operand(self, live: bool) -> Any:
        token = self.take()
        if token == "-":
            return -float(self.take())  # the only unary minus emitted: before a literal
        if re.fullmatch(r"[0-9].*", token):
            return float(token)
        if token == "result":
            if self.peek() != "[":
                return self.result
            self.take("[")
            index = int(float(self.take()))
            self.take("]")
            return self.result[index] if live else None  # IndexError: an Error measurement
        if token in ("len", "isNaN"):
            self.take("(")
            argument = self.parse_and(live)
            self.take(")")
            if not live:
                return None
            return len(argument) if token == "len" else math.isnan(argument)
        raise SyntaxError(f"unsupported token {token!r}")


def evaluate(condition: str, result: Any) -> bool:
    parser = _Parser(condition, result)
    value = parser.parse_and()
    if parser.peek() is not None:
        raise SyntaxError(f"trailing {parser.peek()!r}")
    return bool(value)


def measurement(success: str, failure: str, result: Any) -> str:
    """Argo Rollouts' phase for one measurement with both conditions set."""
    try:
        if evaluate(failure, result):
            return "Failed"
        if evaluate(success, result):
            return "Successful"
    except (IndexError, TypeError):
        return "Error"
    return "Inconclusive"
