"""Data sets: seeded synthetic generators and small real data shipped as CSV.

The synthetic generators take an integer seed (or a ``numpy.random.Generator``), so a lecture
that draws the same data twice gets the same numbers. The real data sets live in
``course_lib/datasets/`` as CSV files, with their source and licence in
``course_lib/datasets/README.md``; they load without network access.

Lectures: 01 and 05 (``linear_data``), 09 (``classification_data``, ``load_iris``),
10 (``wiggly_function_data``, ``load_elnino``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

from course_lib._checks import as_float_array, as_generator, positive, positive_int

IRIS_FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
IRIS_SPECIES = ("setosa", "versicolor", "virginica")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class Dataset:
    """A real data set: the arrays and what their columns mean.

    Attributes
    ----------
    X : ndarray, shape (n, d)
        Features, one row per example.
    y : ndarray, shape (n,)
        Targets (integer class codes for a classification set).
    feature_names : tuple of str
    target_names : tuple of str
        Class names (index = class code); empty for a regression set.
    source : str
        Where the data come from and under which licence.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple
    target_names: tuple
    source: str

    def __iter__(self):
        """Unpack as ``X, y = load_iris()``."""
        return iter((self.X, self.y))


def _read_csv(name: str) -> list[list[str]]:
    """The rows of ``course_lib/datasets/<name>`` (header first), read from the package."""
    text = resources.files("course_lib").joinpath("datasets", name).read_text(encoding="utf-8")
    return [row for row in csv.reader(text.splitlines()) if row]


def load_iris() -> Dataset:
    """Fisher's iris data: 150 flowers, 4 measurements in cm, 3 species (lecture 09).

    Source: R. A. Fisher (1936), via the UCI Machine Learning Repository, licence CC BY 4.0
    (see ``course_lib/datasets/README.md``). Setosa is linearly separable from the other
    two species; versicolor and virginica overlap, which makes them a good test of a
    logistic regression that has no closed form.

    Returns
    -------
    Dataset
        ``X`` (150, 4) in cm, ``y`` (150,) integer codes 0, 1, 2 for
        ``target_names = ("setosa", "versicolor", "virginica")``.

    Examples
    --------
    >>> iris = load_iris()
    >>> iris.X.shape, np.bincount(iris.y).tolist()
    ((150, 4), [50, 50, 50])
    """
    header, *rows = _read_csv("iris.csv")
    table = np.array(rows, dtype=object)
    X = table[:, :4].astype(float)
    y = np.array([IRIS_SPECIES.index(s) for s in table[:, 4]])
    return Dataset(
        X=X,
        y=y,
        feature_names=tuple(header[:4]),
        target_names=IRIS_SPECIES,
        source="Fisher (1936), UCI Machine Learning Repository, CC BY 4.0",
    )


def load_elnino() -> Dataset:
    """Monthly sea surface temperature (°C) off Peru, Niño 1+2 region, 1950–2010 (lecture 10).

    Source: NOAA Climate Prediction Center, ERSST.V3B, public domain (see
    ``course_lib/datasets/README.md``). Returned in long form, one row per month, as a 1-D
    regression problem: the seasonal curve of temperature against the month is smooth and
    non-monotone, the kind of function a sum of ReLU elbows approximates.

    Returns
    -------
    Dataset
        ``X`` (732, 2) with columns ``("year", "month")`` (month 1 = January), ``y`` (732,)
        the temperature in °C.

    Examples
    --------
    >>> nino = load_elnino()
    >>> nino.X.shape
    (732, 2)
    """
    header, *rows = _read_csv("elnino.csv")
    table = np.array(rows, dtype=float)  # (61, 13): year, then one column per month
    years = np.repeat(table[:, 0], 12)
    months = np.tile(np.arange(1.0, 13.0), table.shape[0])
    return Dataset(
        X=np.stack([years, months], axis=1),
        y=table[:, 1:].ravel(),
        feature_names=("year", "month"),
        target_names=(),
        source="NOAA CPC ERSST.V3B Niño 1+2 (public domain), via statsmodels",
    )


def linear_data(n=50, slope=2.0, intercept=1.0, noise=1.0, seed=0):
    """Points on a noisy line y = slope·x + intercept + ε, ε ~ N(0, noise²) (lectures 01, 05).

    The inputs are uniform on [−3, 3].

    Parameters
    ----------
    n : int
        Number of points.
    slope, intercept : float
    noise : float
        Standard deviation of the Gaussian noise (0 puts every point on the line).
    seed : int or numpy.random.Generator

    Returns
    -------
    x, y : ndarray, shape (n,)

    Examples
    --------
    >>> x, y = linear_data(5, slope=2.0, intercept=1.0, noise=0.0)
    >>> bool(np.allclose(y, 2.0 * x + 1.0))
    True
    """
    n = positive_int(n, "n")
    slope = float(as_float_array(slope, "slope"))
    intercept = float(as_float_array(intercept, "intercept"))
    noise = float(positive(noise, "noise", allow_zero=True))
    rng = as_generator(seed)
    x = rng.uniform(-3.0, 3.0, size=n)
    return x, slope * x + intercept + noise * rng.standard_normal(n)


def classification_data(n=100, margin=0.5, label_noise=0.0, seed=0):
    """Two classes in the plane, separated by a line with a gap, some labels flipped (lecture 09).

    The points start uniform on [−2, 2]²; the true boundary is the line through the origin
    with unit normal u = (1, 1)/√2 and label y = sign(uᵀx). Each point is then pushed away
    from the boundary by margin/2 along y·u, so that, before label noise, every point has
    y·uᵀx ≥ margin/2 (the classes are separated by a slab of width ``margin``). Finally
    exactly round(label_noise · n) labels, chosen at random, are flipped.

    Parameters
    ----------
    n : int
        Number of points.
    margin : float
        Width of the empty slab between the classes (≥ 0).
    label_noise : float
        Fraction of labels flipped, in [0, 1].
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,), values in {−1, +1}

    Examples
    --------
    >>> X, y = classification_data(20, margin=1.0)
    >>> bool(np.all(y * (X @ np.array([1.0, 1.0]) / np.sqrt(2)) >= 0.5))
    True
    """
    n = positive_int(n, "n")
    margin = float(positive(margin, "margin", allow_zero=True))
    noise = float(positive(label_noise, "label_noise", allow_zero=True))
    if noise > 1:
        raise ValueError(f"label_noise must lie in [0, 1], got {label_noise!r}")
    rng = as_generator(seed)
    u = np.array([1.0, 1.0]) / np.sqrt(2.0)
    X = rng.uniform(-2.0, 2.0, size=(n, 2))
    y = np.where(X @ u >= 0, 1, -1)
    X = X + (0.5 * margin * y)[:, None] * u
    flipped = rng.choice(n, size=int(round(noise * n)), replace=False)
    y[flipped] = -y[flipped]
    return X, y


def wiggly_function(x):
    """The target curve of the ReLU lecture, f(x) = sin(2πx) + 0.5x on [−1, 1] (lecture 10).

    Smooth with several bends: a piecewise-linear fit needs more elbows where it curves more.

    Examples
    --------
    >>> float(wiggly_function(0.0))
    0.0
    """
    x = as_float_array(x, "x")
    return np.sin(2.0 * np.pi * x) + 0.5 * x


def wiggly_function_data(n=100, seed=0, noise=0.1):
    """Noisy samples of :func:`wiggly_function` at sorted uniform inputs in [−1, 1] (lecture 10).

    y_i = sin(2πx_i) + 0.5x_i + ε_i, ε_i ~ N(0, noise²).

    Parameters
    ----------
    n : int
    seed : int or numpy.random.Generator
    noise : float
        Standard deviation of the noise (≥ 0).

    Returns
    -------
    x, y : ndarray, shape (n,)
        ``x`` sorted increasingly.

    Examples
    --------
    >>> x, y = wiggly_function_data(10, noise=0.0)
    >>> bool(np.allclose(y, wiggly_function(x)))
    True
    """
    n = positive_int(n, "n")
    noise = float(positive(noise, "noise", allow_zero=True))
    rng = as_generator(seed)
    x = np.sort(rng.uniform(-1.0, 1.0, size=n))
    return x, wiggly_function(x) + noise * rng.standard_normal(n)
