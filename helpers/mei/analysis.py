"""Analysis steps of the MEI assignment that are not exercises.

Functions that need an exercise's answer take it as an argument (for
example ``gabor_bank(create_gabor, ...)``), so the notebook runs on the
student's own implementation. Steps of an exercise are not here either: the
contrast projection of ``generate_mei`` and the correlation of ``oracle_correlation``
are written in the notebook.
"""

import itertools

import numpy as np
import torch

from helpers.mei.stimuli import check_image_shape
from helpers.validation import check_array, check_callable, check_int, check_number, check_positive, check_probability


def select_neurons(oracle, variance, min_oracle=0.5, variance_quantile=0.5):
    """Indices of reliable neurons that also respond differently to different images.

    Parameters
    ----------
    oracle : array_like, shape (n_neurons,)
        Oracle correlation of every neuron.
    variance : array_like, shape (n_neurons,)
        Variance over images of the trial-averaged response.
    min_oracle : float, default 0.5
    variance_quantile : float, default 0.5
        Keep neurons whose variance is at least this quantile of all variances.

    Returns
    -------
    ndarray of int
        Indices of the neurons kept, in increasing order.

    Examples
    --------
    >>> # reliable: neurons 0, 1, 3; variance at least the median (4): neurons 1, 2
    >>> select_neurons(oracle=[0.9, 0.9, 0.2, 0.7], variance=[1.0, 5.0, 5.0, 3.0])
    array([1])
    """
    oracle = check_array(oracle, "oracle", ndim=1, finite=False)
    variance = check_array(variance, "variance", ndim=1)
    if oracle.shape != variance.shape:
        raise ValueError(f"oracle and variance must have the same shape, got {oracle.shape} and {variance.shape}")
    min_oracle = check_number(min_oracle, "min_oracle")
    variance_quantile = check_probability(variance_quantile, "variance_quantile")
    keep = (oracle >= min_oracle) & (variance >= np.quantile(variance, variance_quantile))
    return np.flatnonzero(keep)


def gabor_parameter_grid(image_shape=(36, 64), wavelengths=(6, 9, 13), sigma_per_wavelength=(0.4, 0.6),
                         n_orientations=8, n_phases=4, dy=(-4, 0, 4), dx=(-12, -6, 0, 6, 12)):
    """All parameter combinations of the Gabor bank, as a list of dicts.

    Keys are the arguments of ``create_gabor``: ``phase``, ``wavelength``,
    ``orientation`` (radians), ``sigma`` (pixels, a multiple of the
    wavelength), ``dy`` and ``dx`` (pixels from the image center).

    Parameters
    ----------
    image_shape : (int, int), default (36, 64)
    wavelengths : sequence of float
        In pixels.
    sigma_per_wavelength : sequence of float
        Envelope size as a multiple of the wavelength.
    n_orientations, n_phases : int
        Evenly spaced over 180 and 360 degrees.
    dy, dx : sequence of float
        Offsets from the image center, in pixels.

    Returns
    -------
    list of dict
        One dict per combination.

    Examples
    --------
    >>> grid = gabor_parameter_grid((36, 64), wavelengths=(6,), sigma_per_wavelength=(0.5,), n_orientations=2,
    ...                             n_phases=2, dy=(0,), dx=(0,))
    >>> len(grid), sorted(grid[0])
    (4, ['dx', 'dy', 'height', 'orientation', 'phase', 'sigma', 'wavelength', 'width'])
    """
    height, width = check_image_shape(image_shape)
    n_orientations = check_int(n_orientations, "n_orientations", minimum=1)
    n_phases = check_int(n_phases, "n_phases", minimum=1)
    grid = []
    wavelengths = [check_positive(w, "wavelengths") for w in wavelengths]
    sigma_per_wavelength = [check_positive(f, "sigma_per_wavelength") for f in sigma_per_wavelength]
    dy, dx = [check_number(y, "dy") for y in dy], [check_number(x, "dx") for x in dx]
    for wavelength, factor, k, j, y, x in itertools.product(
            wavelengths, sigma_per_wavelength, range(n_orientations), range(n_phases), dy, dx):
        grid.append({"height": height, "width": width, "phase": 2 * np.pi * j / n_phases,
                     "wavelength": float(wavelength), "orientation": np.pi * k / n_orientations,
                     "sigma": factor * wavelength, "dy": float(y), "dx": float(x)})
    return grid


def gabor_bank(create_gabor, parameters):
    """Images of every Gabor in ``parameters``, as ``create_gabor`` draws them.

    The notebook then gives them the MEIs' mean and contrast (the projection
    step of ``generate_mei``, which is an exercise, so it is not done here).

    Parameters
    ----------
    create_gabor : callable
        Your ``create_gabor(height, width, phase, wavelength, orientation, sigma, dy, dx)``.
    parameters : list of dict
        From :func:`gabor_parameter_grid`.

    Returns
    -------
    ndarray, shape (n_gabors, height, width)

    Examples
    --------
    >>> def create_gabor(height, width, phase, wavelength, orientation, sigma, dy=0, dx=0):   # stands in for yours
    ...     return np.full((height, width), np.cos(phase))
    >>> gabor_bank(create_gabor, gabor_parameter_grid((8, 10), n_phases=2, wavelengths=(6,))).shape
    (480, 8, 10)
    """
    check_callable(create_gabor, "create_gabor",
                   "(height, width, phase, wavelength, orientation, sigma, dy, dx) -> image, like your create_gabor")
    if not parameters:
        raise ValueError("parameters must hold at least one Gabor")
    images = [np.asarray(create_gabor(**p), dtype=float) for p in parameters]
    shapes = {image.shape for image in images}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(f"create_gabor must return 2-D images of one shape, got shapes {sorted(shapes)}")
    return check_array(np.array(images), "the Gabor images", ndim=3)


def best_mei(generate_mei, model, neuron, n_starts=3, **kwargs):
    """Run ``generate_mei`` from ``n_starts`` white-noise starts; keep the best.

    Gradient ascent can end on a local maximum, so several starts
    (``random_state = 0, 1, ...``) are tried and the image with the highest
    model response is returned, with that response.

    Parameters
    ----------
    generate_mei : callable
        Your ``generate_mei(model, neuron, ..., random_state=...) -> image``.
    model : torch.nn.Module
    neuron : int
        The model output to maximize.
    n_starts : int, default 3
    **kwargs
        Passed to ``generate_mei``.

    Returns
    -------
    image : ndarray, shape (height, width)
    response : float
        The model's response to it.

    Examples
    --------
    >>> from helpers.mei.toy_models import TemplateModel
    >>> model = TemplateModel(np.ones((1, 4, 4)))          # responds to the mean brightness
    >>> def generate_mei(model, neuron, random_state=0):    # stands in for yours: a random image
    ...     return np.random.RandomState(random_state).normal(size=(4, 4))
    >>> image, response = best_mei(generate_mei, model, 0, n_starts=3)
    >>> image.shape, bool(response > 0)
    ((4, 4), True)
    """
    check_callable(generate_mei, "generate_mei", "(model, neuron, ..., random_state) -> image, like your generate_mei")
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    best, best_response = None, -np.inf
    for start in range(n_starts):
        image = np.asarray(generate_mei(model, neuron, random_state=start, **kwargs), dtype=float)
        with torch.no_grad():
            response = float(model(torch.as_tensor(image[None, None], dtype=torch.float32))[0, neuron])
        if response > best_response:
            best, best_response = image, response
    return best, best_response


def power_spectrum(image):
    """Power of the 2-D Fourier transform, zero frequency at the center (fftshift).

    Parameters
    ----------
    image : array_like, shape (height, width)

    Returns
    -------
    ndarray, shape (height, width)

    Examples
    --------
    >>> power = power_spectrum(np.ones((4, 4)))            # a flat image: only the zero frequency
    >>> power[2, 2], float(power.sum() - power[2, 2])
    (np.float64(256.0), 0.0)
    """
    image = check_array(image, "image", ndim=2)
    return np.abs(np.fft.fftshift(np.fft.fft2(image))) ** 2
