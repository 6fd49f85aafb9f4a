"""The bibliography, the citation metadata and the schema as other tools read them."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from patron.bib import bib_keys
from patron.paths import BIBLIOGRAPHY, BOOK_DIR, DATA_DIR, ROOT
from patron.validate import SOURCE_KEY_FIELDS, validate_package

CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def cited_in_book() -> set[str]:
    keys: set[str] = set()
    for md in BOOK_DIR.glob("*.md"):
        for group in CITE.findall(md.read_text(encoding="utf-8")):
            keys.update(k.strip() for k in group.split(","))
    return keys


def cited_in_data() -> set[str]:
    report = validate_package()
    keys: set[str] = set()
    for table in report.tables.values():
        for row in table.rows:
            for field in SOURCE_KEY_FIELDS:
                keys.update(k for k in (row.get(field) or "").split(";") if k)
    return keys


def test_bibliography_keys_are_unique() -> None:
    duplicated = [k for k, n in Counter(bib_keys()).items() if n > 1]
    assert duplicated == []


def test_every_citation_in_the_book_resolves() -> None:
    assert cited_in_book() - set(bib_keys()) == set()


def test_no_bibliography_entry_goes_uncited() -> None:
    uncited = set(bib_keys()) - cited_in_book() - cited_in_data()
    assert uncited == set(), f"cite these or remove them from references.bib: {sorted(uncited)}"


def test_every_entry_has_author_title_and_year() -> None:
    text = BIBLIOGRAPHY.read_text(encoding="utf-8")
    for entry in re.split(r"\n(?=@)", text):
        match = re.match(r"@\w+\{([^,]+),", entry)
        if not match:
            continue
        for field in ("author", "title", "year"):
            assert re.search(rf"^\s*{field}\s*=", entry, re.M | re.I), f"{match.group(1)} has no {field}"


def test_citation_cff_is_valid() -> None:
    done = subprocess.run([sys.executable, "-m", "cffconvert", "--validate", "-i", str(ROOT / "CITATION.cff")],
                          capture_output=True, text=True)
    if done.returncode != 0 and "No module named cffconvert" in done.stderr:
        done = subprocess.run([str(Path(sys.executable).parent / "cffconvert"), "--validate",
                               "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_how_to_cite_page_matches_citation_cff() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    page = (BOOK_DIR / "how-to-cite.ipynb").read_text(encoding="utf-8")
    assert cff["title"] in page
    assert f"Version {cff['version']}" in page


def test_frictionless_agrees_the_data_are_valid() -> None:
    """An independent reader of the same schema finds no errors either."""
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(DATA_DIR / "datapackage.json"))
    errors = [e.message for task in report.tasks for e in task.errors] + [e.message for e in report.errors]
    assert report.valid, errors


def test_the_bibliography_parses_strictly() -> None:
    """What the site build reads: a missing comma between two fields stops it, so it stops here first."""
    from pybtex import errors
    from pybtex.database import parse_file

    errors.set_strict_mode(True)
    try:
        assert len(parse_file(str(BIBLIOGRAPHY)).entries) == len(set(bib_keys()))
    finally:
        errors.set_strict_mode(False)
