"""Shared fixtures. The strict site build runs once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from patron.paths import ROOT

BIN = Path(sys.executable).parent


@dataclass
class Build:
    returncode: int
    log: str
    html: Path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Build the book strictly (-W -n --keep-going) into a temporary folder."""
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
