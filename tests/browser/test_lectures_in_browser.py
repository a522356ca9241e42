"""Every lecture in a real JupyterLab in Chromium: Run All without errors, every slider panel
answers a key press with a new picture and a new value. A screenshot per lecture goes to
test-artifacts/browser/ so a failure can be looked at."""

from __future__ import annotations

import pytest
from conftest import LECTURES

from course_lib import browser as drive


@pytest.mark.parametrize("path", LECTURES, ids=[p.stem[:2] for p in LECTURES])
def test_lecture_runs_and_its_sliders_redraw_in_jupyterlab(path, lab, page, artifacts):
    drive.open_notebook(page, lab, path.name)
    try:
        cells = drive.run_all(page)
        page.screenshot(path=str(artifacts / f"{path.stem}-run.png"), full_page=True)
        assert not drive.errors(cells), f"{path.name} shows errors: {drive.errors(cells)}"

        n = drive.panel_count(page)
        assert n > 0, f"{path.name} shows no slider panel after Run All"
        for index in range(n):
            sliders = drive.panel_state(page, index)["sliders"]
            # Every slider shows its new value; at least one of them redraws the picture
            # (not every slider changes every picture: η is moot under exact line search).
            redrawn = False
            for k in range(sliders):
                before = drive.slider_position(page, index, k)
                move = drive.move_slider(page, index, k)
                assert move.value_changed, f"panel {index}, slider {k}: its value did not change"
                # The position the latency benchmark steers by sees every step, a 0.01 one too.
                after = drive.slider_position(page, index, k)
                assert after["now"] != before["now"], (before, after)
                assert after["min"] <= after["now"] <= after["max"], after
                redrawn |= move.image_changed
            assert sliders == 0 or redrawn, f"panel {index}: no slider changed the picture"
        page.screenshot(path=str(artifacts / f"{path.stem}-moved.png"), full_page=True)
    finally:
        page.evaluate(drive.SHUTDOWN)
