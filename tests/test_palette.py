"""The course palette reads for colour-blind readers: Okabe–Ito, checked under deuteranopia.

Deuteranopia (no working green cones, about 1 % of men) is simulated with the matrix of
Machado, Oliveira and Fernandes (2009, "A physiologically-based model for simulation of
color vision deficiency", severity 1.0), applied to linear RGB; the distance between two
colours as seen is CIE76 ΔE in CIELAB (D65). ΔE ≈ 2 is a just-noticeable difference; lines
of a plot need far more: we ask ΔE ≥ 15 for every pair, which matplotlib's old default
(tab10: its green and red are ΔE ≈ 7 apart for such a reader) does not meet.
"""

from __future__ import annotations

import itertools

import matplotlib
import matplotlib.colors
import numpy as np
import pytest

from course_lib import plots

DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])
MIN_DELTA_E = 15.0


def linear(srgb):
    srgb = np.asarray(srgb, dtype=float)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(linear_rgb):
    t = (np.asarray(linear_rgb) @ SRGB_TO_XYZ.T) / WHITE_D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1
    )


def seen_with_deuteranopia(colors) -> np.ndarray:
    """CIELAB of each colour as a reader with deuteranopia sees it."""
    rgb = np.array([matplotlib.colors.to_rgb(c) for c in colors])
    return lab(np.clip(linear(rgb) @ DEUTERANOPIA.T, 0.0, 1.0))


def closest_pair(colors) -> tuple[float, str, str]:
    seen = seen_with_deuteranopia(colors)
    return min(
        (float(np.linalg.norm(seen[i] - seen[j])), colors[i], colors[j])
        for i, j in itertools.combinations(range(len(colors)), 2)
    )


def test_colour_science_matches_published_values():
    # CIELAB of sRGB red and white (published reference values, D65)
    np.testing.assert_allclose(lab(linear([1.0, 0.0, 0.0])), [53.2408, 80.0925, 67.2032], atol=1e-3)
    np.testing.assert_allclose(lab(linear([1.0, 1.0, 1.0])), [100.0, 0.0, 0.0], atol=1e-3)
    # the simulation keeps greys grey (each row of Machado's matrix sums to 1)
    np.testing.assert_allclose(DEUTERANOPIA.sum(axis=1), 1.0, atol=1e-5)
    # ... and maps the red/green confusion line onto itself: pure red and a green of the
    # same lightness come out far closer than they went in
    red, green = matplotlib.colors.to_rgb("#d62728"), matplotlib.colors.to_rgb("#2ca02c")
    before = np.linalg.norm(lab(linear(red)) - lab(linear(green)))
    after = np.linalg.norm(np.subtract(*seen_with_deuteranopia([red, green])))
    assert after < before / 5


def test_the_palette_is_okabe_ito_and_is_matplotlibs_colour_cycle():
    assert plots.PALETTE_NAME == "Okabe–Ito"
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert okabe_ito <= {c.upper() for c in plots.PALETTE}
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.upper() for c in cycle] == [c.upper() for c in plots.PALETTE]
    fig, ax = plots.new_figure()
    (line,) = ax.plot([0, 1], [0, 1])
    assert matplotlib.colors.same_color(line.get_color(), plots.PALETTE[0])


def test_every_pair_of_palette_colours_stays_apart_under_deuteranopia():
    delta_e, first, second = closest_pair(list(plots.PALETTE))
    assert delta_e >= MIN_DELTA_E, f"{first} and {second} are only ΔE {delta_e:.1f} apart"


@pytest.mark.parametrize("palette", ["tab10"])
def test_the_check_rejects_a_palette_that_fails_deuteranopes(palette):
    colors = [matplotlib.colors.to_hex(c) for c in matplotlib.colormaps[palette].colors]
    assert closest_pair(colors)[0] < MIN_DELTA_E


def test_figures_name_palette_colours_not_tab10_ones():
    """A hard-coded "tab:red" bypasses the palette (tab10's red and green are the pair a
    deuteranope cannot tell apart): figures use "C0".."C7" or greys."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sources = [*root.glob("course_lib/**/*.py"), *root.glob("lectures/*.ipynb")]
    sources += [*root.glob("solutions/*.ipynb")]
    found = [
        f"{path.relative_to(root)}: {match}"
        for path in sources
        for match in re.findall(r"""["']tab:[a-z]+["']""", path.read_text())
    ]
    assert not found, found
