"""The workflow tools behind the make targets. Nothing here is analysis.

- :mod:`patron.workflow.notebooks` ``make notebooks``: deterministic execution of the chapters;
- :mod:`patron.workflow.bench`     ``make bench``: build time and page weight, measured in a browser;
- :mod:`patron.workflow.pdf`       ``make pdf``: the whole book as one PDF;
- :mod:`patron.workflow.lab`       ``make lab``: JupyterLab on the book, chapters opening as notebooks.
"""
