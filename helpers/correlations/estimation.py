"""Scoring connectivity estimates of simulated networks.

Nothing here estimates connectivity: that is the notebook's Exercise 1. The
functions that need an estimate take the estimator as an argument
(``estimate_connectivity(X) -> R``), so the notebook runs on the student's
own code.
"""

import numpy as np

from helpers.correlations.simulation import create_connectivity, simulate_neurons
from helpers.stats import pearson_correlation
from helpers.validation import check_array, check_callable, check_int, check_probability


def check_activity(X, name="X"):
    """Return ``X`` as a ``(n_neurons, timesteps)`` float array, or raise.

    At least one neuron and two time points are needed to form the lagged
    pairs ``(x_t, x_{t+1})``.

    Parameters
    ----------
    X : array_like, shape (n_neurons, timesteps)
    name : str, default "X"
        Argument name used in the error message.

    Returns
    -------
    ndarray of float, shape (n_neurons, timesteps)

    Examples
    --------
    >>> check_activity([[0.0, 1.0, 0.5]]).shape
    (1, 3)
    >>> check_activity([[0.0], [1.0]])
    Traceback (most recent call last):
    ...
    ValueError: X must have shape (n_neurons, timesteps) with at least 1 neuron and 2 time steps, got shape (2, 1)
    """
    X = check_array(X, name, ndim=2)
    if X.shape[0] < 1 or X.shape[1] < 2:
        raise ValueError(
            f"{name} must have shape (n_neurons, timesteps) with at least 1 neuron "
            f"and 2 time steps, got shape {X.shape}"
        )
    return X


def check_estimator(estimate_connectivity):
    """Raise unless ``estimate_connectivity`` is a function ``X -> R``.

    Parameters
    ----------
    estimate_connectivity : callable
        ``estimate_connectivity(X) -> R`` (see :func:`simulate_and_estimate`).

    Returns
    -------
    callable
        ``estimate_connectivity`` itself.

    Examples
    --------
    >>> check_estimator(np.corrcoef) is np.corrcoef
    True
    """
    return check_callable(estimate_connectivity, "estimate_connectivity",
                          "X -> R, like the notebook's correlation_for_all_neurons built on your "
                          "compute_connectivity_from_single_neuron")


def estimate_with(estimate_connectivity, X):
    """Call ``estimate_connectivity(X)`` and check it returns one weight per pair of neurons.

    Parameters
    ----------
    estimate_connectivity : callable
        ``estimate_connectivity(X) -> R`` (see :func:`simulate_and_estimate`).
    X : array_like, shape (n_neurons, timesteps)
        Simulated activity.

    Returns
    -------
    R : ndarray, shape (n_neurons, n_neurons)

    Examples
    --------
    >>> def lagged(X):                      # what a correct Exercise 1 computes
    ...     n = len(X)
    ...     return np.corrcoef(np.concatenate([X[:, 1:], X[:, :-1]]))[:n, n:]
    >>> X = np.random.RandomState(0).normal(size=(3, 100))
    >>> estimate_with(lagged, X).shape
    (3, 3)
    """
    check_estimator(estimate_connectivity)
    X = check_activity(X)
    R = check_array(estimate_connectivity(X), "the estimated connectivity", finite=False)
    expected = (X.shape[0], X.shape[0])
    if R.shape != expected:
        raise ValueError(f"estimate_connectivity(X) must return shape {expected} (one weight per pair "
                         f"of neurons), got {R.shape}")
    return R


def matrix_correlation(A, R):
    """Pearson correlation between the entries of two matrices of equal shape.

    Parameters
    ----------
    A : array_like
        The true connectivity (finite values).
    R : array_like, same shape as ``A``
        The estimate; NaN or infinite entries give a NaN correlation.

    Returns
    -------
    float
        The correlation, or NaN, without a warning, when it is undefined:
        ``A`` or ``R`` constant (for instance an empty connectivity matrix),
        fewer than two entries, or a non-finite entry in ``R``. This is the
        rule of every correlation in ``helpers`` (see :mod:`helpers.stats`).

    Raises
    ------
    ValueError
        If ``A`` and ``R`` have different shapes or ``A`` is not finite.

    Examples
    --------
    >>> A = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> matrix_correlation(A, 2 * A + 1)
    1.0
    >>> matrix_correlation(np.zeros((2, 2)), A)
    nan
    """
    A = check_array(A, "A")
    R = check_array(R, "R", finite=False)
    if A.shape != R.shape:
        raise ValueError(f"A and R must have the same shape, got {A.shape} and {R.shape}")
    return pearson_correlation(A, R)


def simulate_and_estimate(estimate_connectivity, n_neurons, timesteps, random_state=42, p=0.9):
    """Simulate a network and estimate its connectivity with ``estimate_connectivity``.

    Parameters
    ----------
    estimate_connectivity : callable
        ``estimate_connectivity(X) -> R`` with ``R[i, j]`` the estimated weight
        from neuron ``j`` to neuron ``i``: in the notebook, the
        ``correlation_for_all_neurons`` built on your Exercise 1.
    n_neurons, timesteps : int
    random_state : int, default 42
        Seeds the connectivity and the noise.
    p : float, default 0.9
        Sparsity of the connectivity.

    Returns
    -------
    A : ndarray, shape (n_neurons, n_neurons)
        True connectivity (``random_state`` seeds it and the noise).
    R : ndarray, shape (n_neurons, n_neurons)
        ``estimate_connectivity(X)``.
    corr : float
        ``matrix_correlation(A, R)``; NaN if ``A`` came out empty.

    Examples
    --------
    >>> def lagged(X):                      # what a correct Exercise 1 computes
    ...     n = len(X)
    ...     return np.corrcoef(np.concatenate([X[:, 1:], X[:, :-1]]))[:n, n:]
    >>> A, R, corr = simulate_and_estimate(lagged, n_neurons=6, timesteps=5000)
    >>> A.shape, R.shape, round(corr, 4)
    ((6, 6), (6, 6), 0.9597)
    """
    A = create_connectivity(n_neurons, random_state=random_state, p=p)
    X = simulate_neurons(A, timesteps, random_state=random_state)
    R = estimate_with(estimate_connectivity, X)
    return A, R, matrix_correlation(A, R)


def get_sys_corr(estimate_connectivity, n_neurons, timesteps, random_state=42, p=0.9):
    """Simulate a network and score a connectivity estimate of it.

    Parameters
    ----------
    estimate_connectivity : callable
        ``estimate_connectivity(X) -> R`` (see :func:`simulate_and_estimate`).
    n_neurons : int
        Size of the network.
    timesteps : int
        Length of the simulation.
    random_state : int, default 42
        Seed for both the connectivity and the noise. ``42`` with lagged
        correlations reproduces the tutorial's numbers (0.9597 for 6 neurons,
        0.3629 for 100 neurons, 5000 steps).
    p : float, default 0.9
        Sparsity of the connectivity.

    Returns
    -------
    float
        Correlation between the entries of the true connectivity ``A`` and of
        the estimate ``R``; NaN if ``A`` came out empty.

    Examples
    --------
    >>> def lagged(X):                      # what a correct Exercise 1 computes
    ...     n = len(X)
    ...     return np.corrcoef(np.concatenate([X[:, 1:], X[:, :-1]]))[:n, n:]
    >>> round(get_sys_corr(lagged, n_neurons=6, timesteps=5000), 4)   # the tutorial's number
    0.9597
    """
    return simulate_and_estimate(estimate_connectivity, n_neurons, timesteps, random_state, p)[2]


def quality_vs_n_neurons(estimate_connectivity, sizes, timesteps=1000, n_trials=5, p=0.9):
    """Estimation quality for several network sizes, one row per trial.

    ``estimate_connectivity(X) -> R`` estimates each network (see
    :func:`simulate_and_estimate`). Trial ``k`` uses ``random_state=k`` for
    every size.

    Parameters
    ----------
    estimate_connectivity : callable
        ``estimate_connectivity(X) -> R`` (see :func:`simulate_and_estimate`).
    sizes : sequence of int
        Network sizes.
    timesteps : int, default 1000
    n_trials : int, default 5
    p : float, default 0.9
        Sparsity of every network.

    Returns
    -------
    ndarray, shape (n_trials, len(sizes))
        Correlation between true and estimated connectivity (NaN where the
        random network came out empty).

    Examples
    --------
    >>> def lagged(X):                      # what a correct Exercise 1 computes
    ...     n = len(X)
    ...     return np.corrcoef(np.concatenate([X[:, 1:], X[:, :-1]]))[:n, n:]
    >>> quality = quality_vs_n_neurons(lagged, [5, 40], timesteps=500, n_trials=2)
    >>> quality.shape
    (2, 2)
    >>> bool(np.nanmean(quality[:, 0]) > np.nanmean(quality[:, 1]))   # bigger networks: worse estimates
    True
    """
    check_estimator(estimate_connectivity)
    sizes = [check_int(size, "sizes", minimum=1) for size in sizes]
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    return np.array(
        [[get_sys_corr(estimate_connectivity, size, timesteps, random_state=trial, p=p) for size in sizes]
         for trial in range(n_trials)]
    )


def quality_vs_sparsity(estimate_connectivity, sparsities, n_neurons=20, timesteps=1000, n_trials=3):
    """Estimation quality for several sparsity levels ``p``, one row per trial.

    Parameters
    ----------
    estimate_connectivity : callable
        ``estimate_connectivity(X) -> R`` (see :func:`simulate_and_estimate`).
    sparsities : sequence of float
        Values of ``p``, each in [0, 1].
    n_neurons, timesteps : int
    n_trials : int, default 3
        Trial ``k`` uses ``random_state=k``.

    Returns
    -------
    ndarray, shape (n_trials, len(sparsities))
        NaN where a random network came out empty.

    Examples
    --------
    >>> def lagged(X):                      # what a correct Exercise 1 computes
    ...     n = len(X)
    ...     return np.corrcoef(np.concatenate([X[:, 1:], X[:, :-1]]))[:n, n:]
    >>> quality_vs_sparsity(lagged, [0.5, 0.9], n_neurons=10, timesteps=300, n_trials=2).shape
    (2, 2)
    """
    check_estimator(estimate_connectivity)
    sparsities = [check_probability(p, "sparsities") for p in sparsities]
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    return np.array(
        [[get_sys_corr(estimate_connectivity, n_neurons, timesteps, random_state=trial, p=p) for p in sparsities]
         for trial in range(n_trials)]
    )


def quality_vs_coarseness(coarse_corr_func, group_counts, n_neurons=128, timesteps=5000,
                          n_trials=3):
    """Estimation quality of group-averaged activity for several group counts.

    Parameters
    ----------
    coarse_corr_func : callable
        ``coarse_corr_func(n_groups, X, A) -> (corr, R, coarse_A)``, the
        function written in the coarse-graining exercise.
    group_counts : sequence of int
        Numbers of groups; each must divide ``n_neurons``.
    n_neurons, timesteps, n_trials : int
        Network size, simulation length and number of random networks
        (trial ``k`` uses ``random_state=k``).

    Returns
    -------
    ndarray, shape (n_trials, len(group_counts))

    Examples
    --------
    >>> def coarse(n_groups, X, A):                # stands in for your get_coarse_corr
    ...     return float(n_groups), None, None
    >>> quality_vs_coarseness(coarse, [2, 4], n_neurons=8, timesteps=20, n_trials=2)
    array([[2., 4.],
           [2., 4.]])
    """
    check_callable(coarse_corr_func, "coarse_corr_func",
                   "(n_groups, X, A) -> (corr, R, coarse_A), like your get_coarse_corr")
    n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
    group_counts = [check_int(g, "group_counts", minimum=1) for g in group_counts]
    for n_groups in group_counts:
        if n_neurons % n_groups:
            raise ValueError(f"every entry of group_counts must divide n_neurons={n_neurons}, got {n_groups}")
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    result = np.empty((n_trials, len(group_counts)))
    for trial in range(n_trials):
        A = create_connectivity(n_neurons, random_state=trial)
        X = simulate_neurons(A, timesteps, random_state=trial)
        for j, n_groups in enumerate(group_counts):
            result[trial, j] = coarse_corr_func(n_groups, X, A)[0]
    return result


def check_groups(n_groups, n_neurons):
    """Raise unless ``n_groups`` is a positive integer dividing ``n_neurons``.

    Parameters
    ----------
    n_groups : int
    n_neurons : int

    Returns
    -------
    int
        ``n_groups``.

    Examples
    --------
    >>> check_groups(4, 128)
    4
    >>> check_groups(3, 128)
    Traceback (most recent call last):
    ...
    ValueError: n_groups must divide the number of neurons (128) evenly, got 3
    """
    n_groups = check_int(n_groups, "n_groups", minimum=1)
    if n_neurons % n_groups:
        raise ValueError(
            f"n_groups must divide the number of neurons ({n_neurons}) evenly, got {n_groups}"
        )
    return n_groups
