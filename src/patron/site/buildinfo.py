"""Tell the colophon which commit the site was built from.

The commit cannot be stored in a notebook output (it changes with every
commit, and nbval would then fail), so it is set at build time as the MyST
substitution ``{{ build_commit }}``.
"""

from __future__ import annotations

import subprocess
from typing import Any

from patron.paths import ROOT


def current_commit() -> str:
    """The checked-out commit, marked '+ local changes' if the tree is dirty."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} + local changes" if dirty else commit


def _set_substitution(app: Any, config: Any) -> None:
    config.myst_substitutions = {**config.myst_substitutions, "build_commit": current_commit()}


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _set_substitution)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
