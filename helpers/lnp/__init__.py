"""Helpers for the tutorial "LNP model and receptive fields".

Nothing here fits a receptive field: the likelihood, the fits, the binning,
the SVD and the Lasso are the exercises. The demos take your functions as
arguments.
"""

from helpers.lnp.data import (
    FILE_NAME,
    FRAME_SHAPE,
    check_counts_and_stimulus,
    check_filter,
    check_spike_data,
    generate_dataset,
    orient_components,
    rf_correlation,
    true_receptive_field,
    write_dataset,
)
from helpers.lnp.plotting import (
    plot_binning,
    plot_counts,
    plot_lag_filters,
    plot_ml_vs_lasso,
    plot_rate_vs_counts,
    plot_rf,
    plot_space_time,
    plot_stimulus_frame,
    plot_true_vs_fitted,
)
from helpers.lnp.stimulus import biphasic_kernel, binary_frames, center_surround_rf, gaussian_rf
from helpers.lnp.widgets import fit_quality, lasso_demo, ml_fit_demo, quality_vs_n_bins

# The public names: the functions, classes and constants above (not the submodules).
__all__ = [
    "FILE_NAME",
    "FRAME_SHAPE",
    "binary_frames",
    "biphasic_kernel",
    "center_surround_rf",
    "check_counts_and_stimulus",
    "check_filter",
    "check_spike_data",
    "fit_quality",
    "gaussian_rf",
    "generate_dataset",
    "lasso_demo",
    "ml_fit_demo",
    "orient_components",
    "plot_binning",
    "plot_counts",
    "plot_lag_filters",
    "plot_ml_vs_lasso",
    "plot_rate_vs_counts",
    "plot_rf",
    "plot_space_time",
    "plot_stimulus_frame",
    "plot_true_vs_fitted",
    "quality_vs_n_bins",
    "rf_correlation",
    "true_receptive_field",
    "write_dataset",
]
