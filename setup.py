"""The runtime's optional compiled evaluator (``flagwright.runtime.accel``); the rest of the
build is declared in pyproject.toml. ``optional``: without a C compiler the install still
succeeds, and the runtime runs as pure Python."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "flagwright.runtime._accel",
            sources=["src/flagwright/runtime/_accel.c"],
            optional=True,
        )
    ]
)
