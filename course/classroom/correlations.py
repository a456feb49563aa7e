"""Submissions for the correlations assignment: other correct answers and mistakes.

The mistakes come from the tutorial's own code (see the seeds README: reading
globals instead of arguments) and from slips students make.
"""

from course.classroom import Variant

SINGLE = "test_compute_connectivity_from_single_neuron"
COARSE = "test_get_coarse_corr"
COARSE_INVALID = "test_get_coarse_corr_invalid_groups"


def _single(body):
    return ("def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            + body)


def _coarse(body):
    return "def get_coarse_corr(n_groups, X, A):\n" + body


VARIANTS = {
    # other correct implementations: full marks
    "loop_corrcoef": Variant(
        "the original tutorial's loop over neurons with np.corrcoef; group sums and loops for Exercise 2",
        {"compute_connectivity_from_single_neuron": _single(
            "    current_activity = X[selected_neuron, :-1]\n"
            "    next_activity = X[:, 1:]\n"
            "    estimated_connectivity = np.zeros(X.shape[0])\n"
            "    for neuron_idx in range(X.shape[0]):\n"
            "        estimated_connectivity[neuron_idx] = np.corrcoef(next_activity[neuron_idx], current_activity)[0, 1]\n"
            "    return estimated_connectivity\n"),
         "get_coarse_corr": _coarse(
            "    n, T = X.shape\n"
            "    if n % n_groups:\n"
            "        raise ValueError('n_groups must divide n')\n"
            "    k = n // n_groups\n"
            "    coarse_X = np.array([X[g * k:(g + 1) * k].sum(axis=0) for g in range(n_groups)])  # sums\n"
            "    R = correlation_for_all_neurons(coarse_X)\n"
            "    coarse_A = np.zeros((n_groups, n_groups))\n"
            "    for i in range(n_groups):\n"
            "        for j in range(n_groups):\n"
            "            coarse_A[i, j] = A[i * k:(i + 1) * k, j * k:(j + 1) * k].mean()\n"
            "    return np.corrcoef(coarse_A.ravel(), R.ravel())[0, 1], R, coarse_A\n")},
        frozenset()),
    "scipy_pearsonr": Variant(
        "scipy.stats.pearsonr in a loop; block sums for coarse_A",
        {"compute_connectivity_from_single_neuron": _single(
            "    from scipy.stats import pearsonr\n"
            "    return [pearsonr(X[selected_neuron][:-1], row[1:])[0] for row in X]\n"),
         "get_coarse_corr": _coarse(
            "    from scipy.stats import pearsonr\n"
            "    n, T = X.shape\n"
            "    k = n // n_groups\n"
            "    coarse_X = X.reshape(n_groups, k, T).mean(axis=1)\n"
            "    R = correlation_for_all_neurons(coarse_X)\n"
            "    coarse_A = A.reshape(n_groups, k, n_groups, k).sum(axis=(1, 3))\n"
            "    return pearsonr(coarse_A.ravel(), R.ravel())[0], R, coarse_A\n")},
        frozenset()),
    "coarse_own_estimator": Variant(
        "Exercise 2 with its own lagged correlations (np.corrcoef of the stacked group averages)",
        {"get_coarse_corr": _coarse(
            "    n, T = X.shape\n"
            "    if n_groups < 1 or n % n_groups:\n"
            "        raise ValueError('n_groups must divide the number of neurons')\n"
            "    k = n // n_groups\n"
            "    coarse_X = X.reshape(n_groups, k, T).mean(axis=1)\n"
            "    R = np.corrcoef(coarse_X[:, 1:], coarse_X[:, :-1])[:n_groups, n_groups:]\n"
            "    coarse_A = A.reshape(n_groups, k, n_groups, k).mean(axis=(1, 3))\n"
            "    return np.corrcoef(coarse_A.ravel(), R.ravel())[0, 1], R, coarse_A\n")},
        frozenset()),
    # plausible mistakes: lose exactly the points of `fails`
    "no_time_lag": Variant(
        "correlates both neurons at the same time step",
        {"compute_connectivity_from_single_neuron": _single(
            "    return np.array([np.corrcoef(X[selected_neuron], X[i])[0, 1] for i in range(len(X))])\n")},
        frozenset({SINGLE})),
    "reversed_lag": Variant(
        "correlates every neuron at t with the selected neuron at t + 1",
        {"compute_connectivity_from_single_neuron": _single(
            "    return np.array([np.corrcoef(X[i, :-1], X[selected_neuron, 1:])[0, 1] for i in range(len(X))])\n")},
        frozenset({SINGLE})),
    "covariance": Variant(
        "returns the covariance instead of the correlation",
        {"compute_connectivity_from_single_neuron": _single(
            "    return np.array([np.cov(X[i, 1:], X[selected_neuron, :-1])[0, 1] for i in range(len(X))])\n")},
        frozenset({SINGLE})),
    "global_n_neurons": Variant(
        "reads the notebook's global n_neurons (as the original tutorial did)",
        {"compute_connectivity_from_single_neuron": _single(
            "    current = X[selected_neuron, :-1]\n"
            "    estimate = np.zeros(n_neurons)\n"
            "    for i in range(n_neurons):\n"
            "        estimate[i] = np.corrcoef(X[i, 1:], current)[0, 1]\n"
            "    return estimate\n")},
        frozenset({SINGLE})),
    "wrong_matrix_entry": Variant(
        "takes [0, 0] of the correlation matrix (always 1)",
        {"compute_connectivity_from_single_neuron": _single(
            "    return np.array([np.corrcoef(X[i, 1:], X[selected_neuron, :-1])[0, 0] for i in range(len(X))])\n")},
        frozenset({SINGLE})),
    "coarse_globals": Variant(
        "reads the globals A, n_neurons and timesteps (as the original tutorial did)",
        {"get_coarse_corr": _coarse(
            "    coarse_X = X.reshape(n_groups, n_neurons // n_groups, timesteps).mean(1)\n"
            "    R = correlation_for_all_neurons(coarse_X)\n"
            "    coarse_A = A.reshape(n_groups, n_neurons // n_groups, n_groups, n_neurons // n_groups).mean(3).mean(1)\n"
            "    return np.corrcoef(coarse_A.flatten(), R.flatten())[0, 1], R, coarse_A\n")},
        frozenset({COARSE, COARSE_INVALID})),   # fails on good input too, so no point for refusing bad input
    "coarse_transposed_R": Variant(
        "returns R transposed (group i at t against group j at t + 1)",
        {"get_coarse_corr": _coarse(
            "    n, T = X.shape\n"
            "    k = n // n_groups\n"
            "    coarse_X = X.reshape(n_groups, k, T).mean(1)\n"
            "    R = correlation_for_all_neurons(coarse_X).T\n"
            "    coarse_A = A.reshape(n_groups, k, n_groups, k).mean(axis=(1, 3))\n"
            "    return np.corrcoef(coarse_A.ravel(), R.ravel())[0, 1], R, coarse_A\n")},
        frozenset({COARSE})),
    "coarse_no_value_error": Variant(
        "groups of n // n_groups neurons in a loop, no check: a number of groups that does not divide the neurons silently drops the last ones",
        {"get_coarse_corr": _coarse(
            "    n, T = X.shape\n"
            "    k = n // n_groups\n"
            "    coarse_X = np.array([X[g * k:(g + 1) * k].mean(axis=0) for g in range(n_groups)])\n"
            "    R = correlation_for_all_neurons(coarse_X)\n"
            "    coarse_A = np.array([[A[i * k:(i + 1) * k, j * k:(j + 1) * k].mean() for j in range(n_groups)]\n"
            "                         for i in range(n_groups)])\n"
            "    return np.corrcoef(coarse_A.ravel(), R.ravel())[0, 1], R, coarse_A\n")},
        frozenset({COARSE_INVALID})),   # the computation is right: it keeps its 2 points
    "coarse_interleaved": Variant(
        "groups neurons i, i + n_groups, i + 2 n_groups, ... instead of consecutive ones",
        {"get_coarse_corr": _coarse(
            "    n, T = X.shape\n"
            "    k = n // n_groups\n"
            "    coarse_X = X.reshape(k, n_groups, T).mean(0)\n"
            "    R = correlation_for_all_neurons(coarse_X)\n"
            "    coarse_A = A.reshape(k, n_groups, k, n_groups).mean(axis=(0, 2))\n"
            "    return np.corrcoef(coarse_A.ravel(), R.ravel())[0, 1], R, coarse_A\n")},
        frozenset({COARSE})),
}
