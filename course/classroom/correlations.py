"""Plausible wrong submissions for the correlations assignment.

Most come from the tutorial's own code (see the seeds README): reading
globals instead of arguments. The others are slips students make.
"""

from course.classroom import Mistake

SINGLE = "test_compute_connectivity_from_single_neuron"
COARSE = "test_get_coarse_corr"


def _single(body):
    return ("def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            + body)


def _coarse(body):
    return "def get_coarse_corr(n_groups, X, A):\n" + body


MISTAKES = {
    "no_time_lag": Mistake(
        "correlates both neurons at the same time step",
        {"compute_connectivity_from_single_neuron": _single(
            "    return np.array([np.corrcoef(X[selected_neuron], X[i])[0, 1] for i in range(len(X))])\n")},
        frozenset({SINGLE})),
    "reversed_lag": Mistake(
        "correlates every neuron at t with the selected neuron at t + 1",
        {"compute_connectivity_from_single_neuron": _single(
            "    return np.array([np.corrcoef(X[i, :-1], X[selected_neuron, 1:])[0, 1] for i in range(len(X))])\n")},
        frozenset({SINGLE})),
    "covariance": Mistake(
        "returns the covariance instead of the correlation",
        {"compute_connectivity_from_single_neuron": _single(
            "    return np.array([np.cov(X[i, 1:], X[selected_neuron, :-1])[0, 1] for i in range(len(X))])\n")},
        frozenset({SINGLE})),
    "global_n_neurons": Mistake(
        "reads the notebook's global n_neurons (as the original tutorial did)",
        {"compute_connectivity_from_single_neuron": _single(
            "    current = X[selected_neuron, :-1]\n"
            "    estimate = np.zeros(n_neurons)\n"
            "    for i in range(n_neurons):\n"
            "        estimate[i] = np.corrcoef(X[i, 1:], current)[0, 1]\n"
            "    return estimate\n")},
        frozenset({SINGLE})),
    "wrong_matrix_entry": Mistake(
        "takes [0, 0] of the correlation matrix (always 1)",
        {"compute_connectivity_from_single_neuron": _single(
            "    return np.array([np.corrcoef(X[i, 1:], X[selected_neuron, :-1])[0, 0] for i in range(len(X))])\n")},
        frozenset({SINGLE})),
    "coarse_globals": Mistake(
        "reads the globals A, n_neurons and timesteps (as the original tutorial did)",
        {"get_coarse_corr": _coarse(
            "    coarse_X = X.reshape(n_groups, n_neurons // n_groups, timesteps).mean(1)\n"
            "    R = correlation_for_all_neurons(coarse_X)\n"
            "    coarse_A = A.reshape(n_groups, n_neurons // n_groups, n_groups, n_neurons // n_groups).mean(3).mean(1)\n"
            "    return np.corrcoef(coarse_A.flatten(), R.flatten())[0, 1], R, coarse_A\n")},
        frozenset({COARSE})),
    "coarse_transposed_R": Mistake(
        "returns R transposed (group i at t against group j at t + 1)",
        {"get_coarse_corr": _coarse(
            "    n, T = X.shape\n"
            "    k = n // n_groups\n"
            "    coarse_X = X.reshape(n_groups, k, T).mean(1)\n"
            "    R = correlation_for_all_neurons(coarse_X).T\n"
            "    coarse_A = A.reshape(n_groups, k, n_groups, k).mean(axis=(1, 3))\n"
            "    return np.corrcoef(coarse_A.ravel(), R.ravel())[0, 1], R, coarse_A\n")},
        frozenset({COARSE})),
    "coarse_interleaved": Mistake(
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
