"""Formulas typeset with the network cut off: a page of the course site and a reveal.js deck,
opened from disk in Chromium with every request that is not a file blocked.

MathJax 3 comes from the course's own copy (course_lib/presenting/static/mathjax): in the site
as ``_static/mathjax/tex-svg-full.js``, in a deck inlined. The test asserts that MathJax
produced rendered math (``mjx-container`` elements, no TeX error), that no ``$$``, ``\\(`` or
``\\[`` is left in the visible prose, and that no request left the machine.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("myst_nb", reason="the site needs the site extra: pip install -e '.[site]'")

from course_lib import presenting  # noqa: E402
from course_lib.presenting import site  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow
LECTURE = "04"  # formulas inline and displayed, two slider panels
LOCAL = {"file", "data", "blob", "about"}

# The prose a reader sees: the body without scripts, styles, code and MathJax's own output.
PROSE = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, noscript, pre, code, mjx-container, textarea')
    .forEach(e => e.remove());
  return body.textContent;
}"""
RENDERED = """() => window.MathJax && MathJax.startup && MathJax.startup.promise
  ? MathJax.startup.promise.then(() => ({
      math: document.querySelectorAll('mjx-container').length,
      errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
    }))
  : null"""


def open_offline(page, url: str) -> dict:
    """Open ``url`` with every non-file request aborted; return what was requested."""
    seen = {"outside": [], "failed": [], "errors": []}

    def route(route):
        if urlsplit(route.request.url).scheme in LOCAL:
            route.continue_()
        else:
            seen["outside"].append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on(
        "request",
        lambda r: urlsplit(r.url).scheme in LOCAL or seen["outside"].append(r.url),
    )
    page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} ({r.failure})"))
    page.on("pageerror", lambda err: seen["errors"].append(str(err)))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    seen["rendered"] = page.evaluate(RENDERED)
    seen["prose"] = page.evaluate(PROSE)
    return seen


def assert_typeset_offline(seen: dict, what: str) -> None:
    assert not seen["outside"], f"{what}: requests left the machine: {seen['outside']}"
    assert not seen["failed"], f"{what}: requests failed: {seen['failed']}"
    assert not seen["errors"], f"{what}: JavaScript errors: {seen['errors']}"
    assert seen["rendered"]["math"] > 10, f"{what}: MathJax rendered {seen['rendered']}"
    assert seen["rendered"]["errors"] == 0, f"{what}: TeX errors {seen['rendered']}"
    for raw in ("$$", "\\(", "\\[", "\\begin{"):
        assert raw not in seen["prose"], f"{what}: raw LaTeX {raw!r} left in the visible text"


@pytest.fixture(scope="module")
def lecture_page():
    index = site.build([LECTURE, "01"], out=ROOT / "test-artifacts" / "site")
    (path,) = presenting.lecture_paths([LECTURE])
    return index.parent / "lectures" / f"{path.stem}.html"


def test_site_lecture_page_typesets_its_formulas_offline(page, lecture_page, artifacts):
    seen = open_offline(page, lecture_page.as_uri())
    page.screenshot(path=str(artifacts / "site-lecture-offline.png"), full_page=False)
    assert_typeset_offline(seen, lecture_page.name)
    alts = page.eval_on_selector_all("main img", "imgs => imgs.map(i => i.alt)")
    assert alts and all(alt and not alt.startswith("../") for alt in alts)


def test_deck_typesets_its_formulas_offline(page, tmp_path, artifacts):
    (deck,) = presenting.slides([LECTURE], tmp_path)
    seen = open_offline(page, deck.as_uri())
    page.screenshot(path=str(artifacts / "deck-offline.png"))
    assert_typeset_offline(seen, deck.name)
    page.keyboard.press("ArrowRight")  # a slide change calls the template's MathJax hook
    page.wait_for_timeout(300)
    assert page.evaluate("() => Reveal.getIndices().h") == 1
