"""The compiled evaluator under AddressSanitizer: the agreement tests, run again on a build of
``_accel.c`` with ASan, with Python's allocator switched to ``malloc`` so that ASan sees every
buffer. A read or write out of bounds, a use after free or a double free stops that run with
an ``AddressSanitizer`` report (written to a file, which the assertion shows), and fails this
test.

The build goes into a copy of the package (the installed extension is left alone); gcc and its
ASan runtime come with .ci/setup's gcc.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The tests that compare the compiled evaluator with the pure path, over random flags and
# contexts (test_specialise, test_bulk) and on the odd inputs (test_accel). Tests that start a
# clean interpreter of their own cannot run here: it would not preload ASan.
SUITES = ["tests/runtime/test_specialise.py", "tests/runtime/test_bulk.py"]
SUITES += ["tests/runtime/test_accel.py"]
CLEAN_INTERPRETER = "not environment_variable and not without_the_extension"


@pytest.fixture(scope="module")
def asan_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gcc = shutil.which("gcc")
    assert gcc is not None, "gcc is needed (bash .ci/setup installs it)"
    src = tmp_path_factory.mktemp("asan") / "src"
    shutil.copytree(ROOT / "src" / "flagwright", src / "flagwright",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))  # fmt: skip
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built = subprocess.run(
        [gcc, "-shared", "-fPIC", "-g", "-O1", "-fsanitize=address", "-fno-omit-frame-pointer",
         f"-I{sysconfig.get_paths()['include']}", str(src / "flagwright/runtime/_accel.c"),
         "-o", str(src / f"flagwright/runtime/_accel{suffix}")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    return src


def test_the_compiled_evaluator_has_no_memory_error(asan_package: Path, tmp_path: Path) -> None:
    runtime = subprocess.run(
        ["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert os.path.isabs(runtime), f"no ASan runtime found by gcc: {runtime!r}"
    env = dict(os.environ, PYTHONPATH=str(asan_package), PYTHONMALLOC="malloc",
               LD_PRELOAD=runtime,
               ASAN_OPTIONS=f"detect_leaks=0:log_path={tmp_path / 'asan'}")  # fmt: skip
    env.pop("FLAGWRIGHT_PURE_PYTHON", None)
    check = "import flagwright.runtime._accel as a; print(a.__file__)"
    where = subprocess.run([sys.executable, "-c", check], env=env, cwd=ROOT,
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert where.stdout.strip().startswith(str(asan_package)), where.stdout
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-x", "-p", "no:cacheprovider",
         *SUITES, "-k", CLEAN_INTERPRETER],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    output = done.stdout + done.stderr
    reports = [path.read_text(errors="replace") for path in sorted(tmp_path.glob("asan*"))]
    assert not reports, reports[0][:6000]  # ASan stops the run at the first error
    assert "AddressSanitizer" not in output, output[-6000:]
    assert done.returncode == 0, output[-6000:]
    summary = output.strip().splitlines()[-1]
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed >= 60 and "failed" not in summary and "error" not in summary, summary
