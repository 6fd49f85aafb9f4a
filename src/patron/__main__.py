"""Command line: ``python -m patron validate``.

Checks every data file against ``data/datapackage.json`` and every citation
key against ``references.bib``. Prints one line per problem as
``data/FILE.csv:LINE:COLUMN: message`` and exits 1, or prints a one-line
summary and exits 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from patron.paths import BIBLIOGRAPHY, DATA_DIR
from patron.validate import validate_package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m patron", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check the data files and their citation keys")
    check.add_argument("--data-dir", type=Path, default=DATA_DIR, help="folder holding datapackage.json")
    check.add_argument("--bib", type=Path, default=BIBLIOGRAPHY, help="the BibTeX file keys must resolve in")
    args = parser.parse_args(argv)

    report = validate_package(args.data_dir, args.bib)
    for problem in report.problems:
        print(problem)
    if not report.ok:
        print(f"{len(report.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
