"""Shared code for the compendium on how patrons respond to arming clients.

The package is small on purpose. Each module does one thing:

- :mod:`patron.paths`       where the data and the bibliography live;
- :mod:`patron.bib`         the citation keys in ``references.bib``;
- :mod:`patron.validate`    checks every data file against ``data/datapackage.json``;
- :mod:`patron.data`        loaders that notebooks call (they validate first);
- :mod:`patron.typology`    the argument itself: ``classify(entrapment, control)``;
- :mod:`patron.charts`      the book's Altair charts and its notebook renderer;
- :mod:`patron.tables`      tables with reproducible HTML;
- :mod:`patron.notes`       evidence items and disputed facts as expandable notes;
- :mod:`patron.weighing`    weights of evidence in decibans, posteriors and sensitivity;
- :mod:`patron.notebooks`   deterministic execution of the book's notebooks;
- :mod:`patron.sphinx_vega` the Sphinx/myst-nb extension that draws charts offline;
- :mod:`patron.sphinx_trim` the Sphinx extension that removes assets readers never load;
- :mod:`patron.sphinx_buildinfo` the commit the site was built from;
- :mod:`patron.bench`       ``make bench``.

Importing the package has no side effects: it reads no file and changes no
global setting until a function is called.
"""

from patron.typology import Level, Response, classify

__all__ = ["Level", "Response", "classify"]
__version__ = "0.3.0"
