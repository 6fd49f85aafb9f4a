"""Shared fixtures. The strict site build runs once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from patron.paths import ROOT

BIN = Path(sys.executable).parent


@dataclass
class Build:
    returncode: int
    log: str
    html: Path


@dataclass
class Job:
    """A function running in a thread; :meth:`result` waits for it and re-raises its error."""

    run: Callable[[], Any]
    _result: Any = None
    _error: BaseException | None = None
    _thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._target, daemon=True)
        self._thread.start()

    def _target(self) -> None:
        try:
            self._result = self.run()
        except BaseException as error:  # handed to the test that asks for the result
            self._error = error

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def pdf_prerequisites() -> bool:
    """Whether this machine can print the book (the PDF test says which tool is missing)."""
    from patron.workflow.pdf import CHROMIUM

    return CHROMIUM.exists() and bool(shutil.which("pdftotext") and shutil.which("pdfinfo"))


@pytest.fixture(scope="session")
def pdf_job(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Job | None:
    """The book printed once per session, as `make pdf` does, in the background.

    Started before the site build when any selected test needs the PDF, so that
    the two builds run side by side on two cores; None if this machine cannot
    print (the PDF test then skips or, in CI, fails, naming what is missing).
    """
    if not pdf_prerequisites():
        return None
    from patron.workflow.pdf import PDF_NAME, build_pdf

    output = tmp_path_factory.mktemp("pdf") / PDF_NAME
    return Job(lambda: build_pdf(output))


def _needs_pdf(request: pytest.FixtureRequest) -> bool:
    return any("book" in getattr(item, "fixturenames", ()) for item in request.session.items)


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Build the book strictly (-W -n --keep-going) into a temporary folder."""
    if _needs_pdf(request):
        request.getfixturevalue("pdf_job")  # start printing now, beside this build
    out = tmp_path_factory.mktemp("site")
    command = [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    return Build(done.returncode, done.stdout + done.stderr, out / "_build" / "html")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A scratch copy of data/ and references.bib that a test may break."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    return tmp_path


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
