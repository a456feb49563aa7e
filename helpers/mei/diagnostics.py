"""Looking inside an MEI optimisation, and choosing a mask from an image's profile.

* :class:`RecordingModel` wraps a model and records, at every call, the
  response of one neuron and the pixel standard deviation of the image: run
  your ``generate_mei`` on it and you get the optimisation's trace without
  changing your code.
* :func:`mei_from_starts` runs ``generate_mei`` from several white-noise
  starts and keeps every result; :func:`start_similarity` says how much the
  results agree.
* :func:`radial_profile` and :func:`radius_from_profile` choose the radius of
  a circular mask from where an image's contrast fades out.

Nothing here solves an exercise of the notebook: the functions that do
(``generate_mei``) are passed in as arguments.
"""

import numpy as np
import matplotlib.pyplot as plt
import torch
from torch import nn

from helpers.validation import check_array, check_int

__all__ = [
    "RecordingModel",
    "mei_from_starts",
    "plot_optimisation_trace",
    "plot_radial_profile",
    "radial_profile",
    "radius_from_profile",
    "start_similarity",
]


class RecordingModel(nn.Module):
    """A model that writes down what it was asked: the response of one neuron and the image's pixel sd.

    Every call of ``forward`` appends, for each image of the batch, the
    wrapped model's response of ``neuron`` to :attr:`responses` and the
    image's pixel standard deviation (``np.std``) to :attr:`pixel_sds`. A
    gradient-ascent loop calls the model once per step, so the lists are the
    trace of the optimisation (entry ``k``: the image after ``k`` steps).

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(batch, 1, height, width)`` to ``(batch, n_neurons)``.
    neuron : int
        Which output to record.

    Examples
    --------
    >>> class Sum(nn.Module):
    ...     def forward(self, x):
    ...         return x.sum(dim=(1, 2, 3))[:, None]
    >>> recorder = RecordingModel(Sum(), 0)
    >>> _ = recorder(torch.ones(1, 1, 2, 2))
    >>> _ = recorder(torch.tensor([[[[0.0, 2.0], [0.0, 2.0]]]]))
    >>> recorder.responses, recorder.pixel_sds
    ([4.0, 4.0], [0.0, 1.0])
    """

    def __init__(self, model, neuron):
        super().__init__()
        if not callable(model):
            raise TypeError(f"model must be callable, got {type(model).__name__}")
        self.model = model
        self.neuron = check_int(neuron, "neuron", minimum=0)
        self.responses = []
        self.pixel_sds = []

    def forward(self, images):
        output = self.model(images)
        with torch.no_grad():
            flat = images.detach().reshape(len(images), -1).double()
            self.responses.extend(float(v) for v in output[:, self.neuron].detach())
            self.pixel_sds.extend(float(v) for v in flat.std(dim=1, unbiased=False))
        return output


def plot_optimisation_trace(responses, pixel_sds, target_sd=None, axes=None):
    """Model response and pixel sd of the image against the step, side by side.

    Parameters
    ----------
    responses, pixel_sds : array_like, shape (n_steps,)
        For instance :attr:`RecordingModel.responses` and ``.pixel_sds``.
    target_sd : float, optional
        Drawn as a dashed line (the contrast constraint).
    axes : two matplotlib Axes, optional

    Returns
    -------
    (Axes, Axes)

    Examples
    --------
    >>> left, right = plot_optimisation_trace([1, 2, 3], [0.1, 0.1, 0.1], target_sd=0.1)
    >>> left.lines[0].get_ydata().tolist()
    [1.0, 2.0, 3.0]
    >>> plt.close("all")
    """
    responses = check_array(responses, "responses", ndim=1)
    pixel_sds = check_array(pixel_sds, "pixel_sds", ndim=1)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3))
    left, right = axes
    left.plot(np.arange(len(responses)), responses)
    left.set_xlabel("step")
    left.set_ylabel("model response")
    left.set_title("response of the neuron")
    right.plot(np.arange(len(pixel_sds)), pixel_sds, color="tab:orange")
    if target_sd is not None:
        right.axhline(target_sd, color="k", ls="--", lw=0.8, label="constraint")
        right.legend(fontsize=8)
    right.set_xlabel("step")
    right.set_ylabel("pixel sd")
    right.set_title("contrast of the image")
    return left, right


def mei_from_starts(generate_mei, model, neuron, n_starts=3, **kwargs):
    """Run ``generate_mei`` from white-noise starts ``random_state = 0, ..., n_starts - 1``; keep all.

    Parameters
    ----------
    generate_mei : callable
        ``generate_mei(model, neuron, ..., random_state=...)`` returning an image.
    model : torch.nn.Module
    neuron : int
    n_starts : int, default 3
    **kwargs
        Passed on to ``generate_mei`` (``n_steps``, ``image_shape``, ...).

    Returns
    -------
    images : ndarray, shape (n_starts, height, width)
    responses : ndarray, shape (n_starts,)
        The model's response of ``neuron`` to each image.

    Examples
    --------
    >>> class Sum(nn.Module):
    ...     def forward(self, x):
    ...         return x.sum(dim=(1, 2, 3))[:, None]
    >>> fake = lambda model, neuron, random_state=0: np.full((2, 2), float(random_state))
    >>> images, responses = mei_from_starts(fake, Sum(), 0, n_starts=3)
    >>> images.shape, responses.tolist()
    ((3, 2, 2), [0.0, 4.0, 8.0])
    """
    if not callable(generate_mei):
        raise TypeError(f"generate_mei must be callable, got {type(generate_mei).__name__}")
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    images = np.array([np.asarray(generate_mei(model, neuron, random_state=start, **kwargs), dtype=float)
                       for start in range(n_starts)])
    with torch.no_grad():
        responses = model(torch.as_tensor(images[:, None], dtype=torch.float32))[:, neuron]
    return images, responses.double().numpy()


def start_similarity(images):
    """Mean Pearson correlation between the pixels of every pair of images.

    1 when every start led to the same image; near 0 for unrelated images,
    and negative when they are shifted in phase by half a period.

    Parameters
    ----------
    images : array_like, shape (n_images, height, width), n_images >= 2

    Returns
    -------
    float

    Examples
    --------
    >>> stripes = np.tile([1.0, -1.0], (4, 2))
    >>> round(start_similarity([stripes, stripes, 2 * stripes]), 6)
    1.0
    >>> round(start_similarity([stripes, -stripes]), 6)
    -1.0
    """
    images = check_array(images, "images", ndim=3)
    if len(images) < 2:
        raise ValueError("start_similarity needs at least 2 images")
    flat = images.reshape(len(images), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    norms = np.sqrt((flat ** 2).sum(axis=1))
    if np.any(norms == 0):
        raise ValueError("an image is constant: its correlation with the others is undefined")
    unit = flat / norms[:, None]
    pairs = unit @ unit.T
    return float(pairs[np.triu_indices(len(images), 1)].mean())


def radial_profile(image, center, max_radius=None):
    """RMS pixel value in rings of width 1 pixel around ``center``.

    Ring ``k`` holds the pixels at distance ``[k - 0.5, k + 0.5)`` from the
    centre (ring 0: distance below 0.5). The RMS (not the mean) is used
    because a zero-mean pattern averages out to about 0 in every ring.

    Parameters
    ----------
    image : array_like, shape (height, width)
    center : (float, float)
        (row, column) of the centre.
    max_radius : int, optional
        Last ring (default: the largest ring with a pixel in it).

    Returns
    -------
    radii : ndarray of int
    profile : ndarray of float
        NaN for a ring without pixels.

    Examples
    --------
    >>> image = np.zeros((5, 5))
    >>> image[2, 2], image[2, 3] = 4.0, 2.0
    >>> radii, profile = radial_profile(image, (2, 2), max_radius=2)
    >>> radii.tolist(), profile.round(3).tolist()     # ring 1: 8 pixels (diagonals at 1.41 too), one of them 2
    ([0, 1, 2], [4.0, 0.707, 0.0])
    """
    image = check_array(image, "image", ndim=2)
    rows, cols = np.indices(image.shape)
    distance = np.hypot(rows - center[0], cols - center[1])
    ring = np.floor(distance + 0.5).astype(int).ravel()
    last = int(ring.max()) if max_radius is None else check_int(max_radius, "max_radius", minimum=0)
    keep = ring <= last
    sums = np.bincount(ring[keep], weights=image.ravel()[keep] ** 2, minlength=last + 1)
    counts = np.bincount(ring[keep], minlength=last + 1)
    profile = np.full(last + 1, np.nan)
    filled = counts > 0
    profile[filled] = np.sqrt(sums[filled] / counts[filled])
    return np.arange(last + 1), profile


def radius_from_profile(radii, profile, fraction=np.exp(-2)):
    """The radius from which a profile stays at or below ``fraction`` of its peak.

    For a Gabor patch with window ``sigma`` the RMS profile falls like
    ``exp(-r**2 / (2 sigma**2))``, so the default fraction ``exp(-2)`` gives a
    radius of about ``2 sigma``.

    Parameters
    ----------
    radii, profile : array_like, same length
        From :func:`radial_profile` (NaN rings are ignored).
    fraction : float in (0, 1)

    Returns
    -------
    float
        The first radius after the last ring above the threshold (the
        largest radius if the profile never falls to it).

    Examples
    --------
    >>> radii = np.arange(10)
    >>> float(radius_from_profile(radii, np.exp(-radii ** 2 / (2 * 3.0 ** 2))))
    6.0
    """
    radii = check_array(radii, "radii", ndim=1)
    profile = check_array(profile, "profile", ndim=1, finite=False)
    if radii.shape != profile.shape:
        raise ValueError(f"radii and profile must have the same length, got {radii.shape} and {profile.shape}")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    valid = ~np.isnan(profile)
    if not valid.any():
        raise ValueError("the profile has no value")
    radii, profile = radii[valid], profile[valid]
    above = np.flatnonzero(profile > fraction * profile.max())
    last = above[-1]
    return float(radii[min(last + 1, len(radii) - 1)])


def plot_radial_profile(profiles, labels, fraction=np.exp(-2), radius=None, ax=None):
    """Profiles relative to their peaks, with the threshold and a chosen radius.

    Parameters
    ----------
    profiles : list of (radii, profile)
    labels : list of str
    fraction : float
        Threshold drawn as a horizontal line.
    radius : float, optional
        Drawn as a vertical line (the mask's radius).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_radial_profile([radial_profile(np.eye(5), (2, 2))], ["diagonal"], radius=2)
    >>> len(ax.lines)
    3
    >>> plt.close("all")
    """
    if len(profiles) != len(labels):
        raise ValueError("profiles and labels must have the same length")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for (radii, profile), label in zip(profiles, labels):
        profile = np.asarray(profile, dtype=float)
        ax.plot(radii, profile / np.nanmax(profile), marker=".", label=label)
    ax.axhline(fraction, color="gray", ls=":", lw=1, label=f"{fraction:.3f} of the peak")
    if radius is not None:
        ax.axvline(radius, color="k", ls="--", lw=1, label=f"mask radius {radius:.1f}")
    ax.set_xlabel("distance from the mask centre (pixels)")
    ax.set_ylabel("RMS pixel value / peak")
    ax.legend(fontsize=8)
    return ax
