"""Drive a lecture in a real browser: run it in JupyterLab, move its sliders, time the picture.

Used by the real-browser tests (``tests/browser``) and the slider-latency benchmark
(``make bench-ui``). The page is a Playwright ``Page`` on a JupyterLab started by
:func:`course_lib.servers.start_lab` with ``expose_app=True`` (the helpers call JupyterLab's
own commands through ``window.jupyterapp``), or on a Voila app. Panels are found by the
class names :class:`course_lib.widgets.Panel` gives them: ``course-panel``,
``course-panel-image``, ``course-panel-readout``.

Nothing here imports Playwright: it is only needed by whoever creates the page.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

# Headless Chromium on a machine without network: without the background-networking flags
# it stalls trying to reach Google's services.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every cell stays in the page (JupyterLab would otherwise leave far-away cells unrendered).
LAB_SETTINGS = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}


def chromium_executable() -> str | None:
    """The system's Chromium (Debian package ``chromium``), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


KERNEL_IDLE = """() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  const kernel = w && w.sessionContext && w.sessionContext.session
    && w.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}"""

CELLS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  return w.content.widgets.filter(c => c.model.type === 'code').map(c => ({
    count: c.model.executionCount,
    errors: c.model.outputs.toJSON().filter(o => o.output_type === 'error')
      .map(o => o.ename + ': ' + o.evalue),
  }));
}"""

# Run All, once, resolving when every cell has run (JupyterLab's command returns the promise
# of NotebookActions.runAll) or after ``ms`` milliseconds.
RUN_ALL = """(ms) => Promise.race([
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(ok => ok ? 'done' : 'stopped'),
  new Promise(resolve => setTimeout(() => resolve('timeout'), ms)),
])"""
# Count the kernel's returns to idle from now on: the event that says a message sent to the
# kernel (a slider's new value) has been handled, and its reply (the new picture) sent.
WATCH_KERNEL = """() => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  if (kernel.__courseWatched !== true) {
    kernel.__courseWatched = true;
    kernel.statusChanged.connect((_, status) => {
      if (status === 'idle') { window.__kernelIdles = (window.__kernelIdles || 0) + 1; }
    });
  }
  window.__kernelIdles = 0;
}"""
KERNEL_HANDLED = f"() => (window.__kernelIdles || 0) > 0 && ({KERNEL_IDLE.strip()})()"
SHUTDOWN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  return w && w.sessionContext ? w.sessionContext.shutdown() : null;
}"""

# The state of one panel: its image source, its first slider's readout and the panel readout.
PANEL_STATE = """([index, k]) => {
  const panel = document.querySelectorAll('.course-panel')[index];
  const img = panel.querySelector('.course-panel-image');
  // Sliders a panel hides (display: none, for a setting where they do not apply) are skipped.
  const sliders = [...panel.querySelectorAll('.widget-slider')].filter(e => e.offsetParent);
  const slider = sliders[k];
  const readout = slider ? slider.querySelector('.widget-readout') : null;
  const text = panel.querySelector('.course-panel-readout');
  return {
    src: img ? img.src : null,
    complete: img ? img.complete : false,
    slider: readout ? (readout.value !== undefined && readout.value !== ''
      ? readout.value : readout.textContent) : null,
    readout: text ? text.textContent : null,
    sliders: sliders.length,
  };
}"""

# Key press → first animation frame whose image differs: a capture-phase keydown listener
# stamps the press, a MutationObserver the moment the widget sets the image's new source (the
# picture has arrived from the kernel), an image 'load' listener the first frame after the new
# picture is decoded.
INSTALL_TIMER = """(index) => {
  const panel = document.querySelectorAll('.course-panel')[index];
  const img = panel.querySelector('.course-panel-image');
  window.__latency = {presses: [], sources: [], frames: []};
  if (window.__latencyListener) {
    document.removeEventListener('keydown', window.__latencyListener, true);
  }
  window.__latencyListener = () => window.__latency.presses.push(performance.now());
  document.addEventListener('keydown', window.__latencyListener, true);
  if (!img.__latencyObserved) {
    img.__latencyObserved = true;
    new MutationObserver(() => window.__latency && window.__latency.sources.push(
      performance.now())).observe(img, {attributes: true, attributeFilter: ['src']});
    img.addEventListener('load', () => requestAnimationFrame(
      () => window.__latency && window.__latency.frames.push(performance.now())));
  }
}"""
READ_TIMER = "() => window.__latency"
RESET_TIMER = """() => {
  window.__latency.presses = []; window.__latency.sources = []; window.__latency.frames = [];
}"""
# The kernel's share of the last move: Panel.refresh stamps update + draw + encode (ms) on
# the readout as data-total-ms.
KERNEL_MS = """(index) => {
  const panel = document.querySelectorAll('.course-panel')[index];
  const pre = panel.querySelector('.course-panel-readout pre');
  return pre && pre.dataset.totalMs !== undefined ? parseFloat(pre.dataset.totalMs) : null;
}"""
# Where a slider's handle stands in its range, unrounded: noUiSlider's own value and range (a
# log slider's are exponents). Its ARIA attributes round to one decimal, so a 0.01 step of β
# would read as no move on nine presses in ten; they are the fallback only.
SLIDER_POSITION = """([index, k]) => {
  const panel = document.querySelectorAll('.course-panel')[index];
  const sliders = [...panel.querySelectorAll('.widget-slider')].filter(e => e.offsetParent);
  const target = sliders[k].querySelector('.noUi-target');
  const api = target && target.noUiSlider;
  if (api) {
    const end = (v) => Number(Array.isArray(v) ? v[0] : v);
    return {now: Number(api.get(true)), min: end(api.options.range.min),
            max: end(api.options.range.max)};
  }
  const handle = sliders[k].querySelector('.noUi-handle');
  const read = (name) => parseFloat(handle.getAttribute(name));
  return {now: read('aria-valuenow'), min: read('aria-valuemin'), max: read('aria-valuemax')};
}"""
IMAGE_LOADED = """(index) => {
  const panel = document.querySelectorAll('.course-panel')[index];
  const img = panel.querySelector('.course-panel-image');
  return !img || img.complete;
}"""


class BrowserCheckError(AssertionError):
    """A lecture did not behave in the browser (an error cell, a panel that did not move)."""


def wait_for(page, predicate_js: str, timeout: float, what: str, arg=None, poll: float = 0.1):
    """Poll a JavaScript predicate until it is truthy; raise BrowserCheckError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(predicate_js) if arg is None else page.evaluate(predicate_js, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise BrowserCheckError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)


def open_notebook(page, lab, name: str, timeout: float = 120.0) -> None:
    """Open ``name`` in JupyterLab and wait until its kernel is connected and idle.

    ``?reset`` starts from an empty workspace: notebooks opened earlier in the same server
    would otherwise come back as hidden tabs, with their panels still in the page.
    """
    page.goto(lab.url_for(f"lab/tree/{name}?reset"))
    wait_for(page, "() => !!window.jupyterapp", timeout, "JupyterLab to load")
    wait_for(page, KERNEL_IDLE, timeout, f"the kernel of {name} to be idle")


def run_all(page, timeout: float = 300.0) -> list[dict]:
    """Run every cell once (Run All) and wait until they have all run.

    Called after :func:`open_notebook` has seen the kernel connected and idle, so one Run All
    is enough: it is never pressed twice (pressing it again while a slow first cell, say the
    imports on a loaded machine, still runs would queue the whole notebook a second time).
    Waits on the command's own promise, then for the kernel to be idle. Returns, per code
    cell, its execution count and error outputs.
    """
    outcome = page.evaluate(RUN_ALL, int(timeout * 1000))
    if outcome == "timeout":
        cells = page.evaluate(CELLS)
        pending = sum(c["count"] is None for c in cells)
        raise BrowserCheckError(
            f"Run All did not finish within {timeout:.0f} s: {pending} cells never ran"
        )
    wait_for(page, KERNEL_IDLE, timeout, "the kernel to be idle after Run All")
    return page.evaluate(CELLS)


def errors(cells: list[dict]) -> list[str]:
    """The error outputs of the cells, 'cell k: Name: message'."""
    return [f"cell {i}: {e}" for i, c in enumerate(cells) for e in c["errors"]]


def panel_count(page) -> int:
    return page.evaluate("() => document.querySelectorAll('.course-panel').length")


def panel_state(page, index: int, slider: int = 0) -> dict:
    """Image source, value of slider ``slider`` and readout of panel ``index``."""
    return page.evaluate(PANEL_STATE, [index, slider])


def slider_handle(page, index: int, slider: int = 0):
    """The Playwright locator of the handle of slider ``slider`` of panel ``index``."""
    panel = page.locator(".course-panel").nth(index)
    return panel.locator(".widget-slider:visible").nth(slider).locator(".noUi-handle").first


def focus_slider(page, index: int, slider: int = 0) -> None:
    """Give the keyboard focus to the handle of slider ``slider`` of panel ``index``
    (waiting up to a minute for the widget to render)."""
    handle = slider_handle(page, index, slider)
    handle.wait_for(state="visible", timeout=60_000)
    handle.scroll_into_view_if_needed()
    handle.focus()


def wait_idle(page, timeout: float = 30.0, lab: bool = True) -> None:
    """Wait until the kernel is idle (JupyterLab only)."""
    if lab:
        wait_for(page, KERNEL_IDLE, timeout, "the kernel to be idle")


def wait_handled(page, timeout: float = 120.0) -> None:
    """After :data:`WATCH_KERNEL`, wait until the kernel has gone busy and back to idle at
    least once (it handled what was sent) and is idle now (JupyterLab only)."""
    wait_for(page, KERNEL_HANDLED, timeout, "the kernel to handle the slider's new value")


@dataclass
class SliderMove:
    """What a few ArrowRight presses on a panel's first slider changed."""

    before: dict
    after: dict

    @property
    def image_changed(self) -> bool:
        return self.after["src"] != self.before["src"]

    @property
    def value_changed(self) -> bool:
        return self.after["slider"] != self.before["slider"]


def move_slider(
    page, index: int, slider: int = 0, presses: int = 3, *, lab: bool = True, timeout=120.0
) -> SliderMove:
    """Press ArrowRight ``presses`` times on a panel's slider; wait for the new picture.

    In JupyterLab, returns once the kernel has handled the new value (its busy → idle
    transition, which follows the reply with the new picture), however long a loaded machine
    takes, so a slider that does not change the picture (η is moot under exact line search)
    is told apart from a slow one. In Voila (``lab=False``), which exposes no kernel status,
    returns when the picture changed, or after ``timeout`` seconds if it did not.
    """
    before = panel_state(page, index, slider)
    handle = slider_handle(page, index, slider)
    handle.scroll_into_view_if_needed()
    if lab:
        page.evaluate(WATCH_KERNEL)
    for _ in range(presses):
        handle.press("ArrowRight")  # focuses the handle first: JupyterLab may take focus back
    if panel_state(page, index, slider)["slider"] == before["slider"]:
        for _ in range(presses):  # already at the top of its range
            handle.press("ArrowLeft")
    if lab:
        # The kernel's replies arrive in order, before its return to idle: once it has handled
        # the new value, the new picture (if this slider changes it) is in the page.
        wait_handled(page, timeout)
        wait_for(page, IMAGE_LOADED, timeout, "the panel's picture to load", arg=index)
        return SliderMove(before, panel_state(page, index, slider))
    deadline = time.monotonic() + timeout
    while True:
        after = panel_state(page, index, slider)
        if after["src"] != before["src"] and after["complete"]:
            return SliderMove(before, after)
        if time.monotonic() > deadline:
            return SliderMove(before, after)
        time.sleep(0.05)


def slider_position(page, index: int, slider: int = 0) -> dict:
    """Where slider ``slider`` of panel ``index`` stands: ``now``, ``min``, ``max``, unrounded
    (a log slider's are exponents)."""
    return page.evaluate(SLIDER_POSITION, [index, slider])


def _direction(page, index: int, slider: int, direction: int) -> int:
    """+1 (ArrowRight) or −1 (ArrowLeft): keep going until the handle reaches an end of its
    range, then turn, so every press moves the slider."""
    where = slider_position(page, index, slider)
    if direction > 0 and where["now"] >= where["max"]:
        return -1
    if direction < 0 and where["now"] <= where["min"]:
        return 1
    return direction


def _first_after(stamps, moment):
    later = [s for s in stamps if s >= moment]
    return later[0] if later else None


def time_moves(
    page, index: int, slider: int = 0, moves: int = 20, warmup: int = 2, settle: float = 0.4
) -> list[dict]:
    """Latency of single key presses, ms: press → first frame with the new picture, split.

    Each move is one arrow key press (ArrowRight, turning to ArrowLeft at the end of the
    range and back), then a pause of ``settle`` seconds so moves do not overlap. Returns one
    dict per timed move (warm-ups dropped): ``latency`` (press → first animation frame after
    the new picture loaded), and its parts ``kernel`` (the panel's update + draw + encode, as
    stamped by the kernel), ``transfer`` (the rest of press → new image source: the widget
    message to the kernel, its handling, the picture's way back) and ``paint`` (new source →
    frame: decode and paint). A move whose picture never arrived has nan everywhere.
    """
    page.evaluate(INSTALL_TIMER, index)
    focus_slider(page, index, slider)
    nan = float("nan")
    timed, direction = [], 1
    for k in range(warmup + moves):
        direction = _direction(page, index, slider, direction)
        page.evaluate(RESET_TIMER)
        page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
        time.sleep(settle)
        data = page.evaluate(READ_TIMER)
        kernel = page.evaluate(KERNEL_MS, index)
        if k < warmup:
            continue
        press = data["presses"][0] if data["presses"] else None
        source = _first_after(data["sources"], press) if press is not None else None
        frame = _first_after(data["frames"], source) if source is not None else None
        if frame is None:
            timed.append({"latency": nan, "kernel": nan, "transfer": nan, "paint": nan})
            continue
        kernel = nan if kernel is None else kernel
        timed.append(
            {
                "latency": frame - press,
                "kernel": kernel,
                "transfer": source - press - kernel,
                "paint": frame - source,
            }
        )
    return timed


def redrawing_slider(page, index: int, *, lab: bool = True, timeout: float = 60.0) -> int | None:
    """The first visible slider of panel ``index`` whose single press changes the picture
    (a slider may be moot in the panel's current setting, as η under exact line search),
    or None if none does."""
    count = panel_state(page, index)["sliders"]
    for k in range(count):
        if move_slider(page, index, k, presses=1, lab=lab, timeout=timeout).image_changed:
            return k
    return None


def time_burst(
    page, index: int, slider: int = 0, presses: int = 10, gap: float = 0.05, quiet: float = 1.0
):
    """Burst: ``presses`` arrow keys 50 ms apart, towards the far end of the slider's range;
    ms from the last press that moved the slider until the picture stops changing (no new
    frame for ``quiet`` seconds). nan if no press moved it or no picture came."""
    page.evaluate(INSTALL_TIMER, index)
    focus_slider(page, index, slider)
    where = slider_position(page, index, slider)
    key = "ArrowLeft" if where["now"] - where["min"] > where["max"] - where["now"] else "ArrowRight"
    moved = []  # per press: did the handle move (a short range ends before the burst does)
    for _ in range(presses):
        page.keyboard.press(key)
        now = slider_position(page, index, slider)["now"]
        moved.append(now != where["now"])
        where["now"] = now
        time.sleep(gap)
    time.sleep(quiet)
    last_frames = -1
    while True:
        data = page.evaluate(READ_TIMER)
        if len(data["frames"]) == last_frames:
            break
        last_frames = len(data["frames"])
        time.sleep(quiet)
    last_move = max((k for k, m in enumerate(moved) if m), default=None)
    if not data["frames"] or last_move is None or len(data["presses"]) != presses:
        return float("nan")
    return max(0.0, data["frames"][-1] - data["presses"][last_move])


# RISE (jupyterlab-rise): its JupyterLab command behind the notebook toolbar's "Render as
# Reveal Slideshow" button, View menu entry and Alt+R. The deck opens in a panel beside the
# notebook, an iframe running RISE's own small Jupyter app on the notebook's kernel.
RISE_PREVIEW = "RISE:preview"
RISE_IFRAME = "iframe[src*='/rise/']"

# Indices of the cells of the current notebook that show a slider panel (JupyterLab).
PANEL_CELLS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .map((c, i) => (c.node.querySelector('.course-panel') ? i : -1)).filter(i => i >= 0)"""

# In the RISE deck: the slide shown now, and whether it holds notebook cell ``cell``.
RISE_SLIDE = """(cell) => {
  const present = [...document.querySelectorAll('.reveal .slides section.present')];
  const slide = present[present.length - 1];
  const target = document.querySelectorAll('.jp-Notebook .jp-Cell')[cell];
  return {
    slides: document.querySelectorAll('.reveal .slides section').length,
    text: slide ? slide.innerText.slice(0, 80) : null,
    fragments: slide ? slide.querySelectorAll('.fragment.visible').length : 0,
    left: slide ? Math.round(slide.getBoundingClientRect().left) : null,
    holds: !!slide && !!target && slide.contains(target),
  };
}"""


def panel_cells(page) -> list[int]:
    """Indices of the cells of the open notebook that show a slider panel (JupyterLab)."""
    return page.evaluate(PANEL_CELLS)


def open_rise(page, cell: int = 0, timeout: float = 180.0):
    """Start RISE's slideshow of the open notebook at cell ``cell``; return the deck's frame.

    Runs ``RISE:preview`` on the notebook (RISE starts at the selected cell) and waits until
    reveal.js shows a slide in the iframe. The drive helpers above take the returned
    Playwright ``Frame`` in place of a page (pass ``lab=False`` to :func:`move_slider`).
    """
    page.evaluate(
        "(i) => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = i; }", cell
    )
    page.evaluate(f"() => window.jupyterapp.commands.execute('{RISE_PREVIEW}')")
    deadline = time.monotonic() + timeout
    while True:
        handle = page.query_selector(RISE_IFRAME)
        frame = handle.content_frame() if handle else None
        if frame is not None and frame.evaluate(RISE_SLIDE, 0)["text"] is not None:
            return frame
        if time.monotonic() > deadline:
            raise BrowserCheckError(f"timed out after {timeout:.0f} s waiting for the RISE deck")
        time.sleep(0.25)


def rise_slide(frame, cell: int = 0) -> dict:
    """The RISE deck's current slide: its text, and whether it holds notebook cell ``cell``."""
    return frame.evaluate(RISE_SLIDE, cell)


def rise_go_to_cell(page, frame, cell: int, presses: int = 100, wait: float = 3.0) -> int:
    """Press ArrowRight in the RISE deck until the slide shown holds notebook cell ``cell``.

    Returns how many presses it took, once the slide has stopped moving (reveal.js slides it
    in). Each press waits up to ``wait`` seconds for the slide to change (a press that shows
    a fragment leaves it in place).
    """
    frame.evaluate("() => { const nb = document.querySelector('.jp-Notebook'); nb && nb.focus(); }")
    for k in range(presses + 1):
        state = rise_slide(frame, cell)
        if state["holds"]:
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:  # the transition is over when it stops moving
                time.sleep(0.3)
                left, state = state["left"], rise_slide(frame, cell)
                if state["left"] == left:
                    break
            return k
        page.keyboard.press("ArrowRight")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            now = rise_slide(frame, cell)
            if (now["text"], now["fragments"]) != (state["text"], state["fragments"]):
                break
            time.sleep(0.1)
    raise BrowserCheckError(f"{presses} ArrowRight presses did not reach the slide of cell {cell}")
