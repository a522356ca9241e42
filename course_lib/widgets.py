"""Slider panels: a persistent figure, named controls and a readout (every lecture).

A :class:`Panel` holds one matplotlib figure for its whole life. A slider move calls the
lecture's ``update(**values)``, which recomputes with ``course_lib`` and moves the figure's
"animated" artists in place (``line.set_data``, ...). The panel then redraws only those:

1. the still part of the figure (axes, contours, labels) was drawn once and its pixels
   cached; they are restored (``canvas.restore_region``);
2. the animated artists are drawn on top (``fig.draw_artist``);
3. the pixels are encoded as a PNG and assigned to an ``ipywidgets.Image``.

That costs a few milliseconds where re-creating the figure through ``interact`` and the
inline backend costs ~170 ms (``benchmarks/panel_latency.py``), and it needs no front-end
extension: it works the same in JupyterLab, Notebook 7 and Voila. If ``update`` changes a
still artist (a new title, new contours, new limits), matplotlib marks the figure stale and
the panel redraws and re-caches the whole background once.

``update`` is a plain function: tests (and nbval) drive a panel with :meth:`Panel.set`,
exactly as a student's slider would, and the panel runs ``update`` once when it is built, so
a broken callback fails CI. Builders for the common cases: :func:`contour_panel`,
:func:`curve_panel`, :func:`iteration_scrubber`.
"""

from __future__ import annotations

import base64
import html
import io
import math
import struct
import time
import zlib
from collections.abc import Callable

import ipywidgets
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib import plots
from course_lib._checks import callable_arg, one_of
from course_lib.trajectory import Trajectory

IMAGE_FORMATS = ("png", "jpeg")

# --------------------------------------------------------------------------- controls


def slider(
    low,
    high,
    value=None,
    *,
    step=None,
    log: bool = False,
    description: str | None = None,
    continuous_update: bool = True,
):
    """A slider widget from its range: IntSlider, FloatSlider or (``log=True``) FloatLogSlider.

    Integers ``low`` and ``high`` (and step) give an IntSlider. A log slider moves its
    exponent: ``slider(1e-4, 1, 0.1, log=True)`` ranges over 10^-4 .. 10^0.
    ``value`` defaults to the middle of the range (geometric middle for a log slider).
    Set ``continuous_update=False`` for a slow update: it then runs when the drag ends.

    Examples
    --------
    >>> slider(0.0, 1.0, 0.25).value
    0.25
    >>> type(slider(1, 10)).__name__
    'IntSlider'
    """
    common = {"description": description or "", "continuous_update": continuous_update}
    if log:
        if not (low > 0 and high > low):
            raise ValueError(f"a log slider needs 0 < low < high, got low={low}, high={high}")
        lo, hi = math.log10(low), math.log10(high)
        value = math.sqrt(low * high) if value is None else value
        return ipywidgets.FloatLogSlider(
            value=value, min=lo, max=hi, step=step or (hi - lo) / 100, base=10, **common
        )
    if not high > low:
        raise ValueError(f"a slider needs low < high, got low={low}, high={high}")
    integers = all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high))
    if integers and (step is None or isinstance(step, int)):
        value = (low + high) // 2 if value is None else value
        return ipywidgets.IntSlider(value=value, min=low, max=high, step=step or 1, **common)
    value = (low + high) / 2 if value is None else value
    return ipywidgets.FloatSlider(
        value=value, min=low, max=high, step=step or (high - low) / 100, **common
    )


def choice(options, value=None, *, buttons: bool = False, description: str | None = None):
    """A Dropdown (or, with ``buttons=True``, ToggleButtons) over ``options``.

    Examples
    --------
    >>> choice(["forward", "centered"]).value
    'forward'
    """
    options = list(options)
    if not options:
        raise ValueError("options must not be empty")
    kind = ipywidgets.ToggleButtons if buttons else ipywidgets.Dropdown
    return kind(
        options=options, value=options[0] if value is None else value, description=description or ""
    )


def control(spec, name: str):
    """A widget from a spec, as the panel builders accept them.

    ============================  ==========================================================
    spec                          widget
    ============================  ==========================================================
    a widget                      itself
    ``(low, high)``               slider over the range, starting in the middle
    ``(low, high, step)``         the same with a step (the ``interact`` convention)
    a list of options             Dropdown, starting at the first option
    ============================  ==========================================================

    For a start value, a log scale or buttons, use :func:`slider` or :func:`choice`.
    """
    label = name.replace("_", " ")
    if isinstance(spec, ipywidgets.ValueWidget):
        if not spec.description:
            spec.description = label
        return spec
    if isinstance(spec, tuple) and len(spec) in (2, 3) and all(_is_number(v) for v in spec):
        step = spec[2] if len(spec) == 3 else None
        return slider(spec[0], spec[1], step=step, description=label)
    if isinstance(spec, list):
        return choice(spec, description=label)
    raise TypeError(
        f"control {name!r} must be a widget, a (low, high[, step]) tuple or a list of options, "
        f"got {spec!r}"
    )


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


# --------------------------------------------------------------------------- the panel


def _flatten(artists) -> list:
    """A flat list of artists from artists, lists, dicts and plot results."""
    if artists is None:
        return []
    if isinstance(artists, plots.Plot):
        return list(artists.animated)
    if isinstance(artists, dict):
        artists = list(artists.values())
    if isinstance(artists, (list, tuple)):
        return [a for item in artists for a in _flatten(item)]
    return [artists]


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(pixels: np.ndarray, compress_level: int = 1) -> bytes:
    """A PNG of an (h, w, 3) RGB or (h, w, 4) RGBA uint8 array, without row filters.

    PNG's per-row filters help photographs; a plot is mostly flat colour, which zlib
    compresses as well unfiltered, so this writer skips them (filter type 0 on every row)
    and costs about half of Pillow's encoder at zlib level 1, for a file a few per cent
    smaller (``benchmarks/panel_latency.py`` times both). Lossless: decoding gives
    ``pixels`` back exactly.

    Examples
    --------
    >>> data = png_bytes(np.zeros((2, 3, 3), np.uint8))
    >>> data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(
            f"pixels must be a uint8 array (h, w, 3) or (h, w, 4), got {pixels.dtype} "
            f"{pixels.shape}"
        )
    height, width, channels = pixels.shape
    rows = np.zeros((height, 1 + width * channels), np.uint8)  # leading 0: filter "none"
    rows[:, 1:] = pixels.reshape(height, width * channels)
    colour_type = 2 if channels == 3 else 6
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows.data, compress_level)),
            _png_chunk(b"IEND", b""),
        ]
    )


def encode(canvas, image_format: str = "png", *, quality: int = 90, compress_level: int = 1):
    """The canvas' pixels as PNG or JPEG bytes.

    PNG through :func:`png_bytes` at zlib level 1 (lossless; about as small as level 6 for a
    plot, several times faster); JPEG at 4:4:4 chroma (no colour bleeding on thin lines),
    faster still but lossy. The alpha channel is dropped unless the figure is transparent.
    """
    rgba = np.asarray(canvas.buffer_rgba())
    transparent = canvas.figure.patch.get_alpha() not in (None, 1.0)
    if image_format == "jpeg":
        buffer = io.BytesIO()
        height, width = rgba.shape[:2]
        pixels = PIL.Image.frombuffer("RGBA", (width, height), rgba).convert("RGB")
        pixels.save(buffer, format="jpeg", quality=quality, subsampling=0)
        return buffer.getvalue()
    return png_bytes(rgba if transparent else rgba[..., :3], compress_level)


class PanelView(ipywidgets.VBox):
    """A panel's box of controls, picture and readout (:attr:`Panel.widget`).

    Displayed, it is the live widget for a front end with a kernel, and carries the PNG of
    the current picture with its alt text for a page without one, so ``panel`` and
    ``panel.widget`` at the end of a cell show the same thing everywhere.
    """

    def __init__(self, children, *, panel):
        super().__init__(children)
        self._panel = panel

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle = dict(bundle[0] if isinstance(bundle, tuple) else bundle or {})
        bundle["image/png"] = base64.b64encode(self._panel.to_png()).decode("ascii")
        return bundle, {"image/png": {"alt": self._panel.alt_text}}


class Panel:
    """A figure, named controls and a readout; a control move updates the figure in place.

    Parameters
    ----------
    figure : Figure or plots.Plot
        The figure (a plot result is accepted: its ``fig`` and ``animated`` artists are used).
    update : callable
        ``update(**values) -> str | dict | None``, called with every control's value. It
        recomputes and moves the animated artists (``set_data``, ...). It returns the readout
        text, or a dict with a ``"readout"`` entry (kept as :attr:`state`), or None.
    controls : dict
        Name -> widget or spec (see :func:`control`). The names are the keyword arguments
        of ``update``.
    animated : artists, optional
        The artists that move (lists, dicts and plot results are flattened). They are left
        out of the cached background and drawn over it at each move.
    image_format : {"png", "jpeg"}
        How the pixels travel to the browser (see :func:`encode`).
    description : str, optional
        What the figure shows, in words (the alt text of its picture in the course site);
        default: read from the figure by :func:`course_lib.plots.describe`.
    artists : dict, optional
        The named artists a panel builder drew, kept as :attr:`artists` so tests and callers
        can read what a move changed.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Controls, image and readout; a bare ``panel`` at the end of a cell shows it too.
    figure, controls, readout, state, png, values, last_timing, background_draws, artists

    Examples
    --------
    >>> fig, ax = plots.new_figure()
    >>> (line,) = ax.plot([0, 1], [0, 0])
    >>> ax.set_ylim(-1, 1)
    (-1.0, 1.0)
    >>> def update(slope):
    ...     line.set_ydata([0, slope])
    ...     return f"slope {slope:.2f}"
    >>> panel = Panel(fig, update, {"slope": (-1.0, 1.0)}, animated=[line])
    >>> panel.set(slope=0.5)
    'slope 0.50'
    >>> line.get_ydata()[1]
    0.5
    """

    def __init__(
        self,
        figure,
        update: Callable,
        controls: dict,
        animated=None,
        *,
        image_format: str = "png",
        artists: dict | None = None,
        description: str | None = None,
    ):
        if isinstance(figure, plots.Plot):
            animated = figure.animated if animated is None else animated
            figure = figure.fig
        if not isinstance(figure, Figure):
            raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
        if not isinstance(controls, dict):
            raise TypeError(f"controls must be a dict name -> spec, got {type(controls).__name__}")
        self.figure = figure
        self.artists = artists
        if description is not None and not isinstance(description, str):
            raise TypeError(f"description must be a str, got {type(description).__name__}")
        self.description = description
        self._update = callable_arg(update, "update")
        self._format = one_of(image_format, "image_format", IMAGE_FORMATS)
        self.controls = {name: control(spec, name) for name, spec in controls.items()}
        if not isinstance(figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(figure)
        self._canvas = figure.canvas
        self._animated = _flatten(animated)
        for artist in self._animated:
            artist.set_animated(True)
        self._background = None
        self._holding = False
        self.background_draws = 0
        self.readout = ""
        self.state = None
        self.png = b""
        self.last_timing = {}
        self._image = ipywidgets.Image(format=self._format)
        self._text = ipywidgets.HTML()
        for widget in self.controls.values():
            widget.observe(self._on_change, names="value")
        box = ipywidgets.Layout(flex_flow="row wrap")
        self.widget = PanelView(
            [ipywidgets.HBox(list(self.controls.values()), layout=box), self._image, self._text],
            panel=self,
        )
        # Stable class names: the browser tests and the latency benchmark find panels by them.
        self.widget.add_class("course-panel")
        self._image.add_class("course-panel-image")
        self._text.add_class("course-panel-readout")
        self.refresh(static=True)

    # ---- what a student does: move controls

    @property
    def values(self) -> dict:
        """The current value of every control."""
        return {name: widget.value for name, widget in self.controls.items()}

    def set(self, **values):
        """Move controls to ``values`` (as a student's drag would) and redraw once.

        Returns what ``update`` returned. Raises ValueError for an unknown control or a value
        outside its range or options.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(
                f"unknown control(s) {unknown}; this panel has {sorted(self.controls)}"
            )
        for name, value in values.items():
            _check_value(self.controls[name], name, value)
        self._holding = True  # one redraw for several controls, not one each
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        return self.refresh()

    def _on_change(self, _change) -> None:
        if self._holding:
            return
        try:
            self.refresh()
        except Exception as err:  # shown to the student, not lost in the browser's log
            self._text.value = (
                f'<pre style="color:#b00020">{html.escape(type(err).__name__)}: '
                f"{html.escape(str(err))}</pre>"
            )

    # ---- redrawing

    def refresh(self, static: bool = False):
        """Run ``update`` with the current values and redraw; returns what it returned.

        ``static=True`` redraws and re-caches the background too (the panel does that by
        itself when ``update`` touched a still artist, since matplotlib marks the figure
        stale).
        """
        start = time.perf_counter()
        result = self._update(**self.values)
        computed = time.perf_counter()
        self.state = result
        readout = result.get("readout", "") if isinstance(result, dict) else result
        self.readout = "" if readout is None else str(readout)
        full = bool(static or self._background is None or self.figure.stale)
        self._draw(full)
        drawn = time.perf_counter()
        self.png = encode(self._canvas, self._format)
        done = time.perf_counter()
        self.last_timing = {
            "compute_ms": 1e3 * (computed - start),
            "draw_ms": 1e3 * (drawn - computed),
            "encode_ms": 1e3 * (done - drawn),
            "total_ms": 1e3 * (done - start),
            "full_redraw": full,
        }
        self._image.value = self.png
        # The move's kernel time rides along, invisible, for the latency benchmark
        # (benchmarks/ui_latency.py splits key press → picture into kernel, transfer, paint).
        stamps = " ".join(
            f'data-{key.replace("_", "-")}="{self.last_timing[key]:.2f}"'
            for key in ("compute_ms", "draw_ms", "encode_ms", "total_ms")
        )
        self._text.value = f'<pre style="margin:0" {stamps}>{html.escape(self.readout)}</pre>'
        return result

    def _draw(self, full: bool) -> None:
        if full:
            self._canvas.draw()  # animated artists are left out of this draw
            self._background = self._canvas.copy_from_bbox(self.figure.bbox)
            self.background_draws += 1
        else:
            self._canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)

    # ---- showing and saving

    @property
    def alt_text(self) -> str:
        """What the picture shows, in words: the builder's ``description`` or the figure's
        own (:func:`course_lib.plots.describe`), then the readout of the current setting.
        The course site and the slides give the panel's picture this alt text."""
        text = self.description or plots.describe(self.figure)
        readout = " ".join(self.readout.split())
        return f"{text}. Setting shown: {readout}" if readout else text

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus the current picture as a PNG (with its alt text in the
        metadata) for pages without a kernel (the course site, slides, GitHub): a front end
        shows the richest type it can. ``panel.widget`` shows the same."""
        return self.widget._repr_mimebundle_(**kwargs)

    def to_png(self) -> bytes:
        """The picture now shown, as a lossless PNG (for a handout)."""
        return encode(self._canvas, "png", compress_level=6)

    def savefig(self, path, **kwargs) -> None:
        """Save the figure as it stands (any format matplotlib writes: png, pdf, svg)."""
        self.figure.savefig(path, **kwargs)
        self._background = None  # saving may have changed the renderer: redraw next time

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"Panel({shown})"


def _check_value(widget, name: str, value) -> None:
    """ValueError/TypeError for a value the widget would refuse or silently clip."""
    if isinstance(widget, ipywidgets.FloatLogSlider):
        low, high = widget.base**widget.min, widget.base**widget.max
    elif isinstance(widget, (ipywidgets.IntSlider, ipywidgets.FloatSlider)):
        low, high = widget.min, widget.max
    elif hasattr(widget, "options"):
        options = list(widget.options)
        labels = [o[0] if isinstance(o, tuple) else o for o in options]
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        if value not in values:
            raise ValueError(f"{name} must be one of {labels}; got {value!r}")
        return
    else:
        return
    if isinstance(widget, ipywidgets.IntSlider) and not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not _is_number(value) or not low - 1e-12 * abs(low) <= value <= high + 1e-12 * abs(high):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got {value!r}")


# --------------------------------------------------------------------------- builders


def _status_line(label, trajectory: Trajectory) -> str:
    return (
        f"{label}: {trajectory.status.item()} after {int(trajectory.stopped_at)} steps, "
        f"f = {float(trajectory.final_loss):.6g}"
    )


def trajectory_readout(trajectories, labels=None) -> str:
    """One line per run: status, steps taken and final loss."""
    runs = plots._as_list(trajectories, "trajectories")
    names = labels or [f"run {k + 1}" if len(runs) > 1 else "run" for k in range(len(runs))]
    return "\n".join(_status_line(n, r) for n, r in zip(names, runs, strict=False))


def contour_panel(
    objective,
    run: Callable,
    controls: dict,
    *,
    labels=None,
    readout: Callable | None = None,
    max_paths: int | None = None,
    bounds=None,
    levels=20,
    size=None,
    image_format: str = "png",
) -> Panel:
    """Paths of an iterative method on the (cached) contours of f, recomputed per move.

    Parameters
    ----------
    objective : Objective
        A 2-D objective; its contours are drawn once.
    run : callable
        ``run(**values)`` returns a Trajectory (a batched one draws one path per run) or a
        list of them, e.g. ``lambda lr: gradient_descent(f, x0, lr, max_iter=200)``.
    controls : dict
        Name -> widget or spec (see :func:`control`).
    labels : list of str, optional
        Legend and readout names of the paths.
    readout : callable, optional
        ``readout(values, trajectories) -> str``; default: status, steps and final loss of
        each run.
    max_paths : int, optional
        Room for more paths than the first call returns.
    bounds, levels : see :func:`course_lib.plots.level_grid`.
    size : (width, height) in inches, optional
    image_format : {"png", "jpeg"}

    Returns
    -------
    Panel
        with ``panel.plot`` the :class:`course_lib.plots.ContourPlot`.

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> from course_lib.descent import gradient_descent
    >>> f = quadratic([1.0, 10.0])
    >>> panel = contour_panel(
    ...     f, lambda lr: gradient_descent(f, [1.5, 1.0], lr, max_iter=200), {"lr": (0.01, 0.25)}
    ... )
    >>> _ = panel.set(lr=0.1)
    """
    callable_arg(run, "run")
    widgets = {name: control(spec, name) for name, spec in controls.items()}
    first = run(**{name: w.value for name, w in widgets.items()})
    fig, ax = plots.new_figure(size=size)
    plot = plots.contour_plot(
        objective, first, labels, bounds=bounds, levels=levels, max_paths=max_paths, ax=ax
    )

    def update(**values):
        trajectories = run(**values)
        plot.set_paths(trajectories)
        if readout is not None:
            return readout(values, trajectories)
        return trajectory_readout(trajectories, labels)

    panel = Panel(plot, update, widgets, image_format=image_format)
    panel.plot = plot
    return panel


def curve_panel(
    compute: Callable,
    controls: dict,
    *,
    xscale: str = "linear",
    yscale: str = "linear",
    xlim=None,
    ylim=None,
    xlabel: str = "",
    ylabel: str = "",
    readout: Callable | None = None,
    size=None,
    image_format: str = "png",
) -> Panel:
    """Line plots on fixed axes (loss curves, error versus h), recomputed per move.

    Parameters
    ----------
    compute : callable
        ``compute(**values)`` returns ``{label: (x, y)}``; the labels are fixed by the first
        call (a later call may leave some out: their lines go empty).
    controls : dict
        Name -> widget or spec (see :func:`control`).
    xscale, yscale : {"linear", "log"}
    xlim, ylim : (low, high), optional
        Default: the range of the first call's data.
    xlabel, ylabel : str
    readout : callable, optional
        ``readout(values, curves) -> str``.
    size, image_format
        As for :func:`contour_panel`.

    Returns
    -------
    Panel
        with ``panel.lines`` the dict label -> Line2D.

    Examples
    --------
    >>> def powers(p):
    ...     h = np.logspace(-3, 0, 20)
    ...     return {"h^p": (h, h**p)}
    >>> panel = curve_panel(powers, {"p": (1.0, 3.0)}, xscale="log", yscale="log")
    >>> _ = panel.set(p=2.0)
    """
    callable_arg(compute, "compute")
    widgets = {name: control(spec, name) for name, spec in controls.items()}
    first = _curve_dict(compute(**{name: w.value for name, w in widgets.items()}))
    fig, ax = plots.new_figure(size=size)
    ax.set_xscale(one_of(xscale, "xscale", ("linear", "log")))
    ax.set_yscale(one_of(yscale, "yscale", ("linear", "log")))
    lines = {
        label: ax.plot(x, y, "-", label=label, **plots._line_kw())[0]
        for label, (x, y) in first.items()
    }
    plots._fit_limits(ax, list(lines.values()), xlim, ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    plots._legend(ax)

    def update(**values):
        curves = _curve_dict(compute(**values))
        extra = sorted(set(curves) - set(lines))
        if extra:
            raise ValueError(f"compute returned new curve(s) {extra}; the panel has {list(lines)}")
        for label, line in lines.items():
            line.set_data(*curves.get(label, ([], [])))
        return "" if readout is None else readout(values, curves)

    panel = Panel(fig, update, widgets, list(lines.values()), image_format=image_format)
    panel.lines = lines
    return panel


def _curve_dict(curves) -> dict:
    if not isinstance(curves, dict):
        raise TypeError(f"compute must return a dict label -> (x, y), got {type(curves).__name__}")
    out = {}
    for label, pair in curves.items():
        x, y = (np.asarray(v, dtype=float) for v in pair)
        if x.shape != y.shape or x.ndim != 1:
            raise ValueError(f"curve {label!r}: x and y must be 1-D of equal length")
        out[label] = (x, y)
    return out


def iteration_scrubber(
    trajectory,
    objective=None,
    *,
    labels=None,
    minimum: float | None = None,
    play: bool = True,
    bounds=None,
    size=None,
) -> Panel:
    """Scrub through the iterations of stored runs with a slider (and a play button).

    Left (when ``objective`` is a 2-D objective): the contours, each full path in a faint
    line and the part up to iteration t in colour, with a dot at x_t. Right: the loss curves
    (f(x_t) − f* with ``minimum``) with a marker at t. The readout lists f(x_t) and
    ||∇f(x_t)|| of each run at t.

    Parameters
    ----------
    trajectory : Trajectory or list of Trajectory
        The stored runs (a batched trajectory gives one run per batch entry).
    objective : Objective, optional
        A 2-D objective for the contour view.
    labels : list of str, optional
    minimum : float, optional
        f*, subtracted from the losses.
    play : bool
        Add a play button that advances t (runs in the browser).
    bounds : see :func:`course_lib.plots.level_grid`.
    size : (width, height) in inches, optional

    Returns
    -------
    Panel
        with the control ``t``.
    """
    runs = plots._as_list(trajectory, "trajectory")
    if not runs or not all(isinstance(r, Trajectory) for r in runs):
        raise TypeError("trajectory must be a Trajectory or a list of Trajectory")
    names = plots._labels(labels, len(runs)) if labels is not None else [None] * len(runs)
    last = max(len(r.losses) for r in runs) - 1
    contour = objective is not None
    fig, axes = plots.new_figure(1, 2 if contour else 1, size=size)
    loss_ax = axes[1] if contour else axes
    moving = []
    if contour:
        view = plots.contour_plot(objective, runs, names, bounds=bounds, ax=axes[0])
        for line in view.paths:
            line.set_alpha(0.25)
        heads = [
            axes[0].plot([], [], ".-", color=line.get_color(), **plots._line_kw())[0]
            for line in view.paths
        ]
        dots = axes[0].plot(
            [], [], "o", color="k", **plots._line_kw(ms=1.5 * plots.style()["marker"])
        )[0]
        moving += [*heads, dots]
    plots.loss_curves(runs, names, minimum=minimum, ax=loss_ax)
    cursor = loss_ax.axvline(0, color="0.3", lw=1.0)
    points = loss_ax.plot([], [], "o", color="k", **plots._line_kw())[0]
    moving += [cursor, points]
    offset = 0.0 if minimum is None else float(minimum)

    def update(t):
        at = [min(t, len(r.losses) - 1) for r in runs]
        if contour:
            for head, r, s in zip(heads, runs, at, strict=True):
                head.set_data(r.iterates[: s + 1, 0], r.iterates[: s + 1, 1])
            current = np.array([r.iterates[s] for r, s in zip(runs, at, strict=True)])
            dots.set_data(current[:, 0], current[:, 1])
        cursor.set_xdata([t, t])
        gaps = np.array([r.losses[s] for r, s in zip(runs, at, strict=True)]) - offset
        points.set_data(at, plots._log_visible(gaps))
        rows = [
            f"{n or f'run {k + 1}'}: t = {s}, f = {r.losses[s]:.6g}, "
            f"|grad f| = {r.grad_norms[s]:.3g}"
            for k, (n, r, s) in enumerate(zip(names, runs, at, strict=True))
        ]
        return "\n".join(rows)

    t_slider = ipywidgets.IntSlider(value=0, min=0, max=last, description="iteration t")
    panel = Panel(fig, update, {"t": t_slider}, moving, image_format="png")
    if play:
        player = ipywidgets.Play(min=0, max=last, interval=100, description="play")
        ipywidgets.jslink((player, "value"), (t_slider, "value"))
        panel.widget.children = (ipywidgets.HBox([player, t_slider]), *panel.widget.children[1:])
    return panel


__all__ = [
    "IMAGE_FORMATS",
    "Panel",
    "choice",
    "contour_panel",
    "control",
    "curve_panel",
    "encode",
    "iteration_scrubber",
    "slider",
    "trajectory_readout",
]
