"""`course present`'s Voila app (a lecture's headings and panels, no code) and `course slides`'
deck, in Chromium: the app loads and a slider redraws; the deck opens from disk and advances."""

from __future__ import annotations

import nbformat
from conftest import LECTURES

from course_lib import browser as drive
from course_lib import presenting, servers


def test_voila_app_loads_and_a_slider_redraws_the_picture(browser, tmp_path, artifacts):
    lecture = LECTURES[0]
    copy = tmp_path / lecture.name
    nbformat.write(presenting.panels_notebook(lecture), copy)  # what `course present` serves
    with servers.start_voila(copy, log=tmp_path / "voila.log") as app:
        page = browser.new_page()
        try:
            page.goto(app.url_for(""), timeout=180_000)
            page.wait_for_selector(".course-panel-image", timeout=180_000)
            assert drive.panel_count(page) > 0
            assert not page.locator(".jp-OutputArea-output[data-mime-type*=error]").count()
            moved = False
            for k in range(drive.panel_state(page, 0)["sliders"]):
                move = drive.move_slider(page, 0, k, lab=False, timeout=20.0)
                assert move.value_changed, f"slider {k}: its value did not change"
                moved |= move.image_changed
            page.screenshot(path=str(artifacts / f"voila-{lecture.stem}.png"), full_page=True)
            assert moved, "no slider of the first panel changed the picture in Voila"
        finally:
            page.close()


def test_slide_deck_opens_from_disk_without_network_and_advances(browser, tmp_path, artifacts):
    (deck,) = presenting.slides([LECTURES[0].name[:2]], tmp_path)
    page = browser.new_page()
    try:
        page.goto(deck.as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        assert page.evaluate("() => Reveal.getTotalSlides()") > 5
        before = page.evaluate("() => Reveal.getIndices().h")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => Reveal.getIndices().h !== {before}", timeout=10_000)
        page.screenshot(path=str(artifacts / f"slides-{LECTURES[0].stem}.png"))
    finally:
        page.close()
