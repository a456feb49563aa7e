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
