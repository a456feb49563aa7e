"""Conventions shared by the four helpers subpackages (issue 14).

One rule for a correlation that is undefined (NaN, documented, no warning),
one way to reject bad arguments (TypeError for a wrong type, ValueError for a
wrong value), one name for each idea, and no change of global state.
"""

import warnings

import numpy as np
import pytest

from helpers.correlations import matrix_correlation
from helpers.lnp import rf_correlation
from helpers.mei import true_oracle_correlation
from helpers.regressors import regressor_correlation
from helpers.stats import pearson_correlation

# --- 1. correlation of a constant input: NaN, without a warning ------------------------------

CONSTANT_CASES = [
    ("matrix_correlation", lambda: matrix_correlation(np.zeros((3, 3)), np.arange(9.0).reshape(3, 3))),
    ("matrix_correlation, constant estimate", lambda: matrix_correlation(np.eye(3), np.ones((3, 3)))),
    ("rf_correlation", lambda: rf_correlation(np.zeros(6), np.arange(6.0))),
    ("rf_correlation, constant truth", lambda: rf_correlation(np.arange(6.0), np.full(6, 2.0))),
    ("regressor_correlation", lambda: regressor_correlation(np.arange(5.0), np.zeros(5))),
    ("regressor_correlation, one scan", lambda: regressor_correlation([1.0], [2.0])),
    ("pearson_correlation", lambda: pearson_correlation(np.ones(4), np.arange(4.0))),
]


@pytest.mark.parametrize("name, call", CONSTANT_CASES, ids=[name for name, _ in CONSTANT_CASES])
def test_correlation_with_a_constant_input_is_nan_without_a_warning(name, call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            value = call()
    assert isinstance(value, float) and np.isnan(value), f"{name} returned {value!r}"


def test_oracle_correlation_of_a_silent_neuron_is_nan_without_a_warning():
    rates = np.array([[1.0, 3.0, 5.0], [2.0, 2.0, 2.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            oracle = true_oracle_correlation(rates, 10)
    assert oracle[1] == 0.0 and np.isnan(oracle[2]) and 0 < oracle[0] < 1


@pytest.mark.parametrize("function", [matrix_correlation, rf_correlation, regressor_correlation])
def test_every_correlation_documents_the_nan_rule(function):
    doc = " ".join(function.__doc__.split())
    assert "NaN, without a warning" in doc


@pytest.mark.parametrize("function", [rf_correlation, regressor_correlation, pearson_correlation])
def test_correlations_agree_with_numpy_when_defined(function):
    rng = np.random.RandomState(0)
    a, b = rng.normal(size=20), rng.normal(size=20)
    assert function(a, b) == pytest.approx(np.corrcoef(a, b)[0, 1], abs=1e-12)
    assert matrix_correlation(a.reshape(4, 5), b.reshape(4, 5)) == pytest.approx(np.corrcoef(a, b)[0, 1])


# --- 2. wrong types raise TypeError, wrong values ValueError; messages say what was expected ---

from helpers.correlations import coarse_graining_demo, create_connectivity, quality_vs_coarseness, quality_vs_n_neurons  # noqa: E402
from helpers.lnp import biphasic_kernel, center_surround_rf, fit_quality, gaussian_rf, lasso_demo, ml_fit_demo, plot_rf  # noqa: E402
from helpers.mei import best_mei, gabor_bank, mei_demo, natural_images, pink_noise, train_model  # noqa: E402
from helpers.mei.widgets import mei_step  # noqa: E402
from helpers.regressors import fit_all, shift_demo, shift_experiment, shifted_regressors, simulate_data  # noqa: E402
from helpers.widgets import figure_demo  # noqa: E402

WRONG_TYPES = [
    (lambda: simulate_data(np.zeros(3), noise_sd="1"), "noise_sd must be a positive number"),
    (lambda: simulate_data(np.zeros(3), noise_sd=True), "noise_sd must be a positive number"),
    (lambda: gaussian_rf(15, width="7"), "width must be a positive number"),
    (lambda: center_surround_rf((20, 15), sigma_center="wide"), "sigma_center must be a positive number"),
    (lambda: center_surround_rf(20), "image_shape must be a pair"),
    (lambda: biphasic_kernel(5, width=None), "width must be a positive number"),
    (lambda: plot_rf(np.ones(4), "2x2"), "image_shape must be a pair"),
    (lambda: create_connectivity(5, p="0.9"), "p must be a number in"),
    (lambda: natural_images(2, contrast=0.2), "contrast must be a range"),
    (lambda: pink_noise(2, exponent="1"), "exponent must be a number"),
    (lambda: create_connectivity(4, random_state="42"), "random_state must be an int seed"),
]


@pytest.mark.parametrize("call, message", WRONG_TYPES)
def test_a_wrong_type_raises_a_type_error_that_says_what_was_expected(call, message):
    with pytest.raises(TypeError, match=message):
        call()


WRONG_VALUES = [
    (lambda: simulate_data(np.zeros(3), noise_sd=-1.0), "noise_sd must be a positive number"),
    (lambda: gaussian_rf(15, width=float("nan")), "width must be a positive number"),
    (lambda: center_surround_rf((20, 15, 3)), "image_shape must be a pair"),
    (lambda: center_surround_rf((0, 15)), r"image_shape\[0\] must be an integer >= 1"),
    (lambda: create_connectivity(5, p=1.5), r"p must be in \[0, 1\]"),
    (lambda: natural_images(2, contrast=(0.3, 0.1)), "contrast must be a range"),
]


@pytest.mark.parametrize("call, message", WRONG_VALUES)
def test_a_wrong_value_raises_a_value_error_that_says_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


NOT_CALLABLE = [
    ("estimate_connectivity", lambda f: quality_vs_n_neurons(f, [5])),
    ("coarse_corr_func", lambda f: quality_vs_coarseness(f, [2], n_neurons=4)),
    ("coarse_corr_func", lambda f: coarse_graining_demo(f, np.zeros((4, 10)), np.eye(4))),
    ("sample_func", lambda f: fit_quality(f, len, np.ones(4), 10)),
    ("fit_func", lambda f: ml_fit_demo(len, f, np.ones(4), image_shape=(2, 2))),
    ("lasso_func", lambda f: lasso_demo(f, np.ones(3), np.ones((3, 2)), np.ones((2, 5)))),
    ("fit", lambda f: fit_all(f, np.ones((3, 2)), np.ones(3))),
    ("hrf", lambda f: shifted_regressors(f, np.arange(5.0), 1.0)),
    ("predicted_sd", lambda f: shift_experiment(2.0, len, len, f)),
    ("hrf", lambda f: shift_demo(f, len, len)),
    ("loss_function", lambda f: train_model(np.zeros((4, 8, 8)), np.zeros((2, 4)), f)),
    ("create_gabor", lambda f: gabor_bank(f, [{}])),
    ("generate_mei", lambda f: best_mei(f, None, 0)),
    ("generate_mei", lambda f: mei_step(f, None, 0, 1, 0.1, 0.1, (8, 8))),
    ("generate_mei", lambda f: mei_demo(f, None, [0], ["a"], np.zeros((1, 8, 8)), (8, 8))),
    ("draw", lambda f: figure_demo(f, {})),
]


@pytest.mark.parametrize("name, call", NOT_CALLABLE, ids=[f"{name}-{i}" for i, (name, _) in enumerate(NOT_CALLABLE)])
def test_every_function_argument_is_checked_the_same_way(name, call):
    with pytest.raises(TypeError, match=rf"^{name} must be a function .*; got str 'oops'$"):
        call("oops")


# --- 3. one name for each idea ---------------------------------------------------------------

def _fake_sample(w, nT, dt, R, v, random_state=0):
    rng = np.random.RandomState(random_state)
    s = rng.normal(size=(nT, len(w)))
    r = np.exp(s @ w) * dt * R
    return rng.poisson(r), r, s


def _fake_fit(c, s, dt=0.1, R=50):
    return s.T @ (c - c.mean())


def test_image_shape_is_the_name_and_shape_a_deprecated_alias_the_notebook_still_uses():
    import matplotlib.pyplot as plt

    w = gaussian_rf(4, width=2).ravel()
    demos = [ml_fit_demo(_fake_sample, _fake_fit, w, image_shape=(4, 4), n_bins_options=(200,), R_options=(50,)),
             ml_fit_demo(_fake_sample, _fake_fit, w, shape=(4, 4), n_bins_options=(200,), R_options=(50,))]
    titles = [demo.figure.get_suptitle() for demo in demos]
    assert titles[0] == titles[1] and "correlation" in titles[0]
    with pytest.raises(TypeError, match="give image_shape only"):
        ml_fit_demo(_fake_sample, _fake_fit, w, image_shape=(2, 8), shape=(4, 4))
    plt.close("all")
