"""helpers.mei.exploration and helpers.mei.diagnostics: neuron exploration, MEI traces, starts, mask radius."""

import doctest
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from helpers.mei import diagnostics, exploration
from helpers.mei.diagnostics import (
    RecordingModel,
    mei_from_starts,
    plot_optimisation_trace,
    radial_profile,
    radius_from_profile,
    start_similarity,
)
from helpers.mei.exploration import (
    isolation_outliers,
    neuron_correlations,
    percentile_selection,
    plot_correlation_matrix,
    plot_entropy_variance,
    plot_raster,
    response_entropy,
    similarity_order,
)
from helpers.mei.toy_models import TemplateModel


@pytest.mark.parametrize("module", [exploration, diagnostics])
def test_docstring_examples_run(module):
    failures, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    plt.close("all")
    assert attempted > 0 and failures == 0


# --- exploration -------------------------------------------------------------------------------

def test_response_entropy_matches_the_definition():
    rng = np.random.RandomState(3)
    counts = rng.poisson(2.5, size=(4, 30, 7))
    for row, value in zip(counts, response_entropy(counts)):
        _, n = np.unique(row, return_counts=True)
        p = n / n.sum()
        assert value == pytest.approx(-np.sum(p * np.log(p)), abs=1e-12)
    assert response_entropy(np.full((2, 5), 3.0)).tolist() == [0.0, 0.0]


def test_response_entropy_grows_with_the_rate_and_rejects_one_axis():
    rng = np.random.RandomState(0)
    low, high = response_entropy(np.stack([rng.poisson(0.5, 5000), rng.poisson(8.0, 5000)]))
    assert high > low + 1
    with pytest.raises(ValueError, match="neuron axis"):
        response_entropy(np.arange(5.0))


def test_neuron_correlations_match_corrcoef_and_mark_constant_neurons():
    rng = np.random.RandomState(1)
    data = rng.normal(size=(6, 40))
    assert np.allclose(neuron_correlations(data), np.corrcoef(data), atol=1e-12)
    data[2] = 4.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = neuron_correlations(data)
    assert np.isnan(r[2]).all() and np.isnan(r[:, 2]).all()
    keep = [0, 1, 3, 4, 5]
    assert np.allclose(r[np.ix_(keep, keep)], np.corrcoef(data[keep]), atol=1e-12)


def test_isolation_outliers_find_the_planted_neuron_and_are_reproducible():
    rng = np.random.RandomState(5)
    features = rng.normal(size=(60, 3))
    features[17] = [9.0, -9.0, 9.0]
    outlier, score = isolation_outliers(features, random_state=0)
    assert outlier[17] and np.argmin(score) == 17
    again, score_again = isolation_outliers(features, random_state=0)
    assert np.array_equal(outlier, again) and np.array_equal(score, score_again)
    assert outlier.sum() < len(features) // 2      # "auto" flags the tails, not half the sample


def test_similarity_order_groups_correlated_neurons():
    rng = np.random.RandomState(2)
    a, b = rng.normal(size=(2, 200))
    # neurons 0, 2, 4 follow a; 1, 3, 5 follow b
    data = np.stack([a, b, a, b, a, b]) + 0.3 * rng.normal(size=(6, 200))
    order = similarity_order(neuron_correlations(data)).tolist()
    assert sorted(order) == list(range(6))
    groups = [{order[i] % 2 for i in range(0, 3)}, {order[i] % 2 for i in range(3, 6)}]
    assert all(len(g) == 1 for g in groups)


def test_percentile_selection_is_strict_and_checks_its_arguments():
    oracle = np.arange(10.0)
    variance = np.ones(10)
    variance[[8, 9]] = 2.0
    assert percentile_selection(oracle, variance).tolist() == [8, 9]
    assert percentile_selection(oracle, np.ones(10)).tolist() == []     # nobody above the median of equals
    with pytest.raises(ValueError, match="same length"):
        percentile_selection(oracle, variance[:5])
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile_selection(oracle, variance, oracle_quantile=60)


def test_exploration_plots_draw_what_they_are_given():
    data = np.arange(12.0).reshape(3, 4)
    ax = plot_raster(data, order=[2, 0, 1])
    assert ax.images[0].get_array()[0].tolist() == data[2].tolist()
    ax = plot_correlation_matrix(np.corrcoef(np.random.RandomState(0).normal(size=(3, 9))), order=[1, 2, 0])
    assert ax.images[0].get_array().shape == (3, 3)
    ax = plot_entropy_variance([1, 2, 3, 4], [1, 2, 3, 4], [True, False, False, True])
    outliers = ax.collections[-1].get_offsets()
    assert np.asarray(outliers).tolist() == [[1.0, 1.0], [4.0, 4.0]]
    with pytest.raises(ValueError, match="same length"):
        plot_entropy_variance([1, 2], [1, 2, 3], [True, False])
    plt.close("all")


# --- diagnostics -------------------------------------------------------------------------------

def test_recording_model_passes_outputs_through_and_records_each_image():
    templates = np.random.RandomState(0).normal(size=(2, 4, 5))
    model = TemplateModel(templates)
    recorder = RecordingModel(model, 1)
    images = torch.as_tensor(np.random.RandomState(1).normal(size=(3, 1, 4, 5)), dtype=torch.float32)
    assert torch.equal(recorder(images), model(images))
    assert recorder.responses == pytest.approx(model(images)[:, 1].tolist())
    assert recorder.pixel_sds == pytest.approx(images.reshape(3, -1).double().std(dim=1, unbiased=False).tolist())
    with pytest.raises(TypeError, match="callable"):
        RecordingModel(None, 0)


def test_recording_model_keeps_gradients_flowing():
    model = TemplateModel(np.ones((1, 3, 3)))
    recorder = RecordingModel(model, 0)
    image = torch.zeros(1, 1, 3, 3, requires_grad=True)
    recorder(image)[0, 0].backward()
    assert image.grad is not None and torch.allclose(image.grad, torch.full((1, 1, 3, 3), 0.5))


def test_mei_from_starts_passes_the_seeds_and_scores_each_image():
    calls = []

    def fake_mei(model, neuron, n_steps, random_state=0):
        calls.append((neuron, n_steps, random_state))
        return np.full((3, 3), float(random_state))

    images, responses = mei_from_starts(fake_mei, TemplateModel(np.ones((2, 3, 3))), 1, n_starts=4, n_steps=7)
    assert calls == [(1, 7, 0), (1, 7, 1), (1, 7, 2), (1, 7, 3)]
    assert images.shape == (4, 3, 3)
    assert responses == pytest.approx(np.log1p(np.exp(9.0 * np.arange(4))), rel=1e-6)
    with pytest.raises(TypeError, match="callable"):
        mei_from_starts(None, None, 0)


def test_start_similarity_sees_phase_changes():
    rows, cols = np.mgrid[0:20, 0:30]
    window = np.exp(-((rows - 10) ** 2 + (cols - 15) ** 2) / 30)
    same = [window * np.cos(cols / 2.0)] * 3
    phases = [window * np.cos(cols / 2.0 + p) for p in (0, 2 * np.pi / 3, 4 * np.pi / 3)]
    assert start_similarity(same) == pytest.approx(1.0)
    assert start_similarity(phases) < 0.2
    with pytest.raises(ValueError, match="at least 2"):
        start_similarity(same[:1])
    with pytest.raises(ValueError, match="constant"):
        start_similarity([same[0], np.zeros((20, 30))])


def test_radial_profile_of_a_gabor_gives_back_two_sigma():
    rows, cols = np.mgrid[0:41, 0:61]
    for sigma in (2.5, 4.0, 6.0):
        window = np.exp(-((rows - 20) ** 2 + (cols - 30) ** 2) / (2 * sigma ** 2))
        radii, profile = radial_profile(window, (20, 30))
        assert radius_from_profile(radii, profile) == pytest.approx(2 * sigma, abs=1.0)
    radii, profile = radial_profile(np.ones((5, 5)), (2, 2), max_radius=6)
    assert np.isnan(profile[-1]) and profile[0] == 1.0      # ring 6 is outside the 5 x 5 image


def test_radius_from_profile_uses_the_last_crossing_and_checks_arguments():
    radii = np.arange(8)
    profile = np.array([1.0, 0.05, 0.05, 0.5, 0.05, 0.0, 0.0, 0.0])   # a second bump at 3
    assert radius_from_profile(radii, profile, fraction=0.1) == 4.0
    assert radius_from_profile(radii, np.ones(8), fraction=0.5) == 7.0
    with pytest.raises(ValueError, match="same length"):
        radius_from_profile(radii, profile[:3])
    with pytest.raises(ValueError, match="fraction"):
        radius_from_profile(radii, profile, fraction=1.5)


def test_plot_optimisation_trace_draws_both_series():
    left, right = plot_optimisation_trace([1.0, 3.0], [0.2, 0.2], target_sd=0.2)
    assert left.lines[0].get_ydata().tolist() == [1.0, 3.0]
    assert right.lines[0].get_ydata().tolist() == [0.2, 0.2] and len(right.lines) == 2
    plt.close("all")
