"""Shared code for the compendium on how patrons respond to arming clients.

The analysis a reader looks for sits at the top of the package, in the
order the data flows:

- :mod:`patron.paths`     where the data and the bibliography live;
- :mod:`patron.bib`       the citation keys in ``references.bib``;
- :mod:`patron.validate`  checks every data file against ``data/datapackage.json``;
- :mod:`patron.data`      loaders that notebooks call (they validate first);
- :mod:`patron.typology`  the argument itself: ``classify(entrapment, control)``;
- :mod:`patron.coding`    the published rule that codes perceptions from dated US statements;
- :mod:`patron.scoring`   hits against baselines and rivals, and the tests of them;
- :mod:`patron.weighing`  weights of evidence in decibans, posteriors and sensitivity;
- :mod:`patron.forecasts` the forecast register's probabilities and scores;
- :mod:`patron.verdict`   the book's one verdict, with its numbers;
- :mod:`patron.charts`    the book's Altair charts and its notebook renderer;
- :mod:`patron.notes`     evidence items and disputed facts as expandable notes;
- :mod:`patron.chapter`   what a chapter's first cell needs: glued episode values and tables.

Two subpackages hold the machinery, which a reader can skip:
:mod:`patron.site` (the Sphinx extensions and the vendored Vega) and
:mod:`patron.workflow` (``make notebooks``, ``make bench``, ``make pdf``, ``make lab``).

Importing the package has no side effects: it reads no file and changes no
global setting until a function is called.
"""

from patron.typology import Level, Response, classify

__all__ = ["Level", "Response", "classify"]
__version__ = "0.4.0"
