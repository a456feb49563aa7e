"""Natural-like grayscale images for the MEI assignment.

Real natural scenes have a power spectrum that falls roughly as ``1 / f^2``
and contain edges and objects. We imitate both: 1/f noise, plus a few blurred
edges (occlusion boundaries) and Gaussian blobs. Images are zero-mean (0 is
mean gray) with a pixel standard deviation (RMS contrast) near 0.25.
"""

import numpy as np

from helpers import validation
from helpers.validation import as_random_state, check_array, check_int, check_number

IMAGE_SHAPE = (36, 64)


def check_image_shape(image_shape, name="image_shape"):
    """Return ``image_shape`` as a tuple of two ints >= 4, or raise.

    Parameters
    ----------
    image_shape : object
    name : str, default "image_shape"
        Argument name used in the error message.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> check_image_shape((36, 64))
    (36, 64)
    """
    return validation.check_image_shape(image_shape, name, minimum=4)


def pink_noise(n_images, image_shape=IMAGE_SHAPE, exponent=1.0, random_state=None):
    """Gaussian noise whose Fourier amplitude falls as ``1 / f**exponent``.

    Parameters
    ----------
    n_images : int
    image_shape : (int, int), default (36, 64)
    exponent : float, default 1.0
        1 gives the 1/f amplitude (1/f^2 power) of natural images.
    random_state : int, numpy.random.RandomState or None, default None
        None draws new noise on every call.

    Returns
    -------
    ndarray, shape (n_images, height, width)
        Zero-mean images with unit pixel standard deviation.

    Examples
    --------
    >>> images = pink_noise(2, (12, 16), random_state=0)
    >>> images.shape, images.std(axis=(1, 2)).round(6)
    ((2, 12, 16), array([1., 1.]))
    """
    n_images = check_int(n_images, "n_images", minimum=1)
    height, width = check_image_shape(image_shape)
    rng = as_random_state(random_state)
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    frequency = np.hypot(fy, fx)
    frequency[0, 0] = 1.0
    amplitude = frequency ** -check_number(exponent, "exponent")
    amplitude[0, 0] = 0.0  # no mean luminance component
    noise = rng.standard_normal((n_images, height, width))
    images = np.fft.irfft2(np.fft.rfft2(noise) * amplitude, s=(height, width))
    images -= images.mean(axis=(1, 2), keepdims=True)
    images /= images.std(axis=(1, 2), keepdims=True)
    return images


def natural_images(n_images, image_shape=IMAGE_SHAPE, contrast=(0.15, 0.35), random_state=None):
    """Draw natural-like images: 1/f noise with edges and blobs.

    Parameters
    ----------
    n_images : int
        Number of images.
    image_shape : (int, int), default (36, 64)
        Height and width in pixels.
    contrast : (float, float), default (0.15, 0.35)
        Range of the pixel standard deviation of each image (drawn uniformly).
    random_state : int, numpy.random.RandomState or None

    Returns
    -------
    images : ndarray, shape (n_images, height, width)
        Zero-mean images.

    Examples
    --------
    >>> images = natural_images(3, (12, 16), contrast=(0.2, 0.2), random_state=0)
    >>> images.shape, images.std(axis=(1, 2)).round(6)
    ((3, 12, 16), array([0.2, 0.2, 0.2]))
    """
    rng = as_random_state(random_state)
    height, width = check_image_shape(image_shape)
    if isinstance(contrast, (str, bytes)) or not hasattr(contrast, "__len__"):
        raise TypeError(f"contrast must be a range (low, high) of numbers, got {type(contrast).__name__}")
    if len(contrast) != 2:
        raise ValueError(f"contrast must be a range (low, high), got {len(contrast)} numbers")
    low, high = (check_number(c, "contrast") for c in contrast)
    if not 0 < low <= high:
        raise ValueError(f"contrast must be a range (low, high) with 0 < low <= high, got {contrast!r}")
    images = 0.6 * pink_noise(n_images, (height, width), random_state=rng)
    rows, cols = np.mgrid[0:height, 0:width].astype(float)
    n_edges, n_blobs = 4, 4
    # Every image gets up to 4 edges and 4 blobs; absent ones have amplitude 0.
    # All random draws are made at once (the same stream whatever is drawn),
    # then only the present edges and blobs are computed (tanh and exp dominate
    # the cost), in chunks to bound memory. The sums run in the same order as
    # a full sum over all four, so the images are the same to the last bit.
    edge_on = rng.uniform(size=(n_images, n_edges)) < 0.5
    angle = rng.uniform(0, 2 * np.pi, (n_images, n_edges))
    edge_pos = rng.uniform(size=(n_images, n_edges, 2)) * (height, width)
    blur = rng.uniform(0.5, 2.0, (n_images, n_edges))
    extent = rng.uniform(-30, 0, (n_images, n_edges))
    edge_amp = edge_on * rng.choice([-1, 1], (n_images, n_edges)) * rng.uniform(0.5, 1.5, (n_images, n_edges))
    blob_on = rng.uniform(size=(n_images, n_blobs)) < 0.5
    blob_pos = rng.uniform(size=(n_images, n_blobs, 2)) * (height, width)
    blob_sd = rng.uniform(1.5, 6.0, (n_images, n_blobs))
    blob_amp = blob_on * rng.choice([-1, 1], (n_images, n_blobs)) * rng.uniform(0.5, 2.0, (n_images, n_blobs))
    for start in range(0, n_images, 256):
        part = slice(start, start + 256)
        edge_sum = np.zeros((min(256, n_images - start), height, width))
        blob_sum = np.zeros_like(edge_sum)
        for k in range(n_edges):
            on = np.flatnonzero(edge_amp[part, k])
            i = start + on
            dy = rows - edge_pos[i, k, 0, None, None]
            dx = cols - edge_pos[i, k, 1, None, None]
            cos, sin = np.cos(angle[i, k])[:, None, None], np.sin(angle[i, k])[:, None, None]
            across, along = dx * cos + dy * sin, -dx * sin + dy * cos
            edges = np.tanh(across / blur[i, k, None, None]) * (along > extent[i, k, None, None])
            edge_sum[on] += edge_amp[i, k, None, None] * edges
        for k in range(n_blobs):
            on = np.flatnonzero(blob_amp[part, k])
            i = start + on
            dy = rows - blob_pos[i, k, 0, None, None]
            dx = cols - blob_pos[i, k, 1, None, None]
            blobs = np.exp(-(dy ** 2 + dx ** 2) / (2 * blob_sd[i, k, None, None] ** 2))
            blob_sum[on] += blob_amp[i, k, None, None] * blobs
        images[part] += edge_sum
        images[part] += blob_sum
    images -= images.mean(axis=(1, 2), keepdims=True)
    images *= rng.uniform(low, high, size=(n_images, 1, 1)) / images.std(axis=(1, 2), keepdims=True)
    return images


def mean_contrast(images):
    """Target contrast C*: the mean over images of the pixel standard deviation.

    Parameters
    ----------
    images : array_like, shape (n_images, height, width)

    Returns
    -------
    float

    Examples
    --------
    >>> round(mean_contrast(natural_images(3, (12, 16), contrast=(0.2, 0.2), random_state=0)), 6)
    0.2
    """
    images = check_array(images, "images", ndim=3)
    return float(images.std(axis=(1, 2)).mean())
