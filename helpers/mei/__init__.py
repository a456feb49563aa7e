"""Helpers for the assignment "MEIs vs Gabors on a simulated V1 population".

Nothing here solves an exercise: the oracle correlation, Gabor patches,
Fourier smoothing, the Poisson loss, the MEI optimization, masks, contrast,
axial averages and symmetry indices are written by the student. Functions
that need them take them as arguments.
"""

from helpers.mei.analysis import (
    best_mei,
    gabor_bank,
    gabor_parameter_grid,
    power_spectrum,
    select_neurons,
)
from helpers.mei.ascent import batched_meis
from helpers.mei.data import Experiment, simulate_experiment
from helpers.mei.model import PopulationCNN, load_model, predict, save_model, train_model
from helpers.mei.plotting import (
    plot_axial_average,
    plot_image_grid,
    plot_oracle_vs_truth,
    plot_power_spectrum,
    plot_response_comparison,
    plot_selection,
    plot_values_by_type,
    show_image,
)
from helpers.mei.population import CELL_TYPES, Population, make_population, true_oracle_correlation
from helpers.mei.stimuli import IMAGE_SHAPE, mean_contrast, natural_images, pink_noise
from helpers.mei.widgets import mei_demo, mei_step

# The public names: the functions, classes and constants above (not the submodules).
__all__ = [
    "CELL_TYPES",
    "Experiment",
    "IMAGE_SHAPE",
    "Population",
    "PopulationCNN",
    "batched_meis",
    "best_mei",
    "gabor_bank",
    "gabor_parameter_grid",
    "load_model",
    "make_population",
    "mean_contrast",
    "mei_demo",
    "mei_step",
    "natural_images",
    "pink_noise",
    "plot_axial_average",
    "plot_image_grid",
    "plot_oracle_vs_truth",
    "plot_power_spectrum",
    "plot_response_comparison",
    "plot_selection",
    "plot_values_by_type",
    "power_spectrum",
    "predict",
    "save_model",
    "select_neurons",
    "show_image",
    "simulate_experiment",
    "train_model",
    "true_oracle_correlation",
]
