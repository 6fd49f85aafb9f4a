"""The data package on the built site: every file, one archive, and links to them."""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from patron.paths import ROOT
from patron.site.downloads import ARCHIVE, ARCHIVE_FOLDER, package_files, write_archive
from patron.validate import validate_package

pytestmark = pytest.mark.site


def test_the_site_carries_every_file_of_the_package(site) -> None:
    files = package_files()
    assert "data/datapackage.json" in files and "data/README.md" in files and "data/LICENSE.md" in files
    assert "data/derived/scores.csv" in files and "references.bib" in files
    for name, source in files.items():
        copy = site.html / name
        assert copy.is_file(), f"{name} is not on the site"
        assert copy.read_bytes() == source.read_bytes(), f"{name} on the site differs from the repository"


def test_the_archive_from_the_site_unpacks_and_validates(site, tmp_path: Path) -> None:
    import frictionless

    with zipfile.ZipFile(site.html / "data" / ARCHIVE) as archive:
        names = archive.namelist()
        assert all(n.startswith(f"{ARCHIVE_FOLDER}/") for n in names)
        archive.extractall(tmp_path)
    unpacked = tmp_path / ARCHIVE_FOLDER
    assert sorted(n.removeprefix(f"{ARCHIVE_FOLDER}/") for n in names) == sorted(package_files())
    report = frictionless.validate(str(unpacked / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    ours = validate_package(unpacked / "data", unpacked / "references.bib")
    assert ours.ok, ours.problems[:10]


def test_the_archive_is_deterministic(tmp_path: Path) -> None:
    files = package_files()
    first = write_archive(files, tmp_path / "a.zip").read_bytes()
    second = write_archive(files, tmp_path / "b.zip").read_bytes()
    assert first == second


def test_a_missing_listed_file_stops_the_build(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "data" / "events.csv").unlink()
    with pytest.raises(FileNotFoundError, match="events.csv"):
        package_files(tmp_path / "data", ROOT / "references.bib")


@pytest.mark.parametrize("page", ["book/codebook.html", "book/how-to-cite.html"])
def test_the_codebook_and_how_to_cite_link_the_archive(site, page: str) -> None:
    html = site.html / page
    doc = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    targets = [(html.parent / urlparse(a["href"]).path).resolve() for a in doc.find_all("a", href=True)
               if not urlparse(a["href"]).scheme and urlparse(a["href"]).path.startswith("../data/")]
    assert (site.html / "data" / ARCHIVE).resolve() in targets, f"{page} does not link the archive"
    missing = [str(t) for t in targets if not t.is_file()]
    assert missing == [], f"{page} links files that are not on the site"
    if page.endswith("codebook.html"):
        linked = {str(t.relative_to(site.html.resolve())) for t in targets}
        assert {f"data/{n}" for n in ("evidence.csv", "datapackage.json", "derived/codings.csv")} <= linked
