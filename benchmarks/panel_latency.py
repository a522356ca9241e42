"""What one slider move of a contour panel costs: compute, draw, encode (course_lib.widgets).

The move: recompute a 200-step gradient descent on a 2-D quadratic, move the path, and get
new pixels to the browser. Three ways:

* ``panel (blit)``: :func:`course_lib.widgets.contour_panel` — restore the cached background,
  draw the moving artists, encode a PNG (or JPEG) for an ``ipywidgets.Image``;
* ``rebuild, savefig``: a new figure each move (what ``interact`` does), contours from the
  cached grid, one ``savefig`` to PNG;
* ``rebuild, inline``: the same with ``bbox_inches="tight"``, as the inline backend saves
  (the figure is drawn twice), and the level grid evaluated again.

Also the encoders alone on the panel's canvas (time and bytes per frame). Run with
``python -m benchmarks.panel_latency [--moves N]``; it prints a Markdown table. Timings are
medians over the moves; nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np
import PIL.Image

from course_lib import plots, widgets
from course_lib.objectives import ill_conditioned_quadratic

STEPS = 200
X0 = np.array([1.8, 1.2])


def objective():
    return ill_conditioned_quadratic(10.0, angle=0.4)


def descend(f, learning_rate):
    """The move's computation: 200 fixed steps (tol=0, so every move runs all of them)."""
    from course_lib.descent import gradient_descent

    return gradient_descent(f, X0, learning_rate, max_iter=STEPS, tol=0.0)


def learning_rates(moves: int) -> np.ndarray:
    return np.linspace(0.02, 0.19, moves)


def median_ms(samples) -> float:
    return statistics.median(samples)


def time_panel(moves: int, image_format: str) -> dict:
    f = objective()
    panel = widgets.contour_panel(
        f,
        lambda learning_rate: descend(f, learning_rate),
        {"learning_rate": widgets.slider(0.01, 0.2, 0.05)},
        image_format=image_format,
    )
    timings = []
    for eta in learning_rates(moves):
        panel.set(learning_rate=float(eta))
        timings.append(panel.last_timing)
    assert panel.background_draws == 1, "a move redrew the background"
    return {
        key: median_ms([t[key] for t in timings])
        for key in ("compute_ms", "draw_ms", "encode_ms", "total_ms")
    } | {"bytes": len(panel.png)}


def time_rebuild(moves: int, inline: bool) -> dict:
    samples, size = [], 0
    for eta in learning_rates(moves):
        start = time.perf_counter()
        f = objective()  # a new objective object: no cached grid, as interact would see it
        run = descend(f, float(eta)) if inline else descend(FIXED, float(eta))
        plot = plots.contour_plot(f if inline else FIXED, run)
        buffer = io.BytesIO()
        plot.fig.savefig(buffer, format="png", bbox_inches="tight" if inline else None)
        samples.append(1e3 * (time.perf_counter() - start))
        size = buffer.tell()
    return {"total_ms": median_ms(samples), "bytes": size}


FIXED = objective()


def time_encoders(repeats: int) -> list[tuple[str, float, int]]:
    f = objective()
    panel = widgets.contour_panel(
        f, lambda learning_rate: descend(f, learning_rate), {"learning_rate": (0.01, 0.2)}
    )
    canvas = panel.figure.canvas
    rgba = PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())

    def pil(image, **kw):
        buffer = io.BytesIO()
        image.save(buffer, **kw)
        return buffer.getvalue()

    cases = {
        "PNG RGB unfiltered, zlib 1 (panel default, widgets.png_bytes)": lambda: widgets.encode(
            canvas, "png"
        ),
        "PNG RGB Pillow, zlib 1 (the panel's encoder until 2026-12)": lambda: pil(
            rgba.convert("RGB"), format="png", compress_level=1
        ),
        "PNG RGBA zlib 1": lambda: pil(rgba, format="png", compress_level=1),
        "PNG RGB zlib 6 (matplotlib's default)": lambda: pil(
            rgba.convert("RGB"), format="png", compress_level=6
        ),
        "PNG 256 colours (quantized), zlib 1": lambda: pil(
            rgba.convert("RGB").quantize(256, method=PIL.Image.Quantize.FASTOCTREE),
            format="png",
            compress_level=1,
        ),
        "JPEG q90 4:4:4 (image_format='jpeg')": lambda: widgets.encode(canvas, "jpeg"),
    }
    rows = []
    for name, encode in cases.items():
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            data = encode()
            samples.append(1e3 * (time.perf_counter() - start))
        rows.append((name, median_ms(samples), len(data)))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=40, help="slider moves per method")
    args = parser.parse_args(argv)
    moves = args.moves
    png = time_panel(moves, "png")
    jpeg = time_panel(moves, "jpeg")
    saved = time_rebuild(max(moves // 4, 3), inline=False)
    inline = time_rebuild(max(moves // 4, 3), inline=True)
    print(f"One slider move: {STEPS}-step GD on a 2-D quadratic, 640x440 px figure, ")
    print(f"median of {moves} moves (rebuilds: {max(moves // 4, 3)}).\n")
    print("| method | compute ms | draw ms | encode ms | total ms | kB per frame |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, t in (("panel (blit), PNG", png), ("panel (blit), JPEG", jpeg)):
        print(
            f"| {name} | {t['compute_ms']:.1f} | {t['draw_ms']:.1f} | {t['encode_ms']:.1f} "
            f"| {t['total_ms']:.1f} | {t['bytes'] / 1024:.0f} |"
        )
    for name, t in (("rebuild, savefig", saved), ("rebuild, inline-like (tight bbox)", inline)):
        print(f"| {name} | | | | {t['total_ms']:.1f} | {t['bytes'] / 1024:.0f} |")
    print("\n| encoder (same canvas) | ms | kB |")
    print("| --- | ---: | ---: |")
    for name, ms, size in time_encoders(max(moves // 2, 5)):
        print(f"| {name} | {ms:.1f} | {size / 1024:.0f} |")


if __name__ == "__main__":
    main()
