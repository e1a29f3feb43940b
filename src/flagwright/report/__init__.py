"""Formatting results for people and tools: one module per kind of result. Nothing here
computes a result; the commands' cores do, and cli/ prints what these modules return."""
