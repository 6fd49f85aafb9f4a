"""Execute the book's notebooks deterministically, and check each pair is in step.

Authors edit the MyST markdown file (``book/NAME.md``); the book and nbval read
the executed notebook beside it (``book/NAME.ipynb``). This module writes the
second from the first:

- it runs the notebook with nbclient in a fresh kernel, recording no timings;
  the kernel talks to nbclient over IPC (Unix sockets in a private temporary
  folder), not TCP on localhost, so ipykernel has no reason to warn that the
  channel is unencrypted, and no other user of the machine can connect to it;
- it keeps the cell ids of the existing ``.ipynb`` (jupytext invents new random
  ids on every read), so unchanged cells keep their ids;
- it strips execution metadata, so re-running an unchanged notebook gives a
  byte-identical file.

:func:`drift` is the test's view of the same contract: each ``.ipynb`` must
hold exactly the cells of its ``.md``, executed in order.

Command line::

    python -m patron.workflow.notebooks execute [book/NAME.md ...]   # default: all
    python -m patron.workflow.notebooks check                        # drift report
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
import tempfile
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

from patron.paths import BOOK_DIR

KERNEL = "python3"
TIMEOUT_SECONDS = 300


def pairs(book_dir: Path = BOOK_DIR) -> list[tuple[Path, Path]]:
    """Every (markdown, notebook) pair in the book folder, by name."""
    return [(md, md.with_suffix(".ipynb")) for md in sorted(book_dir.glob("*.md"))]


def _reuse_ids(new: nbformat.NotebookNode, old: nbformat.NotebookNode | None) -> None:
    """Give each new cell the id of the matching old cell, or a stable new one.

    A cell matches an old one with the same type and source; failing that, the
    old cell at the same position with the same type.
    """
    old_cells = list(old.cells) if old is not None else []
    unused = {i for i in range(len(old_cells))}
    used_ids: set[str] = set()
    for index, cell in enumerate(new.cells):
        match = next(
            (i for i in sorted(unused)
             if old_cells[i].cell_type == cell.cell_type and old_cells[i].source == cell.source),
            None,
        )
        if match is None and index in unused and old_cells[index].cell_type == cell.cell_type:
            match = index
        if match is not None and old_cells[match].get("id") not in used_ids:
            unused.discard(match)
            cell.id = old_cells[match]["id"]
        else:
            cell.id = hashlib.sha1(f"{index}:{cell.cell_type}:{cell.source}".encode()).hexdigest()[:8]
        while cell.id in used_ids:
            cell.id = hashlib.sha1(cell.id.encode()).hexdigest()[:8]
        used_ids.add(cell.id)


def _strip_volatile(nb: nbformat.NotebookNode) -> None:
    """Remove what changes from run to run without the content changing."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    nb.metadata.get("jupytext", {}).pop("text_representation", None)


def ipc_config(sockets: Path) -> Config:
    """Configuration for a kernel that listens on Unix sockets under ``sockets``.

    Over TCP, ipykernel warns on every start that its traffic is unencrypted.
    IPC is the transport it recommends instead; the sockets live in a folder
    that only this user can open, and vanish with it. nbclient still creates,
    owns and shuts down the kernel.
    """
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(sockets / "kernel")
    return config


def execute(md_path: Path) -> Path:
    """Execute ``md_path`` and write its paired ``.ipynb``; return that path."""
    ipynb_path = md_path.with_suffix(".ipynb")
    nb = jupytext.read(md_path)
    old = nbformat.read(ipynb_path, as_version=4) if ipynb_path.exists() else None
    _reuse_ids(nb, old)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    with tempfile.TemporaryDirectory(prefix="patron-kernel-") as sockets:
        client = NotebookClient(
            nb,
            kernel_name=KERNEL,
            config=ipc_config(Path(sockets)),
            timeout=TIMEOUT_SECONDS,
            record_timing=False,
            resources={"metadata": {"path": str(md_path.parent)}},
        )
        client.execute()
    _strip_volatile(nb)
    nbformat.validate(nb)
    text = nbformat.writes(nb) + "\n"
    if not ipynb_path.exists() or ipynb_path.read_text(encoding="utf-8") != text:
        ipynb_path.write_text(text, encoding="utf-8")
    return ipynb_path


def default_jobs() -> int:
    """Notebooks run at once: one per core, at most two (each also runs a kernel)."""
    return max(1, min(2, os.cpu_count() or 1))


def execute_all(md_paths: Sequence[Path], jobs: int | None = None) -> Iterator[Path]:
    """Execute every notebook in ``md_paths``, ``jobs`` at a time; yield each ``.md`` as it finishes.

    Each notebook runs in its own fresh kernel, so the order in which they
    finish changes nothing that is written.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1 or len(md_paths) <= 1:
        for md in md_paths:
            execute(md)
            yield md
        return
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for md, _ in zip(md_paths, pool.map(execute, md_paths)):
            yield md


def _cell_meta(cell: nbformat.NotebookNode) -> dict:
    return {k: v for k, v in cell.metadata.items() if k != "execution"}


def drift(md_path: Path, ipynb_path: Path) -> list[str]:
    """Differences between a markdown notebook and its executed ``.ipynb``.

    An empty list means the pair is in step: same cells, same sources, and
    code cells executed once each, in order (execution counts 1..n).
    """
    if not ipynb_path.exists():
        return [f"{ipynb_path.name} is missing: run `make notebooks`"]
    text = jupytext.read(md_path)
    stored = nbformat.read(ipynb_path, as_version=4)
    problems: list[str] = []
    if len(text.cells) != len(stored.cells):
        problems.append(f"{md_path.name} has {len(text.cells)} cells, {ipynb_path.name} has {len(stored.cells)}")
    for i, (a, b) in enumerate(zip(text.cells, stored.cells), start=1):
        if a.cell_type != b.cell_type:
            problems.append(f"cell {i}: {a.cell_type} in {md_path.name}, {b.cell_type} in {ipynb_path.name}")
        elif a.source != b.source:
            problems.append(f"cell {i}: source differs between {md_path.name} and {ipynb_path.name}")
        elif _cell_meta(a) != _cell_meta(b):
            problems.append(f"cell {i}: metadata (tags, caption) differs between {md_path.name} and {ipynb_path.name}")
    counts = [c.get("execution_count") for c in stored.cells if c.cell_type == "code"]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"{ipynb_path.name}: execution counts are {counts}, expected 1..{len(counts)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m patron.workflow.notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="execute notebooks and write their .ipynb")
    run.add_argument("files", nargs="*", type=Path, help="MyST .md files (default: all in book/)")
    # One at a time by default: running two, a kernel once logged a stray "KeyboardInterrupt
    # caught in kernel" at shutdown, and `make notebooks` promises a quiet run.
    run.add_argument("--jobs", type=int, default=1, help="notebooks at once (default 1; the tests use 2)")
    sub.add_parser("check", help="report any .md/.ipynb pair that is out of step")
    args = parser.parse_args(argv)

    if args.command == "execute":
        files = args.files or [md for md, _ in pairs()]
        for md in execute_all(files, args.jobs):
            print(f"executed {md}", flush=True)
        return 0
    bad = 0
    for md, ipynb in pairs():
        for problem in drift(md, ipynb):
            print(f"{md}: {problem}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
