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
    (lambda: _regressors().tr_times(5, tr="2"), "tr must be a number"),
    (lambda: _lnp().plot_binning([0.5], [0.0, 1.0], n_frames=2.5), "n_frames must be an integer"),
    (lambda: _mei().select_neurons([0.9], [1.0], min_oracle="0.5"), "min_oracle must be a number"),
    (lambda: _mei().gabor_parameter_grid(wavelengths=("6",)), "wavelengths must be a positive number"),
    (lambda: _toy_models().ConstantModel(1.5), "n_neurons must be an integer"),
    (lambda: _mei().mei_demo(len, None, [0.0], ["a"], np.zeros((1, 4, 4)), (4, 4)), "units must be an integer"),
]


def _regressors():
    import helpers.regressors as module
    return module


def _lnp():
    import helpers.lnp as module
    return module


def _mei():
    import helpers.mei as module
    return module


def _toy_models():
    import helpers.mei.toy_models as module
    return module


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


def test_image_shape_is_the_name_and_the_old_shape_is_gone():
    # The notebook now passes image_shape; the old name shape is no longer accepted.
    import matplotlib.pyplot as plt

    w = gaussian_rf(4, width=2).ravel()
    demo = ml_fit_demo(_fake_sample, _fake_fit, w, image_shape=(4, 4), n_bins_options=(200,), R_options=(50,))
    assert "correlation" in demo.figure.get_suptitle()
    with pytest.raises(TypeError, match="shape"):
        ml_fit_demo(_fake_sample, _fake_fit, w, shape=(4, 4))
    with pytest.raises(TypeError, match="shape"):
        lasso_demo(len, np.ones(3), np.ones((3, 2)), np.ones((2, 5)), shape=(1, 2))
    plt.close("all")


@pytest.mark.parametrize("subpackage", ["correlations", "lnp", "regressors", "mei"])
def test_all_lists_public_names_and_no_submodules(subpackage):
    import importlib
    import types

    module = importlib.import_module(f"helpers.{subpackage}")
    assert module.__all__, "__all__ must not be empty"
    for name in module.__all__:
        assert not name.startswith("_")
        assert not isinstance(getattr(module, name), types.ModuleType), f"{name} is a submodule"
    public_functions = {name for name, value in vars(module).items()
                        if callable(value) and not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public_functions <= set(module.__all__)


def test_train_model_takes_random_state_and_leaves_torch_global_generator_alone():
    import torch

    rng = np.random.RandomState(0)
    images, responses = rng.normal(size=(32, 10, 12)), rng.poisson(2.0, size=(3, 32)).astype(float)

    def loss(predicted, observed):
        return (predicted - observed * torch.log(predicted + 1e-8)).mean()

    torch.manual_seed(123)
    before = torch.get_rng_state()
    model, history = train_model(images, responses, loss, n_epochs=1, batch_size=16, random_state=3)
    assert torch.equal(torch.get_rng_state(), before), "train_model changed torch's global generator"
    # the notebook still passes seed=: the deprecated alias gives the same model
    old, old_history = train_model(images, responses, loss, n_epochs=1, batch_size=16, seed=3)
    assert history == old_history
    assert all(torch.equal(model.state_dict()[k], old.state_dict()[k]) for k in model.state_dict())
    with pytest.raises(TypeError, match="give random_state only"):
        train_model(images, responses, loss, n_epochs=1, random_state=1, seed=3)


def _source_files():
    from pathlib import Path

    import helpers

    return sorted(Path(helpers.__file__).parent.rglob("*.py"))


def _dotted(node):
    import ast

    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else "?"


FORBIDDEN_CALLS = {"matplotlib.use", "mpl.use", "torch.manual_seed", "torch.seed", "np.random.seed", "numpy.random.seed",
                   "plt.gca", "plt.show", "plt.switch_backend"}


def test_library_code_does_not_change_global_state_or_copy_the_axes_helper():
    import ast

    offenders = []
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _dotted(node.func) in FORBIDDEN_CALLS:
                offenders.append(f"{path.name}:{node.lineno} {_dotted(node.func)}()")
            if isinstance(node, ast.FunctionDef) and node.name == "_axes":
                offenders.append(f"{path.name}:{node.lineno} a copy of _axes (use helpers.plotting.get_axes)")
    assert not offenders, offenders


def test_plots_without_an_ax_draw_on_a_new_figure_not_the_current_one():
    import matplotlib.pyplot as plt

    from helpers.correlations import plot_connectivity_matrix
    from helpers.lnp import plot_binning, plot_counts, plot_stimulus_frame
    from helpers.mei import plot_image_grid, show_image
    from helpers.regressors import plot_design

    current, current_ax = plt.subplots()
    drawn = [plot_rf(np.arange(6.0), (2, 3)), plot_stimulus_frame(np.ones(6), (2, 3)), plot_counts([1, 0, 2], 0.1),
             plot_binning([0.5], [0.0, 1.0]), plot_connectivity_matrix(np.eye(2)), plot_design(np.eye(2)),
             show_image(np.eye(3))]
    assert all(ax.figure is not current for ax in drawn)
    assert not current_ax.has_data()
    # and every plot takes an ax to draw into
    fig, axes = plt.subplots(1, 4)
    assert plot_rf(np.arange(6.0), (2, 3), ax=axes[0]) is axes[0]
    assert plot_image_grid(np.zeros((3, 4, 4)), axes=axes[1:]) is fig
    with pytest.raises(ValueError, match="at least one panel per image"):
        plot_image_grid(np.zeros((3, 4, 4)), axes=axes[:2])
    plt.close("all")
