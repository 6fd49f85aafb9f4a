"""Author-year labels with year letters (patron.site.citelabels), checked without a build."""

from __future__ import annotations

import pybtex.database

from patron.site.citelabels import letters, suffixes

BIB = """
@article{b, author = {Kim, Brian}, title = {{US} lifts missile restrictions}, year = {2021}}
@article{a, author = {Kim, Bong-su}, title = {Blocked launch vehicle technology}, year = {2021}}
@article{c, author = {Kim, Ji Il}, title = {Interstate political psychology}, year = {2020}}
@misc{d, author = {Wikipedia contributors}, title = {Hyunmoo}}
@misc{e, author = {Wikipedia contributors}, title = {Baekgom}}
"""


def test_letters_run_past_z() -> None:
    assert [letters(i) for i in (0, 1, 25, 26, 27)] == ["a", "b", "z", "aa", "ab"]


def test_only_colliding_labels_get_letters_in_title_order() -> None:
    entries = dict(pybtex.database.parse_string(BIB, "bibtex").entries)
    assert suffixes(entries) == {"a": "a", "b": "b", "c": "", "d": "-b", "e": "-a"}
