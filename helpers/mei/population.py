"""A simulated population of V1-like neurons with known ground truth.

Four kinds of cells, each defined by one or two oriented receptive fields
(elliptical Gaussian envelope times a cosine carrier, unit norm):

* ``simple``: one receptive field, half-wave rectified and squared;
* ``complex``: the energy model, sum of the squared responses of a quadrature
  pair (same envelope, carriers 90 degrees apart): phase invariant;
* ``two-subunit``: two receptive fields at neighbouring positions with
  different orientations, ``(relu(d1) + relu(d2))**2``: no single Gabor
  patch drives both subunits, so a Gabor does not explain these cells;
* ``unreliable``: simple or complex cells with a tiny gain, whose spike counts
  are mostly noise.

The expected spike count of neuron ``n`` to image ``x`` is
``baseline[n] + gain[n] * drive_n(x)``; measured counts are Poisson.
"""

from dataclasses import dataclass

import numpy as np

from helpers.mei.stimuli import IMAGE_SHAPE, natural_images
from helpers.validation import as_random_state, check_array, check_int

CELL_TYPES = ("simple", "complex", "two-subunit", "unreliable")


def oriented_fields(image_shape, centers, frequencies, orientations, envelope_sd, aspect, phases):
    """Unit-norm oriented receptive fields (one per row of the arguments).

    The carrier is ``cos(2 pi f u + phase)`` with ``u`` the distance along
    ``(cos(orientation), sin(orientation))`` in (column, row) coordinates; the
    envelope is a Gaussian with standard deviation ``envelope_sd`` across the
    stripes and ``aspect * envelope_sd`` along them.

    Parameters
    ----------
    image_shape : (int, int)
    centers : array_like, shape (n_fields, 2)
        (row, column) of every field, in pixels.
    frequencies : array_like, shape (n_fields,)
        Cycles per pixel.
    orientations : array_like, shape (n_fields,)
        Radians.
    envelope_sd, aspect : array_like, shape (n_fields,)
    phases : array_like, shape (n_fields,)
        Radians.

    Returns
    -------
    ndarray, shape (n_fields, height * width)

    Examples
    --------
    >>> fields = oriented_fields((12, 16), centers=[[6, 8]], frequencies=[0.1], orientations=[0.0],
    ...                          envelope_sd=[3.0], aspect=[1.0], phases=[0.0])
    >>> fields.shape, round(float(np.linalg.norm(fields)), 6)
    ((1, 192), 1.0)
    """
    height, width = image_shape
    rows, cols = np.mgrid[0:height, 0:width].astype(float)
    centers = np.asarray(centers, dtype=float)
    dy = rows[None] - centers[:, 0, None, None]
    dx = cols[None] - centers[:, 1, None, None]
    cos, sin = np.cos(orientations)[:, None, None], np.sin(orientations)[:, None, None]
    across = dx * cos + dy * sin
    along = -dx * sin + dy * cos
    sd = np.asarray(envelope_sd, dtype=float)[:, None, None]
    envelope = np.exp(-across ** 2 / (2 * sd ** 2) - along ** 2 / (2 * (np.asarray(aspect)[:, None, None] * sd) ** 2))
    fields = envelope * np.cos(2 * np.pi * np.asarray(frequencies)[:, None, None] * across
                               + np.asarray(phases)[:, None, None])
    fields = fields.reshape(len(centers), -1)
    fields -= fields.mean(axis=1, keepdims=True)
    return fields / np.linalg.norm(fields, axis=1, keepdims=True)


@dataclass
class Population:
    """Ground truth of the simulated neurons (see the module docstring).

    Attributes
    ----------
    cell_types : ndarray of str, shape (n_neurons,)
    fields : ndarray, shape (n_neurons, 2, height * width)
        The two receptive fields of every neuron (quadrature pair for complex
        cells, the two subunits for two-subunit cells, the second unused for
        simple cells).
    baseline, gain : ndarray, shape (n_neurons,)
        Expected count = ``baseline + gain * drive``.
    parameters : dict of ndarray
        Position (row, column), frequency (cycles/pixel), orientation
        (radians) and envelope size of the first receptive field.

    Examples
    --------
    >>> population = make_population(2, 1, 1, 0, image_shape=(12, 16))
    >>> population.n_neurons, population.fields.shape
    (4, (4, 2, 192))
    >>> images = np.zeros((3, 12, 16))                     # mean gray: only the baseline
    >>> bool(np.allclose(population.rates(images), population.baseline[:, None]))
    True
    >>> population.spike_counts(images, n_trials=5, random_state=0).shape
    (4, 3, 5)
    """

    cell_types: np.ndarray
    fields: np.ndarray
    baseline: np.ndarray
    gain: np.ndarray
    image_shape: tuple
    parameters: dict

    @property
    def n_neurons(self):
        return len(self.cell_types)

    def drive(self, images):
        """Noise-free drive of every neuron.

        Parameters
        ----------
        images : array_like, shape (n_images, height, width) or (height, width)

        Returns
        -------
        ndarray, shape (n_neurons, n_images)
        """
        images = check_array(images, "images", ndim=(2, 3))
        if images.ndim == 2:
            images = images[None]
        if images.shape[1:] != tuple(self.image_shape):
            raise ValueError(f"images must have shape (n_images, {self.image_shape[0]}, {self.image_shape[1]}), "
                             f"got {images.shape}")
        flat = images.reshape(len(images), -1)
        first = self.fields[:, 0] @ flat.T
        second = self.fields[:, 1] @ flat.T
        relu = np.maximum
        simple = relu(first, 0) ** 2
        energy = first ** 2 + second ** 2
        subunits = (relu(first, 0) + relu(second, 0)) ** 2
        kind = self.cell_types[:, None]
        quadrature = (kind == "complex") | ((kind == "unreliable") & (np.arange(self.n_neurons)[:, None] % 2 == 1))
        return np.where(kind == "two-subunit", subunits, np.where(quadrature, energy, simple))

    def field_images(self, neurons=None):
        """The receptive field of each neuron as an image, both subunits for two-subunit cells.

        A simple or complex cell is shown by its first field (a complex cell's
        second field is the same pattern shifted in phase); a two-subunit cell
        by the sum of its two subunits, which sit at different places, so both
        show.

        Parameters
        ----------
        neurons : array_like of int, optional
            Which neurons (all by default).

        Returns
        -------
        ndarray, shape (len(neurons), height, width)

        Examples
        --------
        >>> population = make_population(1, 0, 1, 0, image_shape=(12, 16), random_state=0)
        >>> images = population.field_images()
        >>> images.shape
        (2, 12, 16)
        >>> bool(np.allclose(images[1].ravel(), population.fields[1].sum(axis=0)))
        True
        """
        neurons = np.arange(self.n_neurons) if neurons is None else np.asarray(neurons, dtype=int)
        fields = self.fields[neurons]
        two = (self.cell_types[neurons] == "two-subunit")[:, None]
        return np.where(two, fields[:, 0] + fields[:, 1], fields[:, 0]).reshape(len(neurons), *self.image_shape)

    def rates(self, images):
        """Expected spike counts, ``baseline + gain * drive``.

        Parameters
        ----------
        images : array_like, shape (n_images, height, width) or (height, width)

        Returns
        -------
        ndarray, shape (n_neurons, n_images)
        """
        return self.baseline[:, None] + self.gain[:, None] * self.drive(images)

    def spike_counts(self, images, n_trials=1, random_state=None):
        """Poisson spike counts.

        Parameters
        ----------
        images : array_like, shape (n_images, height, width) or (height, width)
        n_trials : int, default 1
        random_state : int, numpy.random.RandomState or None, default None
            None draws new counts on every call.

        Returns
        -------
        ndarray of float, shape (n_neurons, n_images, n_trials)
        """
        n_trials = check_int(n_trials, "n_trials", minimum=1)
        rng = as_random_state(random_state)
        rates = self.rates(images)
        return rng.poisson(np.repeat(rates[:, :, None], n_trials, axis=2)).astype(float)


def make_population(n_simple=50, n_complex=35, n_two_subunit=30, n_unreliable=20,
                    image_shape=IMAGE_SHAPE, random_state=0):
    """Draw a population of model V1 cells.

    Receptive fields are placed in the central part of the image, with
    spatial frequencies of 0.07 to 0.14 cycles/pixel (wavelengths of 7 to
    14 pixels). Gains are set so that the strongest responses to natural-like
    images (99.5th percentile) are 3 to 8 spikes above a baseline of 0.5 to
    2 spikes; unreliable cells reach only 0.3 to 0.8 spikes above baseline.

    Parameters
    ----------
    n_simple, n_complex, n_two_subunit, n_unreliable : int
        Number of cells of each type (in this order in the population).
    image_shape : (int, int), default (36, 64)
    random_state : int, numpy.random.RandomState or None, default 0

    Returns
    -------
    Population

    Examples
    --------
    >>> population = make_population(n_simple=2, n_complex=1, n_two_subunit=1, n_unreliable=0, image_shape=(12, 16))
    >>> population.cell_types.tolist()
    ['simple', 'simple', 'complex', 'two-subunit']
    """
    counts = [check_int(n, name, minimum=0) for n, name in
              [(n_simple, "n_simple"), (n_complex, "n_complex"),
               (n_two_subunit, "n_two_subunit"), (n_unreliable, "n_unreliable")]]
    n = sum(counts)
    if n == 0:
        raise ValueError("the population needs at least one neuron")
    rng = as_random_state(random_state)
    height, width = image_shape
    cell_types = np.repeat(np.array(CELL_TYPES), counts)
    centers = np.column_stack([rng.uniform(0.35, 0.65, n) * height, rng.uniform(0.3, 0.7, n) * width])
    frequency = rng.uniform(0.07, 0.14, n)
    orientation = rng.uniform(0, np.pi, n)
    envelope_sd = rng.uniform(0.35, 0.5, n) / frequency      # about half a wavelength
    aspect = rng.uniform(1.0, 1.6, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    first = oriented_fields(image_shape, centers, frequency, orientation, envelope_sd, aspect, phase)
    # second field: quadrature partner, or a second subunit beside the first
    offset_angle = orientation + np.pi / 2
    shift = 1.6 * envelope_sd * aspect
    centers2 = np.where((cell_types == "two-subunit")[:, None],
                        centers + shift[:, None] * np.column_stack([np.sin(offset_angle), np.cos(offset_angle)]),
                        centers)
    orientation2 = np.where(cell_types == "two-subunit",
                            orientation + rng.choice([-1, 1], n) * rng.uniform(np.pi / 3, np.pi / 2, n), orientation)
    phase2 = np.where(cell_types == "two-subunit", rng.uniform(0, 2 * np.pi, n), phase + np.pi / 2)
    second = oriented_fields(image_shape, centers2, frequency, orientation2, envelope_sd, aspect, phase2)
    baseline = rng.uniform(0.5, 2.0, n)
    peak = np.where(cell_types == "unreliable", rng.uniform(0.3, 0.8, n), rng.uniform(3.0, 8.0, n))
    population = Population(cell_types, np.stack([first, second], axis=1), baseline, np.ones(n),
                            tuple(image_shape), {"center": centers, "frequency": frequency,
                                                 "orientation": orientation, "envelope_sd": envelope_sd})
    calibration = natural_images(500, image_shape, random_state=rng)
    population.gain = peak / np.percentile(population.drive(calibration), 99.5, axis=1)
    return population


def true_oracle_correlation(rates, n_trials):
    """Expected leave-one-out oracle correlation of Poisson neurons.

    With rates ``lam`` over images, one trial has variance
    ``var(lam) + mean(lam)`` and the mean of the other ``n_trials - 1``
    trials ``var(lam) + mean(lam) / (n_trials - 1)``; their covariance is
    ``var(lam)``.

    Parameters
    ----------
    rates : array_like, shape (n_neurons, n_images)
    n_trials : int, >= 2

    Returns
    -------
    ndarray, shape (n_neurons,)
        NaN, without a warning, for a neuron whose rate is 0 for every image:
        its counts are all 0, and the correlation of constants is undefined
        (the rule of every correlation in ``helpers``). A constant positive
        rate gives 0: the trials are then pure, uncorrelated noise.

    Raises
    ------
    ValueError
        If a rate is negative, NaN or infinite, or ``n_trials < 2``.

    Examples
    --------
    >>> rates = np.array([[1.0, 3.0, 5.0], [2.0, 2.0, 2.0], [0.0, 0.0, 0.0]])
    >>> true_oracle_correlation(rates, n_trials=10).round(3)
    array([0.647, 0.   ,   nan])
    """
    rates = check_array(rates, "rates", ndim=2)
    n_trials = check_int(n_trials, "n_trials", minimum=2)
    if np.any(rates < 0):
        raise ValueError(f"rates must be expected spike counts >= 0, got a minimum of {rates.min()}")
    signal = rates.var(axis=1)
    noise = rates.mean(axis=1)
    denominator = np.sqrt((signal + noise) * (signal + noise / (n_trials - 1)))
    defined = denominator > 0
    return np.divide(signal, denominator, out=np.full(signal.shape, np.nan), where=defined)
