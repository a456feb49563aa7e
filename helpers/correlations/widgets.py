"""Interactive demos of the correlations tutorial (each returns a widget).

Each demo takes the student's own estimator as an argument: the sliders show
what *their* code does.
"""

import ipywidgets as widgets

from helpers.correlations.estimation import check_activity, check_estimator, check_groups, simulate_and_estimate
from helpers.correlations.plotting import plot_connectivity_matrix
from helpers.validation import check_callable, check_square
from helpers.widgets import figure_demo


def _draw_true_and_estimate(axes, A, R, corr):
    plot_connectivity_matrix(A, ax=axes[0, 0], title="true connectivity A")
    plot_connectivity_matrix(R, ax=axes[0, 1], title="estimated connectivity R")
    return f"correlation of A and R: {corr:.3f}"


def network_size_demo(estimate_connectivity, timesteps=5000, random_state=42, min_neurons=6, max_neurons=42):
    """Slider over the network size; shows A, R and their correlation.

    Parameters
    ----------
    estimate_connectivity : callable
        ``estimate_connectivity(X) -> R``: the notebook's
        ``correlation_for_all_neurons``, built on your Exercise 1.
    timesteps : int, default 5000
        Steps simulated per network: as in Section 1 of the notebook, so at 6
        neurons the demo shows that section's network and its correlation.
    random_state : int, default 42
        The same seed for every network size.
    min_neurons, max_neurons : int
        Range of the slider.

    Returns
    -------
    ipywidgets.VBox
        See :func:`helpers.widgets.figure_demo`.

    Examples
    --------
    >>> import numpy as np
    >>> def lagged(X):                      # what a correct Exercise 1 computes
    ...     n = len(X)
    ...     return np.corrcoef(np.concatenate([X[:, 1:], X[:, :-1]]))[:n, n:]
    >>> demo = network_size_demo(lagged, timesteps=200, max_neurons=8)
    >>> demo.figure.get_suptitle().startswith("correlation of A and R")
    True
    >>> demo.controls["n_neurons"].value = 8     # what moving the slider does
    """
    check_estimator(estimate_connectivity)

    def draw(fig, axes, n_neurons):
        return _draw_true_and_estimate(
            axes, *simulate_and_estimate(estimate_connectivity, n_neurons, timesteps, random_state))

    slider = widgets.IntSlider(value=min_neurons, min=min_neurons, max=max_neurons, step=1,
                               description="neurons", continuous_update=False)
    return figure_demo(draw, {"n_neurons": slider}, figsize=(10, 4.5), layout="compressed")


def sparsity_demo(estimate_connectivity, n_neurons=20, timesteps=1000, random_state=42):
    """Slider over the sparsity ``p`` of A; shows A, R and their correlation.

    Parameters
    ----------
    estimate_connectivity : callable
        ``estimate_connectivity(X) -> R``, as for :func:`network_size_demo`.
    n_neurons, timesteps : int
    random_state : int, default 42
        The same seed for every value of ``p``.

    Returns
    -------
    ipywidgets.VBox
        See :func:`helpers.widgets.figure_demo`.

    Examples
    --------
    >>> import numpy as np
    >>> def lagged(X):                      # what a correct Exercise 1 computes
    ...     n = len(X)
    ...     return np.corrcoef(np.concatenate([X[:, 1:], X[:, :-1]]))[:n, n:]
    >>> demo = sparsity_demo(lagged, n_neurons=6, timesteps=200)
    >>> demo.controls["p"].value
    0.9
    """
    check_estimator(estimate_connectivity)

    def draw(fig, axes, p):
        return _draw_true_and_estimate(
            axes, *simulate_and_estimate(estimate_connectivity, n_neurons, timesteps, random_state, p=p))

    slider = widgets.FloatSlider(value=0.9, min=0.05, max=0.95, step=0.05,
                                 description="sparsity p", continuous_update=False)
    return figure_demo(draw, {"p": slider}, figsize=(10, 4.5), layout="compressed")


def coarse_graining_demo(coarse_corr_func, X, A):
    """Dropdown over the number of groups of a coarse-grained network.

    Parameters
    ----------
    coarse_corr_func : callable
        ``coarse_corr_func(n_groups, X, A) -> (corr, R, coarse_A)``: your
        ``get_coarse_corr`` from the exercise.
    X : array_like, shape (n_neurons, timesteps)
        Simulated activity.
    A : array_like, shape (n_neurons, n_neurons)
        Its true connectivity.

    Returns
    -------
    ipywidgets.VBox
        See :func:`helpers.widgets.figure_demo`.

    Examples
    --------
    >>> import numpy as np
    >>> def coarse(n_groups, X, A):              # stands in for your get_coarse_corr
    ...     return 0.5, np.eye(n_groups), np.eye(n_groups)
    >>> X, A = np.random.RandomState(0).normal(size=(8, 30)), np.eye(8)
    >>> demo = coarse_graining_demo(coarse, X, A)
    >>> demo.controls["n_groups"].options, demo.figure.get_suptitle()
    ((2, 4, 8), '4 groups of 2 neurons: correlation 0.500')
    """
    check_callable(coarse_corr_func, "coarse_corr_func",
                   "(n_groups, X, A) -> (corr, R, coarse_A), like your get_coarse_corr")
    X = check_activity(X)
    A = check_square(A, "A")
    n_neurons = X.shape[0]
    options = [g for g in range(2, n_neurons + 1) if n_neurons % g == 0 and g <= 64]
    if not options:
        raise ValueError(f"X has {n_neurons} neurons: no group count between 2 and 64 divides it")

    def draw(fig, axes, n_groups):
        check_groups(n_groups, n_neurons)
        corr, R, coarse_A = coarse_corr_func(n_groups, X, A)
        plot_connectivity_matrix(coarse_A, ax=axes[0, 0], title="true coarse connectivity")
        plot_connectivity_matrix(R, ax=axes[0, 1], title="estimated from group averages")
        return f"{n_groups} groups of {n_neurons // n_groups} neurons: correlation {corr:.3f}"

    dropdown = widgets.Dropdown(options=options, value=options[len(options) // 2],
                                description="groups")
    return figure_demo(draw, {"n_groups": dropdown}, figsize=(10, 4.5), layout="compressed")
