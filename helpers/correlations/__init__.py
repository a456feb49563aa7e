"""Helpers for the tutorial "Correlations vs causation".

Nothing here estimates connectivity from activity (the exercises do):
functions that need an estimate take the student's estimator as an argument.
"""

from helpers.correlations.estimation import (
    check_estimator,
    check_groups,
    estimate_with,
    get_sys_corr,
    matrix_correlation,
    quality_vs_coarseness,
    quality_vs_n_neurons,
    quality_vs_sparsity,
    simulate_and_estimate,
)
from helpers.correlations.plotting import (
    plot_connectivity_matrix,
    plot_estimation_quality_vs_coarseness,
    plot_estimation_quality_vs_n_neurons,
    plot_estimation_quality_vs_sparsity,
    plot_network_graph,
    plot_true_vs_estimated_connectivity,
)
from helpers.correlations.simulation import create_connectivity, sigmoid, simulate_neurons
from helpers.correlations.widgets import coarse_graining_demo, network_size_demo, sparsity_demo

# The public names: the functions, classes and constants above (not the submodules).
__all__ = [
    "check_estimator",
    "check_groups",
    "coarse_graining_demo",
    "create_connectivity",
    "estimate_with",
    "get_sys_corr",
    "matrix_correlation",
    "network_size_demo",
    "plot_connectivity_matrix",
    "plot_estimation_quality_vs_coarseness",
    "plot_estimation_quality_vs_n_neurons",
    "plot_estimation_quality_vs_sparsity",
    "plot_network_graph",
    "plot_true_vs_estimated_connectivity",
    "quality_vs_coarseness",
    "quality_vs_n_neurons",
    "quality_vs_sparsity",
    "sigmoid",
    "simulate_and_estimate",
    "simulate_neurons",
    "sparsity_demo",
]
