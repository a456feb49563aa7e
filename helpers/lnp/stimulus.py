"""Receptive fields and stimuli of the LNP tutorial."""

import numpy as np

from helpers.validation import as_random_state, check_array, check_image_shape, check_int, check_number, check_positive


def _check_center(center):
    center = check_array(center, "center", ndim=1)
    if center.shape != (2,):
        raise ValueError(f"center must be a pair (row, column), got {center.shape[0]} numbers")
    return center


def _grid(shape, center):
    """Pixel coordinates relative to the middle of the grid, shifted by ``center``."""
    rows, cols = shape
    y, x = np.mgrid[:rows, :cols].astype(float)
    y -= (rows - 1) / 2 + center[0]
    x -= (cols - 1) / 2 + center[1]
    return y, x


def gaussian_rf(size=15, width=7.0, center=(0.0, 0.0)):
    """A round Gaussian receptive field of unit (Euclidean) norm.

    Parameters
    ----------
    size : int, default 15
        The field is ``size`` x ``size`` pixels.
    width : float, default 7.0
        ``w(x, y)`` is proportional to ``exp(-(x**2 + y**2) / width)``, with
        ``x``, ``y`` in pixels from the center of the field.
    center : pair of float, default (0, 0)
        Offset of the peak from the middle of the grid, in pixels (row, column).

    Returns
    -------
    w : ndarray, shape (size, size)
        Non-negative, ``np.linalg.norm(w) == 1``. Flatten it for the model.

    Examples
    --------
    >>> w = gaussian_rf(5, width=2.0)
    >>> w.shape, round(float(np.linalg.norm(w)), 6)
    ((5, 5), 1.0)
    >>> np.unravel_index(np.argmax(w), w.shape)          # the peak in the middle
    (np.int64(2), np.int64(2))
    """
    size = check_int(size, "size", minimum=1)
    width = check_positive(width, "width")
    center = _check_center(center)
    y, x = _grid((size, size), center)
    w = np.exp(-(x ** 2 + y ** 2) / width)
    return w / np.linalg.norm(w)


def center_surround_rf(image_shape=(20, 15), center=(0.0, 0.0), sigma_center=1.5, sigma_surround=3.5,
                       surround_weight=0.8):
    """A difference-of-Gaussians (ON center, OFF surround) spatial profile of unit norm.

    Parameters
    ----------
    image_shape : pair of int, default (20, 15)
        Rows and columns of the field.
    center : pair of float
        Offset of the center from the middle of the grid, in pixels (row, column).
    sigma_center, sigma_surround : float
        Standard deviations (pixels) of the center and of the surround Gaussians.
    surround_weight : float, default 0.8
        Integral of the surround relative to the center; below 1 the field
        still responds to full-field light.

    Returns
    -------
    ndarray, shape ``image_shape``
        Unit Euclidean norm, positive in the center.

    Examples
    --------
    >>> rf = center_surround_rf((20, 15))
    >>> rf.shape, bool(rf[10, 7] > 0), bool(rf.min() < 0)   # ON center, OFF surround
    ((20, 15), True, True)
    """
    rows, cols = check_image_shape(image_shape)
    center = _check_center(center)
    surround_weight = check_number(surround_weight, "surround_weight")
    sigma_center = check_positive(sigma_center, "sigma_center")
    sigma_surround = check_positive(sigma_surround, "sigma_surround")
    y, x = _grid((rows, cols), center)
    distance2 = x ** 2 + y ** 2
    middle = np.exp(-distance2 / (2 * sigma_center ** 2)) / sigma_center ** 2
    surround = np.exp(-distance2 / (2 * sigma_surround ** 2)) / sigma_surround ** 2
    profile = middle - surround_weight * surround
    return profile / np.linalg.norm(profile)


def biphasic_kernel(n_lags=5, peak_lag=1.5, width=0.7, rebound=0.8):
    """A biphasic temporal kernel: a positive lobe, then a weaker negative one.

    Parameters
    ----------
    n_lags : int, default 5
    peak_lag : float, default 1.5
        Lag (frames) of the positive lobe.
    width : float, default 0.7
        Width (frames) of the positive lobe; the negative one is 1.3 times wider.
    rebound : float, default 0.8
        Relative size of the negative lobe.

    Returns
    -------
    ndarray, shape (n_lags,)
        Unit norm; entry ``k`` weighs the frame shown ``k`` frames before the count.

    Examples
    --------
    >>> biphasic_kernel(5).round(2)                  # a positive lobe, then a negative one
    array([ 0.08,  0.58,  0.43, -0.45, -0.52])
    """
    n_lags = check_int(n_lags, "n_lags", minimum=1)
    peak_lag, rebound = check_number(peak_lag, "peak_lag"), check_number(rebound, "rebound")
    width = check_positive(width, "width")
    lags = np.arange(n_lags, dtype=float)
    first = np.exp(-(lags - peak_lag) ** 2 / (2 * width ** 2))
    second = np.exp(-(lags - peak_lag - 2 * width - 0.6) ** 2 / (2 * (1.3 * width) ** 2))
    kernel = first - rebound * second
    return kernel / np.linalg.norm(kernel)


def binary_frames(n_frames, n_pixels, random_state=None):
    """Black-and-white noise movie: every pixel of every frame is 0 or 1 with probability 1/2.

    Parameters
    ----------
    n_frames, n_pixels : int
    random_state : int, numpy.random.RandomState or None, default None
        Seed or generator; None draws new frames on every call.

    Returns
    -------
    ndarray of uint8, shape (n_pixels, n_frames)
        One frame per column (the layout of ``DN_stim``).

    Examples
    --------
    >>> frames = binary_frames(n_frames=4, n_pixels=3, random_state=0)
    >>> frames.shape, frames.dtype, sorted(set(frames.ravel().tolist()))
    ((3, 4), dtype('uint8'), [0, 1])
    """
    n_frames = check_int(n_frames, "n_frames", minimum=1)
    n_pixels = check_int(n_pixels, "n_pixels", minimum=1)
    rng = as_random_state(random_state)
    return (rng.random_sample((n_pixels, n_frames)) < 0.5).astype(np.uint8)
