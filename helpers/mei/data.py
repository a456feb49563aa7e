"""The simulated recording: training and test images and spike counts.

It replaces the seed project's Allen Brain Observatory pipeline. There, spike
times of every unit are downloaded, counted in a window after each stimulus
presentation (a long pandas table of presentation, unit and count), pivoted
to a presentation x unit table and merged with the stimulus table to know
which image was shown. Here the result of that pipeline is produced directly
as a tensor ``responses[neuron, image, trial]``.
"""

from dataclasses import dataclass

import numpy as np

from helpers.mei.population import Population, make_population
from helpers.mei.stimuli import IMAGE_SHAPE, natural_images
from helpers.validation import as_random_state, check_int


@dataclass
class Experiment:
    """Images and spike counts of one simulated session.

    Attributes
    ----------
    train_images : ndarray, shape (n_train, height, width)
        Each shown once.
    train_responses : ndarray, shape (n_neurons, n_train)
        Spike counts of the single presentation.
    test_images : ndarray, shape (n_test, height, width)
        Each shown ``n_trials`` times.
    test_responses : ndarray, shape (n_neurons, n_test, n_trials)
    population : Population
        The ground truth (never available in a real experiment).

    Examples
    --------
    >>> experiment = simulate_experiment(n_train=20, n_test=4, n_trials=3, image_shape=(12, 16))
    >>> experiment.train_responses.shape, experiment.test_responses.shape
    ((135, 20), (135, 4, 3))
    >>> experiment.cell_types[:2]
    array(['simple', 'simple'], dtype='<U11')
    """

    train_images: np.ndarray
    train_responses: np.ndarray
    test_images: np.ndarray
    test_responses: np.ndarray
    population: Population

    @property
    def cell_types(self):
        """The type of every neuron (``population.cell_types``)."""
        return self.population.cell_types


def simulate_experiment(n_train=4000, n_test=118, n_trials=50, image_shape=IMAGE_SHAPE, random_state=0):
    """Simulate a session: a population, its stimuli and Poisson spike counts.

    The default ``random_state=0`` gives the numbers printed in the notebook.

    Parameters
    ----------
    n_train : int, default 4000
        Training images, each shown once.
    n_test : int, default 118
        Test images, each shown ``n_trials`` times.
    n_trials : int, default 50
    image_shape : (int, int), default (36, 64)
    random_state : int, numpy.random.RandomState or None, default 0

    Returns
    -------
    Experiment

    Examples
    --------
    >>> experiment = simulate_experiment(n_train=20, n_test=4, n_trials=3, image_shape=(12, 16))
    >>> experiment.train_images.shape, experiment.test_images.shape
    ((20, 12, 16), (4, 12, 16))
    """
    n_train = check_int(n_train, "n_train", minimum=1)
    n_test = check_int(n_test, "n_test", minimum=2)
    n_trials = check_int(n_trials, "n_trials", minimum=2)
    rng = as_random_state(random_state)
    population = make_population(image_shape=image_shape, random_state=rng)
    train_images = natural_images(n_train, image_shape, random_state=rng)
    test_images = natural_images(n_test, image_shape, random_state=rng)
    train_responses = population.spike_counts(train_images, 1, random_state=rng)[:, :, 0]
    test_responses = population.spike_counts(test_images, n_trials, random_state=rng)
    return Experiment(train_images, train_responses, test_images, test_responses, population)
