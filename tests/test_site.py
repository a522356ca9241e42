"""The course site (Sphinx + myst-nb + sphinx-book-theme): built with warnings as errors.

Two kinds of build:
- a small course made here (one lecture: a formula, a plot, a slider panel, a check cell
  tagged ``hide-cell``, and its exercise): the rules of the site, fast;
- two real lectures with ``-W`` (marked slow; ``make test`` runs it), into
  ``test-artifacts/site`` so the browser test (tests/browser/test_offline_math.py) and a
  re-run reuse the execution cache.
The full build of every lecture is timed in benchmarks/site_build.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("myst_nb", reason="the site needs the site extra: pip install -e '.[site]'")

from course_lib import cli, presenting  # noqa: E402
from course_lib.presenting import site  # noqa: E402

pytestmark = pytest.mark.slow  # every test here runs Sphinx and a kernel

ROOT = Path(__file__).resolve().parents[1]
REAL = ["01", "04"]  # the lectures of the strict build (04 has formulas and two panels)
ARTIFACTS = ROOT / "test-artifacts" / "site"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.images, self.scripts, self.details = [], [], [], []
        self._stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        elif tag == "img":
            self.images.append(attrs)
        elif tag in ("script", "link") and (attrs.get("src") or attrs.get("href")):
            self.scripts.append(attrs.get("src") or attrs.get("href"))
        elif tag == "details":
            self.details.append(attrs.get("class", ""))


def parse(path) -> _Page:
    page = _Page()
    page.feed(Path(path).read_text())
    return page


def local_links_resolve(html_dir: Path):
    for page_path in html_dir.rglob("*.html"):
        for href in parse(page_path).links:
            target = href.split("#")[0]
            if not target or re.match(r"^[a-z]+:", target):
                continue
            assert (page_path.parent / target).resolve().exists(), f"{page_path} -> {href}"


# --------------------------------------------------------------------------- a small course

LECTURE = [
    ("markdown", "# 01 · A small lecture\n\nThe step is $x_{t+1} = x_t - \\eta g_t$.\n\n"
     "$$f(x) = \\tfrac12 x^\\top A x$$"),
    ("code", "from course_lib import plots, widgets\n"
     "fig, ax = plots.new_figure()\n(line,) = ax.plot([0, 1], [0, 1], label='$\\\\eta$ path')\n"
     "ax.set_xlabel('step t'); ax.legend()\nplot = plots.Plot(fig, ax)\nplot"),
    ("code", "# Checked: the line starts at 0\nassert line.get_ydata()[0] == 0"),
    ("code", "panel = widgets.Panel(fig, lambda slope: line.set_ydata([0, slope]) or "
     "f'slope {slope}', {'slope': (0.0, 2.0)}, animated=[line])\npanel.widget"),
]  # fmt: skip


KERNEL = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python", "pygments_lexer": "ipython3"},
}


def small_course(folder: Path, code_edit: str = "") -> tuple[Path, Path]:
    lectures, exercises = folder / "lectures", folder / "exercises"
    lectures.mkdir(parents=True, exist_ok=True)
    exercises.mkdir(parents=True, exist_ok=True)
    cells = []
    for kind, source in LECTURE:
        if kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cells.append(nbformat.v4.new_code_cell(source + code_edit))
    cells[2].metadata["tags"] = ["hide-cell"]
    cells[2].metadata["jupyter"] = {"source_hidden": True}
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.update(KERNEL)
    nbformat.write(nb, lectures / "01_small.ipynb")
    exercise = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Exercise 01 · small"), nbformat.v4.new_code_cell(
            "raise NotImplementedError")]
    )  # fmt: skip
    exercise.metadata.update(KERNEL)
    nbformat.write(exercise, exercises / "01_small.ipynb")
    return lectures, exercises


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    lectures, exercises = small_course(folder)
    out = folder / "build"
    index = site.build(out=out, lectures=lectures, exercises=exercises, strict=True)
    return out, index, lectures, exercises


def test_small_site_has_its_lecture_exercise_search_and_resolving_links(small):
    out, index, *_ = small
    html = index.parent
    home = parse(index)
    assert "lectures/01_small.html" in home.links and "exercises/01_small.html" in home.links
    lecture = parse(html / "lectures" / "01_small.html")
    assert "../exercises/01_small.html" in lecture.links  # the exercise beside its lecture
    assert (html / "search.html").is_file() and (html / "searchindex.js").is_file()
    local_links_resolve(html)


def test_small_site_figures_have_alt_text_and_panels_are_pictures(small):
    out, index, *_ = small
    text = (index.parent / "lectures" / "01_small.html").read_text()
    images = parse(index.parent / "lectures" / "01_small.html").images
    assert len(images) == 2  # the plot and the panel's picture at its default setting
    alts = [img.get("alt", "") for img in images]
    assert all("x: step t" in alt and "legend: η path" in alt for alt in alts), alts
    assert "Setting shown: slope 1.0" in alts[1]
    assert "widget-view" not in text and "widget-state" not in text


def test_check_cells_tagged_hide_cell_are_behind_a_toggle(small):
    out, index, *_ = small
    text = (index.parent / "lectures" / "01_small.html").read_text()
    toggles = re.findall(r'<details class="[^"]*\bhide\b[^"]*">(.*?)</details>', text, re.S)
    assert len(toggles) == 1  # the check cell, and only it, is folded
    (folded,) = toggles
    assert "Show code cell content" in folded
    assert "# Checked: the line starts at 0" in re.sub(r"<[^>]+>", "", folded)


def test_site_loads_nothing_from_the_network_and_uses_its_own_mathjax(small):
    out, index, *_ = small
    for path in index.parent.rglob("*.html"):
        for url in parse(path).scripts:
            assert not re.match(r"^(https?:)?//", url), f"{path.name} loads {url}"
    page = parse(index.parent / "lectures" / "01_small.html")
    assert any("_static/mathjax/tex-svg-full.js" in s for s in page.scripts)
    assert (index.parent / "_static" / "mathjax" / "LICENSE").is_file()


def test_a_rebuild_reexecutes_only_a_lecture_whose_code_changed(small):
    from jupyter_cache import get_cache

    out, index, lectures, exercises = small
    cache = get_cache(out / "jupyter_cache")
    (record,) = cache.list_cache_records()
    nb = nbformat.read(lectures / "01_small.ipynb", as_version=4)
    nb.cells[0].source += "\n\nA sentence added to the text."
    nbformat.write(nb, lectures / "01_small.ipynb")
    site.build(out=out, lectures=lectures, exercises=exercises, strict=True)
    assert [r.pk for r in cache.list_cache_records()] == [record.pk]  # nothing re-executed
    assert "A sentence added" in (index.parent / "lectures" / "01_small.html").read_text()
    small_course(out.parent, code_edit="\n1 + 1")  # the code changed: executed again
    site.build(out=out, lectures=lectures, exercises=exercises, strict=True)
    assert len(cache.list_cache_records()) == 2


def test_a_figure_without_alt_text_fails_the_strict_build(tmp_path):
    lectures, exercises = small_course(tmp_path)
    nb = nbformat.read(lectures / "01_small.ipynb", as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "from IPython.display import Image\nImage(plots.figure_png(fig))  # no description"
        )
    )
    nbformat.write(nb, lectures / "01_small.ipynb")
    with pytest.raises(RuntimeError, match="without alt text"):
        site.build(out=tmp_path / "build", lectures=lectures, exercises=exercises, strict=True)


def test_a_failing_lecture_fails_the_build_and_says_why(tmp_path):
    lectures, exercises = small_course(tmp_path, code_edit="\nraise ValueError('on purpose')")
    with pytest.raises(RuntimeError, match="on purpose"):
        site.build(out=tmp_path / "build", lectures=lectures, exercises=exercises)


def test_handout_names_a_missing_lecture(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["handout", "99", "--out", "/nonexistent"])
    assert exit_info.value.code == 2
    assert "no lecture numbered 99" in capsys.readouterr().err


# --------------------------------------------------------------------------- real lectures


def test_real_lectures_build_with_warnings_as_errors():
    index = site.build(REAL, out=ARTIFACTS, strict=True, fresh=True)
    html = index.parent
    home = parse(index)
    paths = presenting.lecture_paths(REAL)
    lecture_links = [h for h in home.links if h.startswith("lectures/")]
    assert lecture_links[: len(paths)] == [f"lectures/{p.stem}.html" for p in paths]  # order
    for path in paths:
        page = parse(html / "lectures" / f"{path.stem}.html")
        assert page.images and all(img.get("alt") for img in page.images)
        assert not any(img["alt"].startswith(("../", "_images")) for img in page.images)
        panels = sum("panel" in c.metadata.get("tags", []) for c in nbformat.read(path, 4).cells)
        assert sum("Setting shown" in img["alt"] for img in page.images) >= panels
    # previous / next links walk the course in teaching order: lecture, its exercise, next
    first, second = paths
    page = (html / "lectures" / f"{second.stem}.html").read_text()
    prev = re.search(r'<a class="left-prev"\s+href="([^"]+)"', page)
    assert prev and prev.group(1) == f"../exercises/{first.stem}.html"
    local_links_resolve(html)
