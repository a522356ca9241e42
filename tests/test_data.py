"""Data sets: the shipped CSV files and the seeded synthetic generators."""

import csv
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import data

seeds = st.integers(0, 2**31)


# --------------------------------------------------------------------------- shipped data
def test_iris_matches_the_published_summary_statistics():
    iris = data.load_iris()
    X, y = iris  # unpacks as a pair
    assert X.shape == (150, 4) and y.shape == (150,)
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert iris.target_names == ("setosa", "versicolor", "virginica")
    # min and max as printed in the UCI / scikit-learn description
    np.testing.assert_allclose(X.min(axis=0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_allclose(X.max(axis=0), [7.9, 4.4, 6.9, 2.5])
    # R's iris (the same values as Fisher's paper): colMeans(iris[1:4]) and sapply(iris[1:4], sd)
    np.testing.assert_allclose(X.mean(axis=0), [5.843333, 3.057333, 3.758000, 1.199333], atol=1e-6)
    np.testing.assert_allclose(
        X.std(axis=0, ddof=1), [0.8280661, 0.4358663, 1.7652982, 0.7622377], atol=1e-7
    )
    # setosa is linearly separable from the rest by petal length alone
    assert X[y == 0, 2].max() < X[y != 0, 2].min()


def test_elnino_long_form_agrees_with_the_wide_csv():
    nino = data.load_elnino()
    assert nino.X.shape == (732, 2) and nino.y.shape == (732,)
    assert nino.feature_names == ("year", "month")
    path = resources.files("course_lib") / "datasets" / "elnino.csv"
    wide = np.loadtxt(str(path), delimiter=",", skiprows=1)
    years, months = nino.X[:, 0], nino.X[:, 1]
    np.testing.assert_array_equal(np.unique(years), np.arange(1950, 2011))
    for row in wide[[0, 30, 60]]:
        sel = years == row[0]
        np.testing.assert_array_equal(months[sel], np.arange(1, 13))
        np.testing.assert_array_equal(nino.y[sel], row[1:])
    # the climatology: warm season peaks in Feb-Apr, cold in Aug-Oct
    monthly = nino.y.reshape(61, 12).mean(axis=0)
    assert np.argmax(monthly) in (1, 2, 3) and np.argmin(monthly) in (7, 8, 9)


@pytest.mark.parametrize("name", ["iris.csv", "elnino.csv"])
def test_every_shipped_csv_is_small_and_documented_with_source_and_licence(name):
    folder = resources.files("course_lib") / "datasets"
    raw = (folder / name).read_bytes()
    assert len(raw) < 100_000
    readme = (folder / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"`{name}`", 1)[1].split("\n## ", 1)[0]
    assert "Licence" in section and "Origin" in section
    rows = list(csv.reader(raw.decode().splitlines()))
    assert len({len(r) for r in rows if r}) == 1  # rectangular


# --------------------------------------------------------------------------- synthetic data
def test_linear_data_without_noise_lies_on_the_line():
    x, y = data.linear_data(30, slope=-1.5, intercept=4.0, noise=0.0, seed=1)
    np.testing.assert_allclose(y, -1.5 * x + 4.0)
    assert np.all((x >= -3) & (x <= 3))


@settings(max_examples=25, deadline=None)
@given(seeds, st.floats(-5, 5), st.floats(-5, 5))
def test_linear_data_least_squares_recovers_the_line_within_its_standard_error(seed, m, b):
    n, sigma = 400, 0.5
    x, y = data.linear_data(n, slope=m, intercept=b, noise=sigma, seed=seed)
    A = np.column_stack([x, np.ones(n)])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    se = sigma * np.sqrt(np.diag(np.linalg.inv(A.T @ A)))
    assert np.all(np.abs(coef - [m, b]) < 6 * se)


@settings(max_examples=25, deadline=None)
@given(seeds, st.floats(0.0, 2.0), st.floats(0.0, 0.5))
def test_classification_data_has_its_margin_and_exact_label_noise(seed, margin, noise):
    n = 101
    X, y = data.classification_data(n, margin=margin, label_noise=noise, seed=seed)
    clean, _ = data.classification_data(n, margin=margin, label_noise=0.0, seed=seed)
    assert X.shape == (n, 2) and set(np.unique(y)) <= {-1, 1}
    np.testing.assert_array_equal(X, clean)
    u = np.array([1.0, 1.0]) / np.sqrt(2)
    truth = np.where(X @ u >= 0, 1, -1)
    assert np.sum(truth != y) == round(noise * n)
    assert np.all(np.abs(X @ u) >= margin / 2 - 1e-12)


def test_generators_are_reproducible_from_a_seed():
    for gen in (data.linear_data, data.classification_data, data.wiggly_function_data):
        a, b, c = gen(seed=7), gen(seed=7), gen(seed=8)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        assert not np.array_equal(a[0], c[0])
    rng = np.random.default_rng(3)
    assert data.linear_data(5, seed=rng)[0].shape == (5,)


def test_wiggly_data_is_sorted_and_its_noise_has_the_stated_spread():
    x, y = data.wiggly_function_data(20000, seed=0, noise=0.2)
    assert np.all(np.diff(x) >= 0) and x.min() >= -1 and x.max() <= 1
    resid = y - (np.sin(2 * np.pi * x) + 0.5 * x)
    assert np.std(resid) == pytest.approx(0.2, rel=0.03)
    assert abs(np.mean(resid)) < 4 * 0.2 / np.sqrt(20000)


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: data.linear_data(0), ValueError, "n must be >= 1"),
        (lambda: data.linear_data(5, noise=-1.0), ValueError, "noise must be non-negative"),
        (lambda: data.linear_data(5, seed="x"), TypeError, "seed must be"),
        (lambda: data.classification_data(5, label_noise=1.5), ValueError, "label_noise"),
        (lambda: data.classification_data(5, margin=-0.1), ValueError, "margin"),
        (lambda: data.wiggly_function_data(2.5), TypeError, "n must be an integer"),
    ],
)
def test_bad_input_is_reported_by_name(call, err, match):
    with pytest.raises(err, match=match):
        call()
