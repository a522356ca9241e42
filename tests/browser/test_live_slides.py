"""`course present 04 --slides`: the whole lecture as live reveal.js slides in Voila, in Chromium.

Voila's reveal template through the course's own ``course-reveal`` (reveal.js 5.2 and its CSS
inlined from ``course_lib/presenting/reveal``): the deck starts on the title, the arrow keys
reach the slide of the first slider panel, and moving a slider there redraws the picture on a
live kernel (what RISE cannot do yet, see test_rise.py). Nothing the deck needs may come from
the network: the requests that left 127.0.0.1 or failed are printed and written to
test-artifacts/browser/live-slides-network.txt, next to the screenshots live-slides-*.png.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from conftest import ROOT

from course_lib import browser as drive
from course_lib import presenting, servers

LECTURE = ROOT / "lectures" / "04_step_size_and_line_search.ipynb"
# Font Awesome's CSS comes from jsdelivr in every Voila template (its icons are unused here):
# offline it fails, harmlessly. Anything else from outside 127.0.0.1 is a finding.
HARMLESS = ("@fortawesome/",)

# The slide shown now: its heading, whether it holds a slider panel (and which, in page order).
SLIDE = """() => {
  const slide = Reveal.getCurrentSlide();
  const heading = slide && slide.querySelector('h1, h2, h3');
  const panel = slide && slide.querySelector('.course-panel');
  return {
    heading: heading ? heading.textContent.replace(/¶$/, '').trim() : null,
    indices: Reveal.getIndices(),
    panel: panel ? [...document.querySelectorAll('.course-panel')].indexOf(panel) : -1,
    left: slide ? Math.round(slide.getBoundingClientRect().left) : null,
  };
}"""
# Voila shows the cells (its spinner until then) once its theme has loaded, which can be after
# reveal.js is ready; the deck must then fill the window (laid out again at that point).
SHOWN = """() => !document.getElementById('loading')
  && getComputedStyle(document.getElementById('rendered_cells')).display !== 'none'"""
DECK_WIDTH = "() => Math.round(Reveal.getCurrentSlide().getBoundingClientRect().width)"
PICTURE_READY = """(i) => {
  const img = document.querySelectorAll('.course-panel')[i].querySelector('.course-panel-image');
  return !!img && img.complete && img.naturalWidth > 0;
}"""
# reveal.css stacks the slides (position: absolute); the white theme capitalises headings.
STYLES = """() => ({
  position: getComputedStyle(Reveal.getCurrentSlide()).position,
  transform: getComputedStyle(Reveal.getCurrentSlide().querySelector('h1')).textTransform,
})"""
ERROR_OUTPUTS = (
    ".jp-OutputArea-output[data-mime-type*=error], "
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
)


@pytest.fixture(scope="module")
def deck(browser, artifacts, tmp_path_factory):
    """Lecture 04 served as `course present 04 --slides` serves it, open at its first slide.

    Yields (page, network record, page errors).
    """
    log = tmp_path_factory.mktemp("live-slides") / "voila.log"
    with servers.start_voila(LECTURE, template=presenting.LIVE_SLIDES, log=log) as app:
        page = browser.new_page()
        local = urlsplit(app.url).netloc
        network = {"outside": [], "failed": [], "local errors": []}
        page_errors: list[str] = []

        def on_request(request):
            url = urlsplit(request.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.netloc != local:
                network["outside"].append(request.url)

        page.on("request", on_request)
        page.on("requestfailed", lambda r: network["failed"].append(f"{r.url} ({r.failure})"))

        def on_response(response):
            if response.status >= 400 and urlsplit(response.url).netloc == local:
                network["local errors"].append(f"{response.status} {response.url}")

        page.on("response", on_response)
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        try:
            page.goto(app.url_for(""), timeout=180_000)
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=180_000)
            page.wait_for_function(SHOWN, timeout=120_000)
            page.screenshot(path=str(artifacts / "live-slides-start.png"))
            yield page, network, page_errors
        finally:
            page.close()
            lines = [f"{kind}: {url}" for kind, urls in network.items() for url in urls]
            text = "\n".join(lines) or "no request left 127.0.0.1 or failed"
            (artifacts / "live-slides-network.txt").write_text(text + "\n")
            print(f"live slides, network:\n{text}")


def go_to_panel(page, presses: int = 80, wait: float = 3.0) -> tuple[int, dict]:
    """ArrowRight until the slide shown holds a slider panel; (presses, that slide), once the
    slide has stopped moving in."""
    for k in range(presses + 1):
        state = page.evaluate(SLIDE)
        if state["panel"] >= 0:
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                time.sleep(0.3)
                left, state = state["left"], page.evaluate(SLIDE)
                if state["left"] == left:
                    break
            return k, state
        page.keyboard.press("ArrowRight")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and page.evaluate(SLIDE)["indices"] == state["indices"]:
            time.sleep(0.05)
    raise drive.BrowserCheckError(f"{presses} ArrowRight presses reached no slider panel")


def test_live_slides_open_on_the_title_and_need_nothing_from_the_network(deck):
    page, network, page_errors = deck
    total = page.evaluate("() => Reveal.getTotalSlides()")
    assert total > 10, f"the deck has only {total} slides"
    first = page.evaluate(SLIDE)
    assert first["heading"].startswith("04 ·"), f"the deck starts on {first['heading']!r}"
    assert page.evaluate("() => Reveal.VERSION").startswith("5."), "not the course's reveal.js"
    width = page.evaluate(DECK_WIDTH)
    assert width > 0.6 * page.viewport_size["width"], f"the title slide is {width} px wide"
    styles = page.evaluate(STYLES)
    assert styles["position"] == "absolute", "reveal.css is not applied (slides not stacked)"
    assert styles["transform"] == "uppercase", "the white theme's CSS is not applied"
    assert not page.locator(ERROR_OUTPUTS).count(), "the deck shows error output"
    assert not page_errors, f"errors in the page: {page_errors}"
    outside = [u for u in network["outside"] if not any(h in u for h in HARMLESS)]
    assert not outside, f"the deck loaded from outside 127.0.0.1: {outside}"
    failed = [u for u in network["failed"] if not any(h in u for h in HARMLESS)]
    assert not failed, f"requests failed: {failed}"
    assert not network["local errors"], f"the server refused: {network['local errors']}"


def test_live_slides_slider_redraws_the_picture_on_its_slide(deck, artifacts):
    page, network, page_errors = deck
    presses, slide = go_to_panel(page)
    assert presses > 0
    assert slide["heading"].startswith("Play:"), f"the first panel is on {slide['heading']!r}"
    index = slide["panel"]
    drive.wait_for(page, PICTURE_READY, 60, "the panel's picture", arg=index)
    page.screenshot(path=str(artifacts / "live-slides-panel.png"))
    sliders = drive.panel_state(page, index)["sliders"]
    assert sliders > 0, "the panel on the slide shows no slider"
    move = drive.move_slider(page, index, lab=False, timeout=30.0)
    page.evaluate(
        "(i) => document.querySelectorAll('.course-panel')[i]"
        ".querySelector('.course-panel-image').scrollIntoView({block: 'end'})",
        index,
    )
    page.screenshot(path=str(artifacts / "live-slides-moved.png"))
    assert move.value_changed, "the slider's value did not change in the deck"
    assert move.image_changed, "moving the slider did not redraw the picture in the deck"
    after = page.evaluate(SLIDE)
    assert after["indices"] == slide["indices"], "the slider's arrow keys also moved the deck"
    assert not page.locator(ERROR_OUTPUTS).count(), "the deck shows error output"
    assert not page_errors, f"errors in the page: {page_errors}"
