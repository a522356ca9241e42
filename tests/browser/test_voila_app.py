"""A lecture as a Voila app (how instructors present the interactive parts): the page loads,
shows its panels, and a slider move changes the picture."""

from __future__ import annotations

import shutil

from conftest import LECTURES

from course_lib import browser as drive
from course_lib import servers


def test_voila_app_loads_and_a_slider_redraws_the_picture(browser, tmp_path, artifacts):
    lecture = LECTURES[0]
    copy = tmp_path / lecture.name
    shutil.copy(lecture, copy)
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
