"""Where the compendium's files live, resolved from this package, never from the
working directory.

The package is installed editable (``-e .`` in ``requirements.txt``), so this
file sits at ``<root>/src/patron/paths.py`` and the project root is two levels
up. A notebook run from ``book/``, a test run from ``tests/`` and a build run
from the root therefore all read the same files.
"""

from __future__ import annotations

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parents[2]
DATA_DIR: Path = ROOT / "data"
DATAPACKAGE: Path = DATA_DIR / "datapackage.json"
BIBLIOGRAPHY: Path = ROOT / "references.bib"
BOOK_DIR: Path = ROOT / "book"
PDF_NAME: str = "when-clients-arm.pdf"  # `make pdf` writes _build/pdf/PDF_NAME; the site serves it at its root


def data_file(name: str) -> Path:
    """Return the path of a file in ``data/``, failing loudly if it is missing."""
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: is the package installed editable from a checkout "
            "of the compendium (pip install -e .)?"
        )
    return path
