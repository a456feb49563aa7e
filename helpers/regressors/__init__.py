"""Helpers for the tutorial "Correlated regressors" (fMRI GLM).

Scan times and design matrices (:mod:`.design`), simulated data and the
summaries of simulated estimates (:mod:`.simulation`), figures
(:mod:`.plotting`) and the interactive demo (:mod:`.widgets`). The HRF, the
fit, the predicted standard deviation and orthogonalization are the
tutorial's exercises: functions here that need them take them as arguments.
"""

from helpers.regressors.design import (
    check_contrast,
    check_data,
    check_design,
    design_matrix,
    mean_center,
    regressor_correlation,
    tr_times,
    unit_contrast,
)
from helpers.regressors.plotting import (
    plot_data,
    plot_design,
    plot_estimate_histogram,
    plot_estimate_scatter,
    plot_regressors,
    plot_sd_vs_shift,
)
from helpers.regressors.simulation import (
    estimate_summary,
    fit_all,
    shift_experiment,
    shifted_regressors,
    simulate_data,
    simulated_sd,
)
from helpers.regressors.widgets import shift_demo

# The public names: the functions, classes and constants above (not the submodules).
__all__ = [
    "check_contrast",
    "check_data",
    "check_design",
    "design_matrix",
    "estimate_summary",
    "fit_all",
    "mean_center",
    "plot_data",
    "plot_design",
    "plot_estimate_histogram",
    "plot_estimate_scatter",
    "plot_regressors",
    "plot_sd_vs_shift",
    "regressor_correlation",
    "shift_demo",
    "shift_experiment",
    "shifted_regressors",
    "simulate_data",
    "simulated_sd",
    "tr_times",
    "unit_contrast",
]
