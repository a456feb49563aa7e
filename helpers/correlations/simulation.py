"""Simulate the random recurrent networks of the correlations tutorial."""

import numpy as np

from helpers.validation import as_random_state, check_int, check_probability, check_square


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, element-wise.

    Parameters
    ----------
    x : array_like

    Returns
    -------
    ndarray of float, the shape of ``x``

    Examples
    --------
    >>> sigmoid([0.0, np.log(3.0)])
    array([0.5 , 0.75])
    """
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def create_connectivity(n_neurons, random_state=42, p=0.9):
    """Draw a sparse random connectivity matrix with a stable time scale.

    Each entry is 1 with probability ``1 - p`` and 0 otherwise; the matrix is
    then divided by 1.01 times its largest singular value, which keeps the
    linearized dynamics stable with a time scale of about 100 steps.

    Parameters
    ----------
    n_neurons : int
        Number of neurons (rows and columns), at least 1.
    random_state : int, numpy.random.RandomState or None, default 42
        Seed or generator. The default reproduces the tutorial's numbers: the
        draws are those of ``np.random.seed(42)`` followed by
        ``np.random.choice([0, 1], size=(n, n), p=[p, 1 - p])``.
    p : float, default 0.9
        Probability that a connection is absent (the sparsity).

    Returns
    -------
    A : ndarray, shape (n_neurons, n_neurons)
        ``A[i, j]`` is the weight from neuron ``j`` (at time t) to neuron
        ``i`` (at time t + 1). All zeros if no connection was drawn.

    Examples
    --------
    >>> A = create_connectivity(6)                # the tutorial's network (seed 42)
    >>> A.shape, int(np.count_nonzero(A))
    ((6, 6), 4)
    >>> bool(np.linalg.svd(A, compute_uv=False)[0] < 1)   # stable dynamics
    True
    """
    n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
    p = check_probability(p, "p")
    rng = as_random_state(random_state)
    A_0 = rng.choice([0, 1], size=(n_neurons, n_neurons), p=[p, 1 - p]).astype(float)
    # The full SVD (not norm(ord=2)) gives the tutorial's value to the last bit.
    largest_singular_value = np.linalg.svd(A_0)[1][0]
    if largest_singular_value == 0:
        # An empty network has no time scale to set; dividing would give NaNs.
        return A_0
    return A_0 / (1.01 * largest_singular_value)


def simulate_neurons(A, timesteps, random_state=42):
    """Simulate ``x_{t+1} = sigmoid(A x_t + noise_t)`` from ``x_0 = 0``.

    The noise is standard normal and independent across neurons and steps.
    All of it is drawn in one call; the numbers are identical, bit for bit,
    to drawing ``np.random.multivariate_normal(np.zeros(n), np.eye(n))`` once
    per step after ``np.random.seed(random_state)``, as the original tutorial
    does, but hundreds of times faster.

    Parameters
    ----------
    A : array_like, shape (n_neurons, n_neurons)
        Connectivity matrix (see :func:`create_connectivity`).
    timesteps : int
        Number of time points, including the initial state; at least 2.
    random_state : int, numpy.random.RandomState or None, default 42
        Seed or generator for the noise.

    Returns
    -------
    X : ndarray, shape (n_neurons, timesteps)
        Activity of every neuron at every time step.

    Examples
    --------
    >>> X = simulate_neurons(create_connectivity(3), timesteps=5)
    >>> X.shape
    (3, 5)
    >>> X[:, 0]                                   # every neuron starts at 0
    array([0., 0., 0.])
    >>> bool(np.all((X[:, 1:] > 0) & (X[:, 1:] < 1)))
    True
    """
    A = check_square(A, "A")
    timesteps = check_int(timesteps, "timesteps", minimum=2)
    rng = as_random_state(random_state)
    n_neurons = A.shape[0]
    noise = rng.standard_normal((timesteps - 1, n_neurons))
    # Time runs along rows while simulating so each state is a contiguous vector.
    states = np.zeros((timesteps, n_neurons))
    for t in range(timesteps - 1):
        states[t + 1] = sigmoid(A.dot(states[t]) + noise[t])
    return states.T.copy()
