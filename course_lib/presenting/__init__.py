"""Presenting and publishing the lectures: reveal.js decks, the course site, Voila apps.

- :func:`slides` executes a lecture and writes a self-contained reveal.js deck (figures
  embedded, reveal.js inlined from the copy shipped in ``presenting/reveal``, MIT licence,
  and MathJax 3 inlined from ``presenting/static/mathjax``, Apache 2.0), so the file opens
  from disk and typesets its formulas with no network (``course slides NN``). Cells tagged
  ``hide-cell`` (the asserts that keep a figure honest) are left out of the deck.
- :mod:`course_lib.presenting.site` builds the course site with Sphinx + myst-nb +
  sphinx-book-theme (``course handout``, ``make site``).
- :func:`panels_notebook` keeps a lecture's headings and panels only; ``course present NN``
  serves it as a Voila app on 127.0.0.1 behind a token (:mod:`course_lib.servers`).
- ``course present NN --slides`` serves the whole lecture as live slides: Voila's reveal
  template on a live kernel, sliders working, through the course's template
  :data:`LIVE_SLIDES` (``presenting/voila/templates/course-reveal``: reveal.js and its CSS
  inlined from ``presenting/reveal``, so nothing of the deck comes from a CDN).
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
REVEAL = Path(__file__).resolve().parent / "reveal"
MATHJAX = Path(__file__).resolve().parent / "static" / "mathjax" / "tex-svg-full.js"
HIDDEN_TAG = "hide-cell"  # the check cells next to a figure: hidden in the site, not in decks
LIVE_SLIDES = "course-reveal"  # the Voila template of `course present --slides`
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def lecture_paths(numbers=None, lectures=None) -> list[Path]:
    """The lecture notebooks ``NN_*.ipynb`` in ``lectures`` (default: the course's), all or
    those whose number is in ``numbers`` ("03", 3); a ValueError names a missing number."""
    folder = Path(lectures) if lectures is not None else ROOT / "lectures"
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not numbers:
        return paths
    wanted = {f"{int(n):02d}" for n in numbers}
    found = [p for p in paths if p.name[:2] in wanted]
    missing = sorted(wanted - {p.name[:2] for p in found})
    if missing:
        have = ", ".join(p.name[:2] for p in paths) or "none"
        raise ValueError(f"no lecture numbered {', '.join(missing)} in {folder} (have: {have})")
    return found


def execute(path, timeout: int = 300) -> nbformat.NotebookNode:
    """Run a notebook top to bottom on a fresh kernel in its folder; return it with outputs."""
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return nb


def static_panels(nb) -> int:
    """Replace every live widget output by its static picture; return how many were replaced.

    A panel's display carries, next to the widget view, the PNG of its current picture
    (``widgets.Panel._repr_mimebundle_``): that picture is what a page without a kernel shows.
    """
    replaced = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                replaced += "image/png" in data
    nb.metadata.get("widgets", {}).pop(WIDGET_STATE, None)
    if "widgets" in nb.metadata and not nb.metadata["widgets"]:
        del nb.metadata["widgets"]
    return replaced


def summary(nb) -> str:
    """The lecture's title (first heading) and first sentence after it, for the index."""
    title, sentence = "", ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            line = line.strip()
            if not title and line.startswith("#"):
                title = line.lstrip("#").strip()
            elif title and line and not line.startswith(("#", "|", "$", "!", "<", "-", "*")):
                sentence = re.split(r"(?<=[.?!])\s", line, maxsplit=1)[0]
                return title, sentence
    return title, sentence


# MathJax 3 configured like nbconvert's MathJax 2 (dollars for inline and display maths,
# AMS environments). The reveal template calls MathJax 2's Hub on every slide change: a no-op
# Hub keeps it quiet (MathJax 3's SVG output needs no re-rendering on a slide change).
MATHJAX_CONFIG = """<script>
window.MathJax = {
  tex: {
    inlineMath: [['$', '$'], ['\\\\(', '\\\\)']],
    displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
    processEscapes: true, processEnvironments: true, tags: 'ams'
  },
  svg: {fontCache: 'global'},
  startup: {ready: function () {
    MathJax.startup.defaultReady();
    MathJax.Hub = {getAllJax: function () { return null; }, Rerender: function () {}};
  }}
};
</script>"""


def _inline_mathjax(body: str) -> str:
    """Replace nbconvert's MathJax 2 from a CDN by the course's MathJax 3, inlined."""
    start = body.find("<!-- Load mathjax -->")
    end = body.find("<!-- End of mathjax configuration -->")
    if start < 0 or end < 0:
        raise RuntimeError("nbconvert's deck has no MathJax block to replace (template changed?)")
    script = MATHJAX.read_text().replace("</script", "<\\/script")
    inlined = f"{MATHJAX_CONFIG}\n<script>{script}</script>\n"
    return body[:start] + inlined + body[end + len("<!-- End of mathjax configuration -->") :]


def _inline_reveal(body: str) -> str:
    """Put reveal.js, its CSS, the notes plugin and MathJax into the deck; drop the CDN
    loaders."""
    css = (REVEAL / "reveal.css").read_text() + (REVEAL / "white.css").read_text()
    body = re.sub(r'<link[^>]*href="reveal\.js/[^"]*"[^>]*>', "", body)
    body = body.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    body = re.sub(r'<script[^>]*src="[^"]*require(\.min)?\.js"[^>]*>\s*</script>', "", body)
    # jQuery (from a CDN) only serves reveal's optional scrolling slides, which we leave off
    body = re.sub(r'<script[^>]*src="[^"]*jquery(\.min)?\.js"[^>]*>\s*</script>', "", body)
    # nbconvert imports mermaid from a CDN for diagrams; the lectures draw none
    body = re.sub(r'<script type="module">[^<]*import mermaid from[^<]*</script>', "", body)
    body = body.replace("if(MathJax.Hub.getAllJax(", "if(MathJax.Hub && MathJax.Hub.getAllJax(")
    body = _inline_mathjax(body)
    scripts = (
        f"<script>{(REVEAL / 'reveal.js').read_text()}</script>\n"
        f"<script>{(REVEAL / 'notes.js').read_text()}</script>\n"
        "<script>window.require = function (config, deps, ready) "
        "{ ready(window.Reveal, window.RevealNotes); };</script>\n"
    )
    return body.replace("</main>", "</main>\n" + scripts, 1)


def drop_hidden_cells(nb) -> int:
    """Remove the cells tagged ``hide-cell`` (the asserts beside a figure); return how many."""
    kept = [c for c in nb.cells if HIDDEN_TAG not in c.get("metadata", {}).get("tags", [])]
    dropped = len(nb.cells) - len(kept)
    nb.cells = kept
    return dropped


def slides(numbers=None, out="slides", *, lectures=None) -> list[Path]:
    """Execute lectures and write a self-contained reveal.js deck each: out/NN_*.slides.html."""
    from nbconvert import SlidesExporter

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in lecture_paths(numbers, lectures):
        nb = execute(path)
        static_panels(nb)
        drop_hidden_cells(nb)
        exporter = SlidesExporter(reveal_url_prefix="reveal.js", exclude_input_prompt=True)
        exporter.exclude_output_prompt = True
        body, _ = exporter.from_notebook_node(nb)
        target = out / f"{path.stem}.slides.html"
        target.write_text(_inline_reveal(body))
        written.append(target)
    return written


def panels_notebook(path) -> nbformat.NotebookNode:
    """The lecture reduced to what a Voila app shows: its headings and its panels.

    Markdown cells keep their heading line only; cells tagged ``panel`` are kept as they
    are; every other code cell still runs (it defines what the panels use) inside
    ``capture_output()``, so its figures and prints do not appear in the app.
    """
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            first = cell.source.strip().splitlines()[:1]
            if first and first[0].startswith("#"):
                cells.append(nbformat.v4.new_markdown_cell(first[0]))
        elif cell.cell_type == "code":
            source = cell.source
            if "panel" not in cell.metadata.get("tags", []):
                source = (
                    "from IPython.utils.capture import capture_output\n"
                    "with capture_output():\n" + textwrap.indent(source or "pass", "    ")
                )
            cells.append(nbformat.v4.new_code_cell(source))
    nb.cells = cells
    return nb
