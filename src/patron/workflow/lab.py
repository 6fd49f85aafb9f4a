"""``make lab``: JupyterLab on the book, with each chapter's ``.md`` opening as a notebook.

The chapters are MyST markdown files paired with ``.ipynb`` by jupytext. In
JupyterLab with jupytext's extension, a paired ``.md`` can be opened as a
notebook, run and edited, and saving writes both files. This module sets
JupyterLab's default viewer for markdown to the jupytext notebook, in this
environment's settings only (``.venv-lab/share/jupyter/lab/settings``), and starts
JupyterLab in ``book/``.

Outputs saved from JupyterLab carry timings and the reader's execution order.
``make notebooks`` re-executes every chapter deterministically; run it before
committing, as the notebook tests expect.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from patron.paths import BOOK_DIR

# jupytext's documented way to open .md files as notebooks by default.
OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"},
    },
}


def settings_file(prefix: Path = Path(sys.prefix)) -> Path:
    """Where JupyterLab reads setting overrides for this environment."""
    return prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def write_overrides(prefix: Path = Path(sys.prefix)) -> Path:
    """Merge :data:`OVERRIDES` into the environment's overrides file; return its path."""
    path = settings_file(prefix)
    current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    current.update(OVERRIDES)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    write_overrides()
    args = list(sys.argv[1:] if argv is None else argv)
    jupyter = Path(sys.executable).parent / "jupyter"
    os.execv(str(jupyter), [str(jupyter), "lab", f"--ServerApp.root_dir={BOOK_DIR}", *args])
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
