"""Put the data package on the site, file by file and as one archive.

A replicator who reads the book online should not need the repository to get
the data. After each HTML build this extension copies into the site, under the
same paths as in the repository:

- ``data/datapackage.json``, ``data/README.md`` and ``data/LICENSE.md``;
- every file the data package lists (``data/*.csv`` and ``data/derived/*.csv``);
- ``references.bib``, because the data cite their sources by its keys;

and writes all of them as one archive, ``data/when-clients-arm-data.zip``, whose
single top folder holds ``data/`` and ``references.bib``. Unpacked, it can be
checked with ``frictionless validate data/datapackage.json`` or, with the
package installed, ``python -m patron validate --data-dir data --bib references.bib``.

The archive is deterministic: its entries are sorted and carry a fixed time
stamp and mode, so two builds of the same data write the same bytes.

The codebook and how-to-cite pages link to these files (see
:func:`patron.chapter.download_table`).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from patron.paths import BIBLIOGRAPHY, DATA_DIR

ARCHIVE = "when-clients-arm-data.zip"
ARCHIVE_FOLDER = "when-clients-arm-data"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can record
DOCUMENTS = ("datapackage.json", "README.md", "LICENSE.md")


def package_files(data_dir: Path = DATA_DIR, bib_path: Path = BIBLIOGRAPHY) -> dict[str, Path]:
    """The files a replicator needs, keyed by their path in the repository (and on the site).

    Fails, naming the file, if the data package lists a file that is missing:
    a site must not offer a package it cannot deliver whole.
    """
    descriptor = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    names = list(DOCUMENTS) + [resource["path"] for resource in descriptor["resources"]]
    files = {f"data/{name}": data_dir / name for name in names}
    files["references.bib"] = bib_path
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"{data_dir / 'datapackage.json'}: listed files are missing: {', '.join(missing)}")
    return dict(sorted(files.items()))


def write_archive(files: dict[str, Path], target: Path) -> Path:
    """Write ``files`` into a zip at ``target``, byte for byte the same on every run."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted(files.items()):
            entry = zipfile.ZipInfo(f"{ARCHIVE_FOLDER}/{name}", date_time=FIXED_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    return target


def publish(outdir: Path, data_dir: Path = DATA_DIR, bib_path: Path = BIBLIOGRAPHY) -> Path:
    """Copy the package into a built site at ``outdir``; return the archive's path."""
    files = package_files(data_dir, bib_path)
    for name, path in files.items():
        destination = outdir / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    return write_archive(files, outdir / "data" / ARCHIVE)


def _on_build_finished(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        publish(Path(app.outdir))


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
