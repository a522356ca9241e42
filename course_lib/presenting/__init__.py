"""Presenting and publishing the lectures: reveal.js decks, a static handout site, Voila apps.

- :func:`slides` executes a lecture and writes a self-contained reveal.js deck (figures
  embedded, reveal.js itself inlined from the copy shipped in ``presenting/reveal``, MIT
  licence), so the file opens from disk with no network (``course slides NN``).
- :func:`handout` executes lectures and writes a static site: an index with a one-line
  summary per lecture, one page per lecture with every figure embedded and each slider panel
  shown as the picture of its default setting (drawn by the same panel code), links between
  lectures and to the matching exercise (``course handout``).
- :func:`panels_notebook` keeps a lecture's headings and panels only; ``course present NN``
  serves it as a Voila app on 127.0.0.1 behind a token (:mod:`course_lib.servers`).
- ``course present NN --slides`` serves the whole lecture as live slides: Voila's reveal
  template on a live kernel, sliders working, through the course's template
  :data:`LIVE_SLIDES` (``presenting/voila/templates/course-reveal``: reveal.js and its CSS
  inlined from ``presenting/reveal``, so nothing of the deck comes from a CDN).

Without a network, formulas in the generated HTML show as their LaTeX source (MathJax is
loaded from its CDN when a network is there); everything else is in the files.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
REVEAL = Path(__file__).resolve().parent / "reveal"
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


def _inline_reveal(body: str) -> str:
    """Put reveal.js, its CSS and the notes plugin into the deck; drop the CDN loaders."""
    css = (REVEAL / "reveal.css").read_text() + (REVEAL / "white.css").read_text()
    body = re.sub(r'<link[^>]*href="reveal\.js/[^"]*"[^>]*>', "", body)
    body = body.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    body = re.sub(r'<script[^>]*src="[^"]*require(\.min)?\.js"[^>]*>\s*</script>', "", body)
    scripts = (
        f"<script>{(REVEAL / 'reveal.js').read_text()}</script>\n"
        f"<script>{(REVEAL / 'notes.js').read_text()}</script>\n"
        "<script>window.MathJax = window.MathJax || "
        "{Hub: {getAllJax: function () { return null; }, Rerender: function () {}}};\n"
        "window.require = function (config, deps, ready) "
        "{ ready(window.Reveal, window.RevealNotes); };</script>\n"
    )
    return body.replace("</main>", "</main>\n" + scripts, 1)


def slides(numbers=None, out="slides", *, lectures=None) -> list[Path]:
    """Execute lectures and write a self-contained reveal.js deck each: out/NN_*.slides.html."""
    from nbconvert import SlidesExporter

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in lecture_paths(numbers, lectures):
        nb = execute(path)
        static_panels(nb)
        exporter = SlidesExporter(reveal_url_prefix="reveal.js", exclude_input_prompt=True)
        exporter.exclude_output_prompt = True
        body, _ = exporter.from_notebook_node(nb)
        target = out / f"{path.stem}.slides.html"
        target.write_text(_inline_reveal(body))
        written.append(target)
    return written


def _page(title: str, content: str, nav: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "nav{margin:1rem 0;padding:.5rem 0;border-bottom:1px solid #ccc}</style>"
        f"</head><body><nav>{nav}</nav>{content}<nav>{nav}</nav></body></html>\n"
    )


def handout(numbers=None, out="site", *, lectures=None) -> Path:
    """Execute lectures and write a static site to ``out``; return the index page.

    Each lecture page is nbconvert's HTML of the executed lecture with code hidden, figures
    embedded as images and each panel shown as the PNG of its default setting, framed by
    links to the index, the previous and next lecture and the matching exercise.
    """
    from nbconvert import HTMLExporter

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = lecture_paths(numbers, lectures)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True)
    exporter.exclude_output_prompt = True
    entries = []
    for i, path in enumerate(paths):
        nb = execute(path)
        static_panels(nb)
        title, sentence = summary(nb)
        body, _ = exporter.from_notebook_node(nb)
        links = ["<a href='index.html'>all lectures</a>"]
        if i > 0:
            links.append(f"<a href='{paths[i - 1].stem}.html'>← {paths[i - 1].stem[:2]}</a>")
        if i + 1 < len(paths):
            links.append(f"<a href='{paths[i + 1].stem}.html'>{paths[i + 1].stem[:2]} →</a>")
        links.append(
            f"exercise: <code>exercises/{path.name}</code> (open it in JupyterLab: make lab)"
        )
        nav = " · ".join(links)
        opening = re.search(r"<body[^>]*>", body)
        cut = opening.end() if opening else 0
        body = body[:cut] + f"<nav>{nav}</nav>" + body[cut:]
        (out / f"{path.stem}.html").write_text(body)
        entries.append((path, title or path.stem, sentence))
    items = "\n".join(
        f"<li><a href='{p.stem}.html'>{p.stem[:2]} · {html.escape(t)}</a>"
        f"<br><small>{html.escape(s)}</small></li>"
        for p, t, s in entries
    )
    index = out / "index.html"
    index.write_text(
        _page(
            "Gradient-based optimization for machine learning",
            f"<h1>Gradient-based optimization for machine learning</h1><ol>{items}</ol>",
            "lectures, executed; sliders shown at their default setting",
        )
    )
    return index


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
