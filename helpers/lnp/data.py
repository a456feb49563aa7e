"""The "real neuron" of the LNP tutorial: a synthetic recording with a known receptive field.

The original lab used a recording (``nda_ex_6_data.mat``) that we cannot
distribute. :func:`generate_dataset` builds, deterministically, a file of the
same format and variable names from a neuron whose receptive field we know:

* ``DN_stim``: uint8, shape (300, 1500): 1500 black-and-white noise frames of
  20 x 15 pixels, one frame per column (``DN_stim[:, k].reshape(20, 15)``);
* ``DN_triggertimes``: shape (1501, 1): the times (s) at which the frames were
  swapped; frame ``k`` is on screen from trigger ``k`` to trigger ``k + 1``.
  The intervals are irregular (about 0.1 s, with a few dropped frames that last
  twice as long);
* ``DN_spiketimes``: shape (n_spikes, 1): spike times (s), uniformly jittered
  inside the frames, plus spontaneous spikes before the first trigger and
  after the last one.

The neuron is a linear-nonlinear-Poisson neuron with a separable
spatio-temporal receptive field: a center-surround spatial profile times a
biphasic temporal kernel over lags 0-4 frames.
"""

from pathlib import Path

import numpy as np
import scipy.io

from helpers.lnp.stimulus import biphasic_kernel, binary_frames, center_surround_rf
from helpers.stats import pearson_correlation
from helpers.validation import as_random_state, check_array

FILE_NAME = "nda_ex_6_data.mat"
FRAME_SHAPE = (20, 15)
N_FRAMES = 1500
N_LAGS = 5
FRAME_DURATION = 0.1      # seconds, on average
SEED = 2024

# Parameters of the synthetic neuron (log firing rate in Hz = BASELINE + drive).
BASELINE = np.log(20.0)
GAIN = 2.0
RF_CENTER = (-2.0, 1.5)   # pixels (row, column) from the middle of the 20 x 15 frame
SPONTANEOUS_RATE = 20.0   # Hz, before and after the stimulus
LEAD_IN, TAIL = 2.0, 1.0  # seconds of recording before the first and after the last trigger


def true_receptive_field():
    """The ground truth of the synthetic neuron.

    Returns
    -------
    spatial : ndarray, shape (300,)
        Unit-norm center-surround profile (reshape to (20, 15)), ON center.
    temporal : ndarray, shape (5,)
        Unit-norm biphasic kernel; entry ``k`` weighs the frame shown ``k``
        frames before the count.

    Examples
    --------
    >>> spatial, temporal = true_receptive_field()
    >>> spatial.shape, temporal.shape
    ((300,), (5,))
    """
    spatial = center_surround_rf(FRAME_SHAPE, center=RF_CENTER, sigma_surround=3.0, surround_weight=0.9)
    return spatial.ravel(), biphasic_kernel(N_LAGS)


def generate_dataset(random_state=SEED):
    """Simulate the recording; the default seed gives the shipped file.

    Parameters
    ----------
    random_state : int, numpy.random.RandomState or None, default ``SEED`` (2024)
        The default reproduces ``nda_ex_6_data.mat`` as shipped.

    Returns
    -------
    dict
        ``DN_stim`` (uint8, (300, 1500)), ``DN_triggertimes`` ((1501, 1)),
        ``DN_spiketimes`` ((n_spikes, 1)), as stored in the ``.mat`` file.

    Examples
    --------
    >>> data = generate_dataset()                      # the recording shipped with the notebook
    >>> data["DN_stim"].shape, data["DN_triggertimes"].shape
    ((300, 1500), (1501, 1))
    """
    rng = as_random_state(random_state)
    n_pixels = FRAME_SHAPE[0] * FRAME_SHAPE[1]
    stim = binary_frames(N_FRAMES, n_pixels, rng)
    spatial, temporal = true_receptive_field()
    filters = GAIN * np.outer(spatial, temporal)            # (n_pixels, n_lags)

    # Irregular frame durations: +-10 % jitter and about 2 % dropped frames.
    durations = FRAME_DURATION * (1 + 0.1 * rng.uniform(-1, 1, N_FRAMES))
    durations[rng.uniform(size=N_FRAMES) < 0.02] *= 2
    triggers = LEAD_IN + np.concatenate([[0.0], np.cumsum(durations)])

    # The neuron sees contrast (pixel - mean grey); frames before the first are grey.
    contrast = stim.T.astype(float) - 0.5                  # (n_frames, n_pixels)
    drive = np.full(N_FRAMES, BASELINE)
    for lag in range(N_LAGS):
        drive[lag:] += contrast[:N_FRAMES - lag] @ filters[:, lag]
    counts = rng.poisson(np.exp(drive) * durations)

    # Spike times uniformly inside their frame, never on its edges.
    frame_of_spike = np.repeat(np.arange(N_FRAMES), counts)
    jitter = rng.uniform(0.01, 0.99, frame_of_spike.size)
    evoked = triggers[frame_of_spike] + jitter * durations[frame_of_spike]
    before = rng.uniform(0, LEAD_IN, rng.poisson(SPONTANEOUS_RATE * LEAD_IN))
    after = triggers[-1] + rng.uniform(0.01, TAIL, rng.poisson(SPONTANEOUS_RATE * TAIL))
    spikes = np.sort(np.concatenate([before, evoked, after]))
    return {"DN_stim": stim, "DN_triggertimes": triggers[:, None], "DN_spiketimes": spikes[:, None]}


def write_dataset(path, random_state=SEED):
    """Write :func:`generate_dataset` to ``path`` with ``scipy.io.savemat`` (compressed).

    Parameters
    ----------
    path : str or pathlib.Path
        A file, or a folder to write ``nda_ex_6_data.mat`` into.
    random_state : int, numpy.random.RandomState or None, default ``SEED`` (2024)

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_dataset(folder)
    ...     sorted(k for k in scipy.io.loadmat(path) if k.startswith("DN_"))
    ['DN_spiketimes', 'DN_stim', 'DN_triggertimes']
    >>> path.name
    'nda_ex_6_data.mat'
    """
    path = Path(path)
    if path.is_dir():
        path = path / FILE_NAME
    scipy.io.savemat(path, generate_dataset(random_state), do_compression=True, oned_as="column")
    return path


def check_spike_data(spike_times, trigger_times):
    """Validate spike and trigger times; return them as flat float arrays.

    Parameters
    ----------
    spike_times, trigger_times : array_like
        Times in seconds, any shape (flattened).

    Returns
    -------
    spike_times, trigger_times : ndarray, 1-D

    Raises
    ------
    ValueError
        If ``trigger_times`` has fewer than two entries or is not strictly
        increasing, or if either array holds NaN or inf.

    Examples
    --------
    >>> check_spike_data([[0.5], [1.5]], [0.0, 1.0, 2.0])
    (array([0.5, 1.5]), array([0., 1., 2.]))
    >>> check_spike_data([0.5], [1.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: trigger_times must be strictly increasing (sorted, no repeats)
    """
    spike_times = check_array(spike_times, "spike_times").ravel()
    trigger_times = check_array(trigger_times, "trigger_times").ravel()
    if trigger_times.size < 2:
        raise ValueError(f"trigger_times needs at least 2 entries (one frame), got {trigger_times.size}")
    if np.any(np.diff(trigger_times) <= 0):
        raise ValueError("trigger_times must be strictly increasing (sorted, no repeats)")
    return spike_times, trigger_times


def check_counts_and_stimulus(c, s):
    """Validate spike counts and the stimulus frames they respond to.

    Parameters
    ----------
    c : array_like
        Spike counts, one per time bin (any shape, flattened).
    s : array_like, shape (n_bins, n_pixels)
        The stimulus frames, one per row.

    Returns
    -------
    c : ndarray, shape (n_bins,)
    s : ndarray, shape (n_bins, n_pixels)

    Raises
    ------
    ValueError
        If counts are negative or not whole numbers, or if ``c`` and ``s`` have
        different numbers of time bins.

    Examples
    --------
    >>> c, s = check_counts_and_stimulus([0, 2, 1], np.ones((3, 4)))
    >>> c, s.shape
    (array([0., 2., 1.]), (3, 4))
    >>> check_counts_and_stimulus([0, 2.5, 1], np.ones((3, 4)))
    Traceback (most recent call last):
    ...
    ValueError: c must hold whole spike counts
    """
    c = check_array(c, "c").ravel()
    s = check_array(s, "s", ndim=2)
    if np.any(c < 0):
        raise ValueError(f"c must hold spike counts >= 0, got a minimum of {c.min()}")
    if np.any(c != np.round(c)):
        raise ValueError("c must hold whole spike counts")
    if c.size != s.shape[0]:
        raise ValueError(f"c and s must have the same number of time bins: len(c) = {c.size}, "
                         f"s has {s.shape[0]} rows (one frame per row)")
    return c, s


def check_filter(w, n_pixels, name="w"):
    """Validate a receptive field: ``n_pixels`` numbers (any shape); returns it flat.

    Parameters
    ----------
    w : array_like
    n_pixels : int
    name : str, default "w"
        Argument name used in the error message.

    Returns
    -------
    ndarray, shape (n_pixels,)

    Raises
    ------
    ValueError
        If ``w`` has another number of entries or a non-finite one.

    Examples
    --------
    >>> check_filter(np.ones((2, 3)), 6)
    array([1., 1., 1., 1., 1., 1.])
    >>> check_filter(np.ones(5), 6)
    Traceback (most recent call last):
    ...
    ValueError: w must have 6 entries (one per pixel), got 5
    """
    w = check_array(w, name).ravel()
    if w.size != n_pixels:
        raise ValueError(f"{name} must have {n_pixels} entries (one per pixel), got {w.size}")
    return w


def rf_correlation(estimate, truth):
    """Pearson correlation between two receptive fields (any shapes with the same size).

    Parameters
    ----------
    estimate, truth : array_like
        Two filters with the same number of entries, compared entry by entry.

    Returns
    -------
    float
        The correlation, or NaN, without a warning, when it is undefined: a
        constant filter (for instance an all-zero Lasso fit) or fewer than two
        entries. This is the rule of every correlation in ``helpers``.

    Raises
    ------
    ValueError
        If the sizes differ or an entry is NaN or infinite.

    Examples
    --------
    >>> rf_correlation([1.0, 2.0, 3.0], [[2.0, 4.0, 6.5]])
    0.9979487157886733
    >>> rf_correlation([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    nan
    """
    estimate = check_array(estimate, "estimate").ravel()
    truth = check_array(truth, "truth").ravel()
    if estimate.size != truth.size:
        raise ValueError(f"estimate and truth must have the same size, got {estimate.size} and {truth.size}")
    return pearson_correlation(estimate, truth)


def orient_components(spatial, temporal):
    """Fix the arbitrary sign of an SVD pair for plotting.

    SVD may return ``(u, v)`` or ``(-u, -v)``, equally valid; we flip both so
    that the spatial pixel of largest magnitude is positive (an ON center),
    which keeps the product ``u v^T`` unchanged. Each is also scaled to unit
    norm.

    Parameters
    ----------
    spatial, temporal : array_like
        One pair of singular vectors (any shapes, flattened).

    Returns
    -------
    spatial, temporal : ndarray
        Unit norm, the spatial one with a positive largest pixel.

    Raises
    ------
    ValueError
        If either is all zeros.

    Examples
    --------
    >>> u, v = orient_components([0.0, -2.0], [3.0, 4.0])
    >>> u.round(3) + 0.0, v.round(3)                   # both flipped: the largest pixel is positive
    (array([0., 1.]), array([-0.6, -0.8]))
    """
    spatial = check_array(spatial, "spatial").ravel()
    temporal = check_array(temporal, "temporal").ravel()
    spatial_norm, temporal_norm = np.linalg.norm(spatial), np.linalg.norm(temporal)
    if spatial_norm == 0 or temporal_norm == 0:
        raise ValueError("spatial and temporal components must not be all zeros")
    sign = 1.0 if spatial[np.argmax(np.abs(spatial))] > 0 else -1.0
    return sign * spatial / spatial_norm, sign * temporal / temporal_norm
