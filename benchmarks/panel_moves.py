"""Kernel time of a slider move for every panel of every lecture: compute, draw, encode.

The browser table (``make bench-ui``, benchmarks/ui_latency.py) splits key press → picture
into kernel, transfer and paint; transfer and paint cost about 25-40 ms whatever the panel,
so a panel meets Voila's 70 ms p95 only when its kernel part stays near 20 ms. This script
measures that kernel part alone, without a browser: it runs each lecture's code cells, finds
the panels they built and moves each slider of each panel through its range step by step,
as a student's arrow-key presses would.

Run ``python -m benchmarks.panel_moves [--lectures 05 10] [--moves 12]``; it prints one
Markdown row per (panel, slider): median and max of compute / draw / encode / total ms, and
how many moves redrew the whole figure. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import statistics
import subprocess
import sys
from pathlib import Path

import ipywidgets
import matplotlib
import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def lecture_panels(path: Path) -> list:
    """Run the notebook's code cells in one namespace; return the panels they built, in order."""
    from course_lib.widgets import Panel

    matplotlib.use("Agg")
    before = {id(obj) for obj in gc.get_objects() if isinstance(obj, Panel)}
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                lines = [
                    ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))
                ]
                exec(compile("\n".join(lines), f"{path.name}", "exec"), namespace)
    finally:
        os.chdir(cwd)
    panels = [obj for obj in gc.get_objects() if isinstance(obj, Panel) and id(obj) not in before]
    return sorted(panels, key=id_order(namespace))


def id_order(namespace):
    order = {}

    def visit(value):
        if id(value) not in order:
            order[id(value)] = len(order)

    for value in namespace.values():
        visit(value)
    return lambda panel: order.get(id(panel), len(order) + id(panel) % 997)


def slider_values(widget, moves: int) -> list:
    """The next ``moves`` values an ArrowRight press would give, turning at the range end."""
    if isinstance(widget, ipywidgets.SelectionSlider):
        options = list(widget.options)
        labels = [o[1] if isinstance(o, tuple) else o for o in options]
        start = labels.index(widget.value) if widget.value in labels else 0
        steps = [(start + k) % len(labels) for k in range(1, moves + 1)]
        return [labels[i] for i in steps]
    if isinstance(widget, ipywidgets.FloatLogSlider):
        lo, hi, step, base = widget.min, widget.max, widget.step, widget.base
        now = np.log(widget.value) / np.log(base)  # min, max and step are exponents
        exps = [now + step * k for k in range(1, moves + 1)]
        return [float(base ** min(max(e, lo), hi)) for e in exps]
    lo, hi, step = widget.min, widget.max, widget.step
    values, value, direction = [], widget.value, 1
    for _ in range(moves):
        nxt = value + direction * step
        if nxt > hi or nxt < lo:
            direction = -direction
            nxt = value + direction * step
        value = type(widget.value)(round(nxt, 12))
        values.append(value)
    return values


def measure(panel, name: str, widget, moves: int) -> dict:
    start = widget.value
    rows = []
    for value in slider_values(widget, moves):
        panel.set(**{name: value})
        rows.append(panel.last_timing)
    panel.set(**{name: start})
    out = {"full": sum(bool(r["full_redraw"]) for r in rows)}
    for key in ("compute_ms", "draw_ms", "encode_ms", "total_ms"):
        samples = [r[key] for r in rows]
        out[key] = (statistics.median(samples), max(samples))
    return out


def sliders(panel) -> dict:
    kinds = (ipywidgets.FloatSlider, ipywidgets.IntSlider, ipywidgets.SelectionSlider)
    kinds += (ipywidgets.FloatLogSlider,)
    return {n: w for n, w in panel.controls.items() if isinstance(w, kinds)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lectures", nargs="*", default=[], help="lecture numbers, e.g. 05 10")
    parser.add_argument("--moves", type=int, default=12, help="moves per slider")
    parser.add_argument("--table-rows", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "lectures").glob("[0-9][0-9]_*.ipynb"))
    if args.lectures:
        paths = [p for p in paths if p.name[:2] in args.lectures]
    if not args.table_rows:
        print(f"Kernel ms per slider move, median / max of {args.moves} moves.\n")
        print("| lecture | panel | slider | compute | draw | encode | total | full redraws |")
        print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    if len(paths) > 1:  # one process per lecture: no state leaks from one to the next
        for path in paths:
            command = [sys.executable, "-m", "benchmarks.panel_moves", "--table-rows"]
            command += ["--moves", str(args.moves), "--lectures", path.name[:2]]
            subprocess.run(command, check=True, cwd=ROOT)
        return
    for index, panel in enumerate(lecture_panels(paths[0])):
        for name, widget in sliders(panel).items():
            t = measure(panel, name, widget, args.moves)
            cells = " | ".join(
                f"{t[k][0]:.1f} / {t[k][1]:.1f}"
                for k in ("compute_ms", "draw_ms", "encode_ms", "total_ms")
            )
            print(f"| {paths[0].stem[:2]} | {index} | {name} | {cells} | {t['full']} |", flush=True)


if __name__ == "__main__":
    main()
