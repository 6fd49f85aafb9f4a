"""`make lab`: its own pinned environment, and .md chapters opening as notebooks."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from patron.paths import ROOT
from patron.workflow.lab import OVERRIDES, settings_file, write_overrides


def test_overrides_make_markdown_open_as_a_jupytext_notebook(tmp_path: Path) -> None:
    existing = settings_file(tmp_path)
    existing.parent.mkdir(parents=True)
    existing.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    written = json.loads(write_overrides(tmp_path).read_text(encoding="utf-8"))
    viewers = written["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    assert written["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}, "other settings kept"
    assert OVERRIDES.keys() <= written.keys()


def test_the_lab_requirements_are_pinned_and_kept_out_of_make_test() -> None:
    lab = (ROOT / "requirements-lab.txt").read_text(encoding="utf-8")
    lines = [l.strip() for l in lab.splitlines() if l.strip() and not l.startswith("#")]
    assert "jupyterlab==" in lab and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[\w.]+|-e \.", l) for l in lines), lines
    assert "jupyterlab" not in (ROOT / "requirements.txt").read_text(encoding="utf-8")


def test_make_lab_builds_its_own_environment_with_constraints() -> None:
    done = subprocess.run(["make", "-n", "-B", "lab"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    plan = done.stdout
    assert "-m venv .venv-lab" in plan
    assert "-r requirements-lab.txt -c .venv-lab/constraints.txt" in plan
    assert ".venv-lab/bin/python -m patron.workflow.lab" in plan
