"""The notebooks: each .md and its executed .ipynb in step, outputs clean and
reproducible. (nbval, run by the same pytest session over book/*.ipynb,
re-executes each notebook and compares every stored output.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from patron.workflow.notebooks import drift, execute, execute_all, pairs
from patron.paths import BOOK_DIR, ROOT

PAIRS = pairs()


def test_every_notebook_has_both_halves() -> None:
    mds = {p.stem for p in BOOK_DIR.glob("*.md")}
    ipynbs = {p.stem for p in BOOK_DIR.glob("*.ipynb")}
    assert mds == ipynbs, f"unpaired: {sorted(mds ^ ipynbs)}"
    assert len(mds) >= 5


@pytest.mark.parametrize(("md", "ipynb"), PAIRS, ids=[md.stem for md, _ in PAIRS])
def test_md_and_ipynb_are_in_step(md: Path, ipynb: Path) -> None:
    assert drift(md, ipynb) == [], "run `make notebooks` and commit both files"


@pytest.mark.parametrize(("md", "ipynb"), PAIRS, ids=[md.stem for md, _ in PAIRS])
def test_outputs_are_clean(md: Path, ipynb: Path) -> None:
    """No warnings, errors or machine-specific paths in what readers see."""
    nb = nbformat.read(ipynb, as_version=4)
    for i, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            kind = output["output_type"]
            assert kind != "error", f"cell {i} raised an error"
            assert not (kind == "stream" and output["name"] == "stderr"), f"cell {i} wrote to stderr"
            text = json.dumps(output)
            assert str(ROOT) not in text, f"cell {i} output contains the local path {ROOT}"


def test_notebooks_are_paired_by_jupytext() -> None:
    for md, ipynb in PAIRS:
        meta = nbformat.read(ipynb, as_version=4).metadata
        assert meta.get("jupytext", {}).get("formats") == "ipynb,md:myst", ipynb.name


def test_reexecution_is_byte_identical(tmp_path: Path) -> None:
    """`make notebooks` on unchanged sources must change no file."""
    for md, ipynb in PAIRS:
        shutil.copy(md, tmp_path / md.name)
        shutil.copy(ipynb, tmp_path / ipynb.name)
    list(execute_all([tmp_path / md.name for md, _ in PAIRS]))
    for md, ipynb in PAIRS:
        assert (tmp_path / ipynb.name).read_bytes() == ipynb.read_bytes(), f"{ipynb.name} changed on re-execution"


def test_drift_catches_an_md_edit(tmp_path: Path) -> None:
    md, ipynb = next((m, i) for m, i in PAIRS if m.stem == "guidelines")
    shutil.copy(ipynb, tmp_path / ipynb.name)
    edited = md.read_text(encoding="utf-8").replace("load_guidelines()", "load_guidelines()  # edited", 1)
    (tmp_path / md.name).write_text(edited, encoding="utf-8")
    assert drift(tmp_path / md.name, tmp_path / ipynb.name)


def test_nbval_fails_when_a_stored_number_changes(tmp_path: Path) -> None:
    """The output check can fail: alter one glued number and nbval must go red."""
    import subprocess
    import sys

    nb = (BOOK_DIR / "guidelines.ipynb").read_text(encoding="utf-8")
    assert "'10 September 1979'" in nb
    (tmp_path / "guidelines.ipynb").write_text(nb.replace("'10 September 1979'", "'11 September 1979'", 1))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                           "--nbval-current-env", "-o", "testpaths=", "-o", "addopts=",
                           str(tmp_path / "guidelines.ipynb")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode != 0 and "failed" in done.stdout, done.stdout[-1500:]


def test_executing_a_notebook_prints_no_kernel_warning(tmp_path: Path) -> None:
    """`make notebooks` is quiet: the kernel runs over IPC, so ipykernel has no
    unencrypted-TCP warning to print (nor any other warning)."""
    import subprocess
    import sys

    md = tmp_path / "tiny.md"
    md.write_text(
        "---\njupytext:\n  formats: ipynb,md:myst\nkernelspec:\n  display_name: Python 3\n  language: python\n"
        "  name: python3\n---\n\n# Tiny\n\n```{code-cell} ipython3\n1 + 1\n```\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "patron.workflow.notebooks", "execute", str(md)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "WARNING" not in done.stderr and "WARNING" not in done.stdout, done.stderr
    assert done.stdout.strip() == f"executed {md}"
