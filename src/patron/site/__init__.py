"""The site machinery: Sphinx extensions that turn the executed notebooks into
the static site, and the Vega script they serve.

Nothing here is analysis. A reader of the argument can skip this folder.

- :mod:`patron.site.vega`      draws the book's charts offline (myst-nb renderer and a vendored Vega);
- :mod:`patron.site.trim`      removes what readers never load (unused scripts, stylesheet rules, glyphs);
- :mod:`patron.site.icons`     finds the Font Awesome glyphs the site draws and subsets the fonts to them;
- :mod:`patron.site.buildinfo` the commit the site was built from;
- :mod:`patron.site.downloads` puts the data package on the site, as files and one archive;
- :mod:`patron.site.mathml`    writes the book's math as MathML at build time, so no page needs MathJax;
- :mod:`patron.site.pdflink`   links the landing page to the PDF that ``make pdf`` printed, if there is one;
- ``vendor/``                  Vega, with its licence and checksum.
"""
