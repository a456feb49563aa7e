"""The LNP helpers: receptive fields, the synthetic recording and its truth, validation, demos."""

import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.io
from scipy.optimize import minimize
from sklearn.linear_model import Lasso

from conftest import REPO
from helpers.lnp import (
    FILE_NAME,
    FRAME_SHAPE,
    biphasic_kernel,
    binary_frames,
    center_surround_rf,
    check_counts_and_stimulus,
    check_filter,
    check_spike_data,
    fit_quality,
    gaussian_rf,
    generate_dataset,
    lasso_demo,
    ml_fit_demo,
    orient_components,
    plot_binning,
    plot_lag_filters,
    plot_ml_vs_lasso,
    plot_rate_vs_counts,
    plot_rf,
    plot_space_time,
    quality_vs_n_bins,
    rf_correlation,
    true_receptive_field,
    write_dataset,
)

matplotlib.use("Agg")
SHIPPED = REPO / "source" / "lnp" / FILE_NAME


# Independent solutions of the exercises, to drive the helpers and check the data set.
def _sample(w, nT, dt, R, v, random_state=None):
    rng = np.random.RandomState(random_state)
    s = np.sqrt(v) * (2.0 * rng.randint(0, 2, size=(nT, np.size(w))) - 1)
    r = np.exp(s @ np.ravel(w)) * dt * R
    return rng.poisson(r), r, s


def _nll(w, c, s, dt, R):
    u = s @ w
    r = np.exp(u) * dt * R
    return np.sum(r) - c @ u, s.T @ (r - c)


def _fit(c, s, dt=0.1, R=50):
    with np.errstate(over="ignore"):
        return minimize(_nll, np.zeros(s.shape[1]), args=(np.asarray(c, float), s, dt, R), jac=True,
                        method="L-BFGS-B").x


def _lasso_lags(c, s, lags=range(5), alpha=0.1):
    return np.column_stack([Lasso(alpha=alpha).fit(s[:len(c) - k], c[k:]).coef_ for k in lags])


def _recording():
    data = scipy.io.loadmat(SHIPPED)
    spikes = data["DN_spiketimes"].ravel()
    triggers = data["DN_triggertimes"].ravel()
    stim = data["DN_stim"].T.astype(float)
    counts = np.array([np.sum((spikes >= a) & (spikes < b)) for a, b in zip(triggers[:-1], triggers[1:])])
    return spikes, triggers, stim, counts


@pytest.fixture(scope="module")
def recovered():
    spikes, triggers, stim, counts = _recording()
    dt = np.mean(np.diff(triggers))
    W = np.column_stack([_fit(counts[k:], stim[:len(stim) - k], dt, 50) for k in range(5)])
    U, _, Vt = np.linalg.svd(W - W.mean(), full_matrices=False)
    return W, U[:, 0], Vt[0], _lasso_lags(counts, stim, alpha=0.1)


# --- receptive fields and stimuli -------------------------------------------------------

def test_gaussian_rf_has_unit_norm_and_peaks_at_its_centre():
    w = gaussian_rf(15, width=7, center=(1, 1))
    assert w.shape == (15, 15)
    assert np.linalg.norm(w) == pytest.approx(1.0)
    assert np.unravel_index(np.argmax(w), w.shape) == (8, 8)
    assert np.all(w > 0)


def test_gaussian_rf_rejects_bad_arguments():
    with pytest.raises(ValueError, match="width must be a positive"):
        gaussian_rf(15, width=0)
    with pytest.raises(ValueError, match="center must be a pair"):
        gaussian_rf(15, center=(1, 2, 3))
    with pytest.raises(ValueError, match="size must be"):
        gaussian_rf(0)


def test_center_surround_rf_is_on_centre_off_surround():
    rf = center_surround_rf((20, 15))
    assert np.linalg.norm(rf) == pytest.approx(1.0)
    assert rf[9:11, 7].min() > 0 and rf.min() < 0
    assert rf[0, 0] < 0 or abs(rf[0, 0]) < 1e-3


def test_biphasic_kernel_is_positive_then_negative():
    kernel = biphasic_kernel(5)
    assert np.linalg.norm(kernel) == pytest.approx(1.0)
    assert np.argmax(kernel) in (1, 2) and kernel[-1] < 0


def test_binary_frames_are_balanced_zeros_and_ones():
    frames = binary_frames(2000, 30, random_state=0)
    assert frames.shape == (30, 2000) and frames.dtype == np.uint8
    assert set(np.unique(frames)) == {0, 1}
    assert abs(frames.mean() - 0.5) < 0.01


# --- the synthetic recording ---------------------------------------------------------

def test_shipped_file_equals_a_fresh_generation(tmp_path):
    shipped = scipy.io.loadmat(SHIPPED)
    fresh = scipy.io.loadmat(write_dataset(tmp_path))
    for name in ("DN_stim", "DN_triggertimes", "DN_spiketimes"):
        assert shipped[name].dtype == fresh[name].dtype
        np.testing.assert_array_equal(shipped[name], fresh[name], err_msg=name)


def test_another_seed_gives_another_recording():
    a, b = generate_dataset(1), generate_dataset(2)
    assert not np.array_equal(a["DN_stim"], b["DN_stim"])


def test_recording_has_the_format_of_the_lab():
    data = scipy.io.loadmat(SHIPPED)
    assert data["DN_stim"].shape == (300, 1500) and data["DN_stim"].dtype == np.uint8
    assert set(np.unique(data["DN_stim"])) == {0, 1}
    triggers = data["DN_triggertimes"].ravel()
    assert triggers.size == 1501
    intervals = np.diff(triggers)
    assert np.all(intervals > 0)
    assert intervals.std() > 0.005, "frame intervals should be irregular"
    assert np.sum(intervals > 0.15) > 5, "a few dropped frames last about twice as long"
    assert np.prod(FRAME_SHAPE) == 300


def test_spikes_fall_inside_frames_and_around_the_movie():
    spikes, triggers, _, counts = _recording()
    assert np.all(np.diff(spikes) >= 0)
    assert np.sum(spikes < triggers[0]) > 10 and np.sum(spikes > triggers[-1]) > 5
    assert not np.any(np.isin(spikes, triggers)), "no spike exactly on a frame edge"
    assert counts.sum() + np.sum(spikes < triggers[0]) + np.sum(spikes >= triggers[-1]) == spikes.size
    assert 2 < counts.mean() < 5


def test_lag_fits_recover_the_true_filters(recovered):
    W = recovered[0]
    spatial, temporal = true_receptive_field()
    truth = np.outer(spatial, temporal)
    corrs = [rf_correlation(W[:, k], truth[:, k]) for k in range(5)]
    # lag 0 carries almost no signal (|kernel| 0.08); the others are recovered
    assert min(corrs[1:]) > 0.5
    assert corrs == pytest.approx([0.098, 0.654, 0.559, 0.614, 0.623], abs=2e-3)  # printed in the notebook


def test_svd_components_recover_space_and_time(recovered):
    _, u, v, _ = recovered
    spatial, temporal = true_receptive_field()
    u, v = orient_components(u, v)
    assert rf_correlation(u, spatial) == pytest.approx(0.833, abs=2e-3)   # stated in the notebook
    assert rf_correlation(v, temporal) == pytest.approx(0.998, abs=2e-3)
    assert rf_correlation(u, spatial) > 0.8


def test_lasso_beats_maximum_likelihood_on_the_recording(recovered):
    W, _, _, W_lasso = recovered
    spatial, temporal = true_receptive_field()
    truth = np.outer(spatial, temporal)
    ml, lasso = rf_correlation(W - W.mean(axis=0), truth), rf_correlation(W_lasso, truth)
    assert (ml, lasso) == pytest.approx((0.561, 0.828), abs=2e-3)  # printed in the notebook
    assert lasso > ml + 0.2


# --- validation ------------------------------------------------------------------------

def test_filter_of_the_wrong_length_is_rejected():
    with pytest.raises(ValueError, match="w must have 225 entries"):
        check_filter(np.ones(224), 225)
    with pytest.raises(ValueError, match="w must have 300 entries"):
        plot_rf(np.ones(225), FRAME_SHAPE)


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="c must hold spike counts >= 0"):
        check_counts_and_stimulus([1, -1, 2], np.ones((3, 4)))


def test_fractional_counts_are_rejected():
    with pytest.raises(ValueError, match="whole spike counts"):
        check_counts_and_stimulus([1, 0.5, 2], np.ones((3, 4)))


def test_counts_and_stimulus_of_different_lengths_are_rejected():
    with pytest.raises(ValueError, match="same number of time bins"):
        check_counts_and_stimulus([1, 2], np.ones((3, 4)))


def test_unsorted_trigger_times_are_rejected():
    with pytest.raises(ValueError, match="trigger_times must be strictly increasing"):
        check_spike_data([0.5], [0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="trigger_times needs at least 2"):
        check_spike_data([0.5], [0.0])


def test_rate_and_counts_of_different_lengths_are_rejected():
    with pytest.raises(ValueError, match="same length"):
        plot_rate_vs_counts([1.0, 2.0], [1])


def test_rf_correlation_and_orientation():
    a = np.arange(6.0)
    assert rf_correlation(a, 2 * a + 1) == pytest.approx(1.0)
    assert rf_correlation(a, -a) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="same size"):
        rf_correlation(a, a[:5])
    u, v = orient_components(np.array([0.1, -3.0, 0.5]), np.array([1.0, -2.0]))
    assert u[1] > 0 and np.linalg.norm(u) == pytest.approx(1.0)
    np.testing.assert_allclose(np.outer(u, v), np.outer([0.1, -3.0, 0.5], [1.0, -2.0]) / (np.sqrt(9.26) * np.sqrt(5)))
    with pytest.raises(ValueError, match="all zeros"):
        orient_components(np.zeros(3), np.ones(2))


# --- plots ------------------------------------------------------------------------------

def test_plots_return_their_axes():
    fig, axes = plt.subplots(2, 5)
    returned = plot_lag_filters(np.ones((300, 5)), FRAME_SHAPE, axes=axes[0])
    assert list(returned) == list(axes[0])
    plot_ml_vs_lasso(np.ones((300, 5)), np.zeros((300, 5)), FRAME_SHAPE, axes=axes)
    assert axes[1, 0].get_title() == "Lasso, lag 0"
    axes2 = plot_space_time(np.ones(300), np.arange(5.0), FRAME_SHAPE, truth=(np.ones(300), np.ones(5)))
    assert len(axes2[1].lines) >= 2
    ax = plot_binning([0.2, 0.7, 1.1], [0.0, 1.0, 2.0], counts=[2, 1])
    assert [t.get_text() for t in ax.texts] == ["2", "1"]
    plt.close("all")


def test_lag_filters_need_one_row_per_pixel():
    with pytest.raises(ValueError, match="W must have 300 rows"):
        plot_lag_filters(np.ones((299, 5)), FRAME_SHAPE)


# --- demos ------------------------------------------------------------------------------

def test_fit_quality_improves_with_more_bins():
    w = gaussian_rf(8, width=4).ravel()
    quality = quality_vs_n_bins(_sample, _fit, w, [200, 3000], R=50, dt=0.1, v=1.0)
    assert quality[1] > 0.97 and quality[1] > quality[0]


def test_fit_quality_checks_the_fitted_filter():
    w = gaussian_rf(5, width=2).ravel()
    with pytest.raises(ValueError, match="the fitted filter must have 25 entries"):
        fit_quality(_sample, lambda c, s, dt, R: np.zeros(3), w, 100)
    with pytest.raises(TypeError, match="fit_func must be a function"):
        fit_quality(_sample, None, w, 100)


def test_ml_demo_refits_when_a_slider_moves():
    w = gaussian_rf(8, width=4).ravel()
    demo = ml_fit_demo(_sample, _fit, w, image_shape=(8, 8), n_bins_options=(200, 2000), R_options=(10, 50))
    before_title = demo.figure.get_suptitle()
    before_image = demo.figure.axes[1].images[0].get_array().copy()
    demo.controls["n_bins"].value = 2000
    assert demo.figure.get_suptitle() != before_title
    assert "2000 bins" in demo.figure.get_suptitle()
    assert not np.array_equal(demo.figure.axes[1].images[0].get_array(), before_image)
    demo.controls["R"].value = 10
    assert "R = 10" in demo.figure.get_suptitle()


def test_ml_demo_rejects_a_filter_of_the_wrong_size():
    with pytest.raises(ValueError, match="w must have 225 entries"):
        ml_fit_demo(_sample, _fit, np.ones(100))


def test_lasso_demo_follows_alpha():
    rng = np.random.RandomState(0)
    s = rng.randint(0, 2, size=(600, 300)).astype(float)
    c = rng.poisson(1 + 2 * s[:, 10])
    W_ml = rng.normal(size=(300, 5))
    demo = lasso_demo(_lasso_lags, c, s, W_ml, truth=W_ml, alpha=0.01)
    dense = int(re.search(r"(\d+) of 1500", demo.figure.get_suptitle()).group(1))
    demo.controls["alpha"].value = 0.5
    sparse = int(re.search(r"(\d+) of 1500", demo.figure.get_suptitle()).group(1))
    assert sparse < dense
    assert "corr. with truth" in demo.figure.get_suptitle()


def test_lasso_demo_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="same number of time bins"):
        lasso_demo(_lasso_lags, np.ones(10), np.ones((12, 300)), np.ones((300, 5)))
    with pytest.raises(ValueError, match="W_ml must have shape"):
        lasso_demo(_lasso_lags, np.ones(12), np.ones((12, 300)), np.ones((300, 4)))


# --- the notebook states what the tests assert ----------------------------------------------

def test_notebook_prints_the_recovery_it_claims(executed_notebook):
    notebook = executed_notebook("lnp", "lnp.ipynb")
    out = {c.metadata["nbgrader"]["grade_id"]: "".join(o.get("text", "") for o in c.outputs
                                                       if o.output_type == "stream")
           for c in notebook.cells if c.cell_type == "code"}
    assert "correlation of the fitted and the true RF: 0.988" in out["exercise3_plot"]
    assert "lags 0-4: 0.098, 0.654, 0.559, 0.614, 0.623" in out["exercise6_plot"]
    assert "spatial component vs truth:  0.833" in out["exercise6_plot"]
    assert "temporal component vs truth: 0.998" in out["exercise6_plot"]
    assert "ML 0.561, Lasso 0.828" in out["exercise7_plot"]
    assert all(o.output_type != "error" for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
