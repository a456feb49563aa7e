"""The correlated-regressors helpers: reference numbers, exact draws, validation, plots, demo.

The graded functions (HRF, fit, predicted sd, orthogonalization) are not in the
helpers, so these tests carry their own minimal versions, written differently
from the notebook's model answers.
"""

import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from scipy.special import gammaln

from conftest import reference_answers

from helpers.regressors import (
    check_contrast,
    check_data,
    check_design,
    design_matrix,
    estimate_summary,
    fit_all,
    mean_center,
    plot_data,
    plot_design,
    plot_estimate_histogram,
    plot_estimate_scatter,
    plot_regressors,
    plot_sd_vs_shift,
    regressor_correlation,
    shift_demo,
    shift_experiment,
    shifted_regressors,
    simulate_data,
    simulated_sd,
    tr_times,
    unit_contrast,
)

matplotlib.use("Agg")
REPO = Path(__file__).resolve().parent.parent


def hrf(times):
    times = np.asarray(times, dtype=float)
    t = np.where(times > 0, times, 1.0)
    values = np.exp(5 * np.log(t) - t - gammaln(6)) - 0.35 * np.exp(11 * np.log(t) - t - gammaln(12))
    values = np.where(times > 0, values, 0.0)
    return values / values.sum()


# The notebook's reference answers to Exercises 2 and 3: the reference numbers
# below are what they compute.
REFERENCE = reference_answers("correlated_regressors", "fit_betas", "predicted_sd")
fit = REFERENCE["fit_betas"]
sd = REFERENCE["predicted_sd"]


@pytest.fixture(scope="module")
def tutorial():
    """Everything the notebook computes, in the notebook's order of draws."""
    times = tr_times()
    hrf1, hrf2 = shifted_regressors(hrf, times, 2.0)
    rng = np.random.RandomState(42)
    Y = simulate_data(hrf1 + hrf2, random_state=rng)
    Ys = simulate_data(hrf1 + hrf2, n_samples=10_000, random_state=rng)
    X_one, X_both = design_matrix(hrf1), design_matrix(hrf1, hrf2)
    coefficient = float(np.linalg.lstsq(hrf1[:, None], hrf2, rcond=None)[0][0])
    X_orth = design_matrix(hrf1, hrf2 - coefficient * hrf1)
    return dict(times=times, hrf1=hrf1, hrf2=hrf2, Y=Y, Ys=Ys, X_one=X_one, X_both=X_both,
                X_orth=X_orth, coefficient=coefficient, B_one=fit_all(fit, X_one, Ys),
                B_both=fit_all(fit, X_both, Ys), B_orth=fit_all(fit, X_orth, Ys))


# ---- reference numbers (../shared/reference-numbers.md), to their printed precision

def test_regressor_correlation_is_0_7023(tutorial):
    assert regressor_correlation(tutorial["hrf1"], tutorial["hrf2"]) == pytest.approx(0.7023, abs=5e-5)


def test_single_model_hrf1_parameter_mean_and_sd(tutorial):
    means, sds, _ = estimate_summary(tutorial["B_one"])
    assert sds[0] == pytest.approx(1.47669405469, abs=5e-12)
    assert means[0] == pytest.approx(1.68134012906, abs=5e-12)


def test_single_model_first_five_hrf1_parameters(tutorial):
    np.testing.assert_allclose(tutorial["B_one"][0, :5], [2.5395, -1.7854, 0.1398, 1.6884, 4.5348], atol=5e-5)


def test_predicted_sds_of_the_hrf1_parameter(tutorial):
    assert sd(tutorial["X_one"], unit_contrast(0, 2)) == pytest.approx(1.485, abs=5e-4)
    assert sd(tutorial["X_both"], unit_contrast(0, 3)) == pytest.approx(2.0861, abs=5e-5)
    assert sd(tutorial["X_orth"], unit_contrast(0, 3)) == pytest.approx(1.485, abs=5e-4)


def test_both_model_means_sds_and_anticorrelation(tutorial):
    means, sds, corr = estimate_summary(tutorial["B_both"])
    assert (means[0], sds[0]) == pytest.approx((0.968933589198, 2.08274190893), abs=5e-12)
    assert (means[1], sds[1]) == pytest.approx((1.01451944676, 2.08038932821), abs=5e-12)
    assert corr[0, 1] == pytest.approx(-0.7052, abs=5e-5)
    assert simulated_sd(tutorial["B_both"], [1, 0, 0]) == pytest.approx(2.08274190893, abs=5e-12)


def test_orthogonalization_numbers(tutorial):
    assert tutorial["coefficient"] == pytest.approx(0.7022, abs=5e-5)
    B_both, B_orth = tutorial["B_both"], tutorial["B_orth"]
    assert np.corrcoef(B_both[0], B_orth[0])[0, 1] == pytest.approx(0.7128, abs=5e-5)
    assert estimate_summary(B_orth)[2][0, 1] == pytest.approx(-0.0053, abs=5e-5)
    np.testing.assert_allclose(B_orth[0], tutorial["B_one"][0], atol=1e-10)
    np.testing.assert_allclose(B_orth[1], B_both[1], atol=1e-10)


def test_notebook_prints_every_reference_number(executed_notebook):
    """Runs the instructor notebook (model answers) and reads its printed output."""
    notebook = executed_notebook("correlated_regressors", "correlated_regressors.ipynb")
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                   for o in c.outputs if o.output_type == "stream" and o.name == "stdout")

    def number(pattern):
        match = re.search(pattern + r"\s*=?\s*([-0-9.]+)(?:, ([-0-9.]+))?", text)
        assert match, f"not printed: {pattern}"
        return [float(g) for g in match.groups() if g is not None]

    assert number(r"corr\(hrf1, hrf2\) =") == [0.7023]
    assert number(r"single model, hrf1 parameter: sd =") == [1.47669405469]
    assert number(r"single model, hrf1 parameter: mean =") == [1.68134012906]
    assert number(r"single model, hrf1 parameter: predicted sd =") == [1.485]
    assert number(r"both model, hrf1 parameter: mean, sd =") == [0.968933589198, 2.08274190893]
    assert number(r"both model, hrf1 parameter: predicted sd =") == [2.0861]
    assert number(r"both model, hrf2 parameter: mean, sd =") == [1.01451944676, 2.08038932821]
    assert number(r"both model: corr\(hrf1 parameter, hrf2 parameter\) =") == [-0.7052]
    assert number(r"coefficient of hrf1 in hrf2 =") == [0.7022]
    assert number(r"corr\(both-model hrf1 parameter, orth-model hrf1 parameter\) =") == [0.7128]
    assert number(r"orth model: corr\(hrf1 parameter, orthogonalized hrf2 parameter\) =") == [-0.0053]
    five = re.search(r"first five hrf1 parameters, single model: \[([^\]]*)\]", text).group(1)
    assert [float(v) for v in five.split()] == [2.5395, -1.7854, 0.1398, 1.6884, 4.5348]
    stderr = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")]
    assert stderr == []


# ---- exact draws and design construction

def test_draws_match_the_global_seed_in_the_same_order():
    signal = np.linspace(-1, 1, 15)
    np.random.seed(42)
    first, many = np.random.normal(size=15), np.random.normal(size=(15, 10_000))
    rng = np.random.RandomState(42)
    np.testing.assert_array_equal(simulate_data(signal, random_state=rng), signal + first)
    np.testing.assert_array_equal(simulate_data(signal, n_samples=10_000, random_state=rng),
                                  signal[:, None] + many)


def test_simulation_leaves_the_global_generator_alone():
    np.random.seed(1)
    expected = np.random.normal()
    np.random.seed(1)
    simulate_data(np.zeros(5), n_samples=10, random_state=3)
    assert np.random.normal() == expected


def test_noise_sd_scales_the_noise():
    Ys = simulate_data(np.zeros(20), n_samples=5000, noise_sd=3.0, random_state=0)
    assert Ys.std() == pytest.approx(3.0, rel=0.02)


def test_tr_times_default_is_the_tutorial_run():
    np.testing.assert_array_equal(tr_times(), np.arange(0, 30, 2))
    np.testing.assert_allclose(tr_times(4, tr=2.5, start=-1), [-1, 1.5, 4, 6.5])


def test_design_matrix_stacks_columns_and_adds_the_mean():
    X = design_matrix([1, 2, 3], [0, 1, 0])
    np.testing.assert_array_equal(X, [[1, 0, 1], [2, 1, 1], [3, 0, 1]])
    assert design_matrix([1, 2, 3], intercept=False).shape == (3, 1)


def test_shifted_regressors_are_mean_centred_and_delayed():
    times = tr_times()
    first, second = shifted_regressors(hrf, times, 4.0)
    assert abs(first.mean()) < 1e-15 and abs(second.mean()) < 1e-15
    np.testing.assert_allclose(first, hrf(times) - hrf(times).mean())
    np.testing.assert_allclose(second, hrf(times - 4) - hrf(times - 4).mean())
    # nothing happens before the second event (t <= 4 s): constant after centring
    assert second[0] == second[1] == second[2] < second[3]


def test_estimate_summary_matches_numpy():
    B = np.random.RandomState(0).normal(size=(3, 500))
    means, sds, corr = estimate_summary(B)
    np.testing.assert_allclose(means, B.mean(axis=1))
    np.testing.assert_allclose(sds, B.std(axis=1))
    np.testing.assert_allclose(corr, np.corrcoef(B), atol=1e-12)


def test_fit_all_calls_the_fit_once_for_all_samples():
    calls = []

    def counting_fit(X, Y):
        calls.append(Y.shape)
        return fit(X, Y)

    B = fit_all(counting_fit, design_matrix(np.arange(6.0)), np.ones((6, 40)))
    assert calls == [(6, 40)] and B.shape == (2, 40)


# ---- the sweep behind the demo

def test_shift_experiment_prediction_matches_simulation():
    result = shift_experiment(2.0, hrf, fit, sd, n_samples=20_000, random_state=1)
    np.testing.assert_allclose(result["simulated_sd"], result["predicted_sd"], rtol=0.03)
    assert result["regressor_corr"] == pytest.approx(0.7023, abs=5e-5)
    assert result["estimate_corr"] < -0.6


def test_variance_grows_as_the_events_get_closer():
    # below 5 s (beyond it the regressors become anti-correlated and it is not monotonic)
    predicted = [shift_experiment(s, hrf, fit, sd, n_samples=100)["predicted_sd"][0] for s in (5, 4, 3, 2, 1, 0.5)]
    assert np.all(np.diff(predicted) > 0)


# ---- validation: clear errors that name the argument

@pytest.mark.parametrize("call, message", [
    (lambda: check_design(np.ones((2, 3))), "X must have at least as many rows"),
    (lambda: design_matrix([1, 2, 3], [1, 2]), "same length"),
    (lambda: design_matrix([1, np.nan, 3]), "finite"),
    (lambda: check_data(np.ones(4), 5), "Y must have one row per scan"),
    (lambda: fit_all(fit, np.ones((5, 2)), np.ones((4, 3))), "Y must have one row per scan"),
    (lambda: check_contrast([1, 0], 3), "contrast must have one weight per column"),
    (lambda: simulated_sd(np.ones((3, 10)), [1, 0]), "contrast must have one weight per column"),
    (lambda: simulate_data([0.0, np.inf]), "signal must contain only finite values"),
    (lambda: simulate_data(np.zeros(3), noise_sd=0), "noise_sd must be a positive"),
    (lambda: tr_times(5, tr=0), "tr must be a positive"),
    (lambda: unit_contrast(3, 3), "index must be below"),
    (lambda: mean_center([]), "must not be empty"),
    (lambda: regressor_correlation([1, 2], [1, 2, 3]), "same length"),
    (lambda: fit_all(lambda X, Y: np.ones(3), np.ones((5, 2)), np.ones((5, 3))), r"must return shape \(2, 3\)"),
    (lambda: shift_experiment(0.0, hrf, fit, sd), "shift must be a positive"),
    # a step "HRF": delayed beyond the run, the second regressor is constant, then zero
    (lambda: shift_experiment(40.0, lambda t: (t > 0) + 1.0, fit, sd), "cannot be told apart"),
])
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_functions_must_be_callable():
    with pytest.raises(TypeError, match="fit must be a function"):
        fit_all("lstsq", np.ones((3, 2)), np.ones(3))
    with pytest.raises(TypeError, match="predicted_sd must be a function"):
        shift_demo(hrf, fit, 1.0)


# ---- plots

def test_plots_return_their_axes_and_label_the_data(tutorial):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3)
    assert plot_regressors(tutorial["times"], [tutorial["hrf1"], tutorial["hrf2"]], ["a", "b"], ax=axes[0, 0]) is axes[0, 0]
    assert len(axes[0, 0].lines) == 3  # two regressors and the zero line
    assert plot_data(tutorial["times"], tutorial["hrf1"], tutorial["Y"], ax=axes[0, 1]) is axes[0, 1]
    assert plot_design(tutorial["X_both"], ax=axes[0, 2], title="X").images[0].get_array().shape == (15, 3)
    ax = plot_estimate_histogram(tutorial["B_one"][0], ax=axes[1, 0], predicted_sd=1.485)
    assert ax.get_title() == "mean 1.681, sd 1.477"
    ax = plot_estimate_scatter(tutorial["B_both"][0], tutorial["B_both"][1], ax=axes[1, 1])
    assert ax.get_title() == "correlation -0.7052"
    assert len(ax.lines[0].get_xdata()) == 1000
    assert plot_sd_vs_shift([1, 2, 3], [3, 2, 1], simulated=(2, 2.1), ax=axes[1, 2], current=2) is axes[1, 2]
    plt.close(fig)
    with pytest.raises(ValueError, match="labels must have one entry"):
        plot_regressors([0, 1], [[0, 1]], labels=["a", "b"])


# ---- the interactive demo

def test_shift_slider_recomputes_the_figure_and_title():
    demo = shift_demo(hrf, fit, sd, n_samples=2000)
    slider = demo.controls["shift"]
    assert slider.value == 2.0
    first_title = demo.figure.get_suptitle()
    first_line = demo.figure.axes[0].lines[1].get_ydata().copy()
    slider.value = 6.0
    expected = shift_experiment(6.0, hrf, fit, sd, n_samples=2000, random_state=0)
    title = demo.figure.get_suptitle()
    assert title != first_title
    assert title.startswith("shift 6 s:")
    assert f"predicted {expected['predicted_sd'][0]:.3f} / {expected['predicted_sd'][1]:.3f}" in title
    assert f"simulated {expected['simulated_sd'][0]:.3f} / {expected['simulated_sd'][1]:.3f}" in title
    assert f"correlation of the estimates {expected['estimate_corr']:.3f}" in title
    assert not np.allclose(demo.figure.axes[0].lines[1].get_ydata(), first_line)
    np.testing.assert_allclose(demo.figure.axes[1].lines[0].get_xdata(), expected["B"][0, :1000])


def test_demo_uses_the_students_functions():
    calls = {"fit": 0, "sd": 0}

    def student_fit(X, Y):
        calls["fit"] += 1
        return fit(X, Y)

    def student_sd(X, contrast):
        calls["sd"] += 1
        return sd(X, contrast)

    demo = shift_demo(hrf, student_fit, student_sd, n_samples=100)
    before = dict(calls)
    demo.controls["shift"].value = 1.0
    assert calls["fit"] == before["fit"] + 1 and calls["sd"] == before["sd"] + 2
    assert len(demo.predicted_curve) == len(demo.shifts) == 24


def test_shift_demo_layout_keeps_titles_apart_and_labels_the_log_axis_plainly():
    from figure_layout import overlapping_texts, tick_labels

    def hrf(t):
        return np.exp(-0.5 * ((np.asarray(t) - 5.0) / 2.0) ** 2)

    def fit(X, Y):
        return np.linalg.lstsq(X, Y, rcond=None)[0]

    def sd(X, contrast):
        contrast = np.asarray(contrast, dtype=float)
        return float(np.sqrt(contrast @ np.linalg.pinv(X.T @ X) @ contrast))

    demo = shift_demo(hrf, fit, sd, n_samples=300)
    for shift in (2.0, 8.0, 0.5):
        demo.controls["shift"].value = shift
        assert overlapping_texts(demo.figure) == [], shift    # the long suptitle against the panel titles
    log_axis = demo.figure.axes[2]
    labels = tick_labels(log_axis, "y")
    assert labels and all(re.fullmatch(r"[0-9.]+", label) for label in labels), labels   # not 2x10^0


@pytest.mark.parametrize("values", [[0.9, 0.5, 0.3], [100.0, 3.0, 0.05], [7.4, 2.0, 1.5]])
def test_sd_vs_shift_log_axis_reads_as_plain_numbers(values):
    import matplotlib.pyplot as plt

    from figure_layout import tick_labels

    ax = plot_sd_vs_shift([1.0, 2.0, 4.0], values)
    labels = tick_labels(ax, "y")
    assert labels and all(re.fullmatch(r"[0-9.]+", label) for label in labels), labels
    plt.close("all")
