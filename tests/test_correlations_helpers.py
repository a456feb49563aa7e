"""The correlations helpers: reference numbers, exact equivalence, validation, demos."""

import warnings

import numpy as np
import pytest

from helpers.correlations import (
    coarse_graining_demo,
    create_connectivity,
    estimate_with,
    get_sys_corr,
    matrix_correlation,
    network_size_demo,
    plot_connectivity_matrix,
    plot_estimation_quality_vs_n_neurons,
    plot_true_vs_estimated_connectivity,
    quality_vs_coarseness,
    quality_vs_n_neurons,
    quality_vs_sparsity,
    sigmoid,
    simulate_and_estimate,
    simulate_neurons,
    sparsity_demo,
)


def lagged_correlations(X):
    """What the notebook's correlation_for_all_neurons computes from a correct Exercise 1.

    The helpers no longer ship it (it was the answer of Exercise 1): the
    tests pass it in, as the notebook passes the student's.
    """
    n = X.shape[0]
    return np.corrcoef(np.concatenate([X[:, 1:], X[:, :-1]]))[:n, n:]


def seed_style_connectivity(n_neurons, random_state=42, p=0.9):
    """The original tutorial's code path: the global generator."""
    np.random.seed(random_state)
    A_0 = np.random.choice([0, 1], size=(n_neurons, n_neurons), p=[p, 1 - p])
    s_vals = np.linalg.svd(A_0)[1]
    return A_0 / (1.01 * s_vals[0])


def seed_style_simulation(A, timesteps, random_state=42):
    """The original per-step multivariate_normal loop."""
    np.random.seed(random_state)
    n = len(A)
    X = np.zeros((n, timesteps))
    for t in range(timesteps - 1):
        epsilon = np.random.multivariate_normal(np.zeros(n), np.eye(n))
        X[:, t + 1] = sigmoid(A.dot(X[:, t]) + epsilon)
    return X


@pytest.mark.parametrize("n_neurons, expected", [(6, 0.9596667994046594), (100, 0.36293298241778166)])
def test_reference_correlations_are_reproduced(n_neurons, expected):
    assert get_sys_corr(lagged_correlations, n_neurons, 5000, random_state=42) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("n_neurons, seed", [(6, 42), (17, 3), (100, 42)])
def test_connectivity_matches_the_tutorial_draws(n_neurons, seed):
    np.testing.assert_array_equal(create_connectivity(n_neurons, random_state=seed),
                                  seed_style_connectivity(n_neurons, seed))


@pytest.mark.parametrize("n_neurons, timesteps, seed", [(6, 300, 42), (25, 200, 7)])
def test_vectorized_simulation_is_bit_identical_to_the_loop(n_neurons, timesteps, seed):
    A = create_connectivity(n_neurons, random_state=seed)
    X = simulate_neurons(A, timesteps, random_state=seed)
    assert np.array_equal(X, seed_style_simulation(A, timesteps, seed))


def test_simulation_does_not_touch_the_global_generator():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    simulate_neurons(create_connectivity(5), 50)
    assert np.array_equal(np.random.get_state()[1], before)


def test_simulation_starts_at_zero_and_stays_in_the_sigmoid_range():
    X = simulate_neurons(create_connectivity(8), 100)
    assert X.shape == (8, 100)
    assert np.all(X[:, 0] == 0)
    assert np.all((X[:, 1:] > 0) & (X[:, 1:] < 1))


def test_empty_connectivity_returns_zeros_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = create_connectivity(3, p=1.0)
        assert np.array_equal(A, np.zeros((3, 3)))
        X = simulate_neurons(A, 20)
        assert np.isnan(matrix_correlation(A, estimate_with(lagged_correlations, X)))


def test_connectivity_is_scaled_to_largest_singular_value_below_one():
    A = create_connectivity(30, random_state=1)
    assert np.linalg.svd(A, compute_uv=False)[0] == pytest.approx(1 / 1.01)


def test_helpers_do_not_ship_the_answer_of_exercise_1():
    import helpers.correlations as module

    assert not hasattr(module, "correlation_for_all_neurons")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4, 200))
    # every helper that needs an estimate calls the one it is given, and nothing else
    calls = []

    def spy(X):
        calls.append(X.shape)
        return lagged_correlations(X)

    assert estimate_with(spy, X).shape == (4, 4)
    _, R, _ = simulate_and_estimate(spy, 5, 40, random_state=0)
    assert calls == [(4, 200), (5, 40)]
    assert np.array_equal(R, lagged_correlations(simulate_neurons(create_connectivity(5, random_state=0), 40,
                                                                  random_state=0)))


def test_the_estimator_gets_the_activity_and_its_result_is_checked():
    X = np.random.RandomState(0).normal(size=(4, 50))
    with pytest.raises(ValueError, match="shape \\(4, 4\\)"):
        estimate_with(lambda X: X[:, :3], X)
    with pytest.raises(TypeError, match="estimate_connectivity must be a function"):
        quality_vs_n_neurons("correlation", [5])


def test_larger_networks_are_estimated_worse():
    quality = np.nanmean(quality_vs_n_neurons(lagged_correlations, [5, 50], timesteps=1000, n_trials=3), axis=0)
    assert quality[0] > quality[1] + 0.2


def test_denser_networks_are_estimated_worse():
    quality = quality_vs_sparsity(lagged_correlations, [0.1, 0.9], n_neurons=20, timesteps=1000,
                                  n_trials=3).mean(axis=0)
    assert quality[1] > quality[0]


def test_coarseness_sweep_calls_the_given_function_with_each_group_count():
    seen = []

    def fake(n_groups, X, A):
        seen.append((n_groups, X.shape, A.shape))
        return 0.5, np.zeros((n_groups, n_groups)), np.zeros((n_groups, n_groups))

    result = quality_vs_coarseness(fake, [2, 4], n_neurons=8, timesteps=50, n_trials=2)
    assert result.shape == (2, 2) and np.all(result == 0.5)
    assert seen == [(2, (8, 50), (8, 8)), (4, (8, 50), (8, 8))] * 2


@pytest.mark.parametrize("call, message", [
    (lambda: create_connectivity(0), "n_neurons"),
    (lambda: create_connectivity(5, p=1.5), "p must be in"),
    (lambda: create_connectivity(5.5), "n_neurons must be an integer"),
    (lambda: simulate_neurons(np.zeros((3, 4)), 10), "A must be a non-empty square"),
    (lambda: simulate_neurons(np.zeros((3, 3)), 1), "timesteps"),
    (lambda: simulate_neurons(np.full((2, 2), np.nan), 5), "A must contain only finite"),
    (lambda: estimate_with(lagged_correlations, np.zeros(10)), "X must be a 2-D"),
    (lambda: estimate_with(lagged_correlations, np.zeros((3, 1))), "at least 1 neuron and 2 time"),
    (lambda: quality_vs_coarseness(lambda *a: None, [3], n_neurons=8), "divide n_neurons"),
])
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_random_state_must_be_a_seed_or_generator():
    with pytest.raises(TypeError, match="random_state"):
        create_connectivity(4, random_state="42")


def test_plots_return_their_axes_and_show_a_zero_correlation():
    import matplotlib.pyplot as plt

    A = create_connectivity(6)
    axes = plot_true_vs_estimated_connectivity(np.zeros((6, 6)), A, correlation=0.0)
    assert axes[0].figure.get_suptitle().endswith("0.000")
    fig, ax = plt.subplots()
    assert plot_connectivity_matrix(A, ax=ax) is ax
    assert plot_estimation_quality_vs_n_neurons([5, 10], np.array([[0.9, 0.5], [0.8, np.nan]]), ax=ax) is ax
    plt.close("all")


def test_single_neuron_plot_shows_one_column():
    A = create_connectivity(6)
    axes = plot_true_vs_estimated_connectivity(np.linspace(-1, 1, 6), A, selected_neuron=2)
    assert axes[1].images[0].get_array().shape == (6, 1)
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["2"]


def test_network_size_slider_recomputes_figure_and_title():
    demo = network_size_demo(lagged_correlations, timesteps=300)
    slider = demo.controls["n_neurons"]
    assert slider.min == 6 and slider.max == 42
    first_title = demo.figure.get_suptitle()
    slider.value = 30
    _, _, corr = simulate_and_estimate(lagged_correlations, 30, 300, 42)
    assert demo.figure.get_suptitle() == f"correlation of A and R: {corr:.3f}" != first_title
    assert demo.figure.axes[0].images[0].get_array().shape == (30, 30)


def test_sparsity_slider_recomputes_figure_and_title():
    demo = sparsity_demo(lagged_correlations, n_neurons=12, timesteps=300)
    demo.controls["p"].value = 0.5
    _, _, corr = simulate_and_estimate(lagged_correlations, 12, 300, 42, p=0.5)
    assert demo.figure.get_suptitle() == f"correlation of A and R: {corr:.3f}"


def test_coarse_graining_demo_calls_the_students_function_on_change():
    calls = []

    def student_function(n_groups, X, A):
        calls.append(n_groups)
        return 0.25, np.eye(n_groups), np.eye(n_groups)

    A = create_connectivity(16)
    X = simulate_neurons(A, 100)
    demo = coarse_graining_demo(student_function, X, A)
    demo.controls["n_groups"].value = 8
    assert calls[-1] == 8
    assert demo.figure.get_suptitle() == "8 groups of 2 neurons: correlation 0.250"
    assert demo.figure.axes[0].images[0].get_array().shape == (8, 8)


# -- what the figures look like (drawn, as a student sees them) --------------------------------

@pytest.mark.parametrize("n_neurons", [6, 20, 100])
def test_true_vs_estimated_figure_has_no_overlapping_text_and_whole_neuron_ticks(n_neurons):
    import matplotlib.pyplot as plt

    from figure_layout import overlapping_texts, tick_labels, title_gap

    A = create_connectivity(n_neurons)
    axes = plot_true_vs_estimated_connectivity(A + 0.1, A, correlation=0.5)
    fig = axes[0].figure
    assert overlapping_texts(fig) == []     # e.g. the left colorbar label on the right panel's y label
    for ax in axes:
        for axis in "xy":
            labels = tick_labels(ax, axis)
            assert labels and all(label.isdigit() for label in labels), labels   # no neuron 2.5
    assert 0 < title_gap(fig, axes[0]) < 0.25   # no gap under the title (was 0.6 inch)
    plt.close("all")


def test_single_neuron_figure_has_no_overlapping_text():
    import matplotlib.pyplot as plt

    from figure_layout import overlapping_texts

    A = create_connectivity(10)
    axes = plot_true_vs_estimated_connectivity(A[:, 3], A, selected_neuron=3)
    assert overlapping_texts(axes[0].figure) == []
    plt.close("all")


@pytest.mark.parametrize("make_demo, control, values", [
    (lambda: network_size_demo(lagged_correlations, timesteps=200), "n_neurons", [20, 42, 6]),
    (lambda: sparsity_demo(lagged_correlations, n_neurons=25, timesteps=200), "p", [0.5, 0.05]),
])
def test_demo_figures_keep_their_layout_while_the_slider_moves(make_demo, control, values):
    from figure_layout import overlapping_texts, tick_labels, title_gap

    demo = make_demo()
    fig = demo.figure
    for value in values:
        demo.controls[control].value = value
        assert len(fig.axes) == 4   # two matrices, two colorbars: old colorbars are gone
        assert overlapping_texts(fig) == [], value
        assert all(label.isdigit() for ax in fig.axes[:2] for label in tick_labels(ax, "y"))
        assert 0 < title_gap(fig, fig.axes[0]) < 0.25


def test_network_size_demo_starts_on_the_network_and_number_of_section_1():
    # The notebook says so: at 6 neurons the demo shows Section 1's network (5000 steps, seed 42)
    # and its correlation, 0.960 (test_notebooks checks the section's 0.9596...).
    demo = network_size_demo(lagged_correlations)
    assert demo.controls["n_neurons"].value == 6
    assert demo.figure.get_suptitle() == f"correlation of A and R: {0.9596667994046594:.3f}"
    assert np.array_equal(demo.figure.axes[0].images[0].get_array(), create_connectivity(6, random_state=42))
