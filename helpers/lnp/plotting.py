"""Figures of the LNP tutorial.

Each function draws on the ``ax`` (or ``axes``) it is given, or on a new figure
when none is given (see :mod:`helpers.plotting`), and returns what it drew on.
"""

import matplotlib.pyplot as plt
import numpy as np

from helpers.lnp.data import check_filter, check_spike_data
from helpers.plotting import get_axes, get_axes_grid
from helpers.validation import check_array, check_image_shape, check_int


def plot_rf(w, image_shape, ax=None, title=None, colorbar=False):
    """Show a receptive field (or any image given as a flat vector), zero in white.

    The colour scale is symmetric around 0: red is excitatory (more spikes
    when the pixel is bright), blue inhibitory.

    Parameters
    ----------
    w : array_like
        The field, ``image_shape[0] * image_shape[1]`` numbers (any shape).
    image_shape : pair of int
        ``(rows, columns)`` of the image; ``rows * columns`` entries are needed.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    title : str, optional
    colorbar : bool, default False

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_rf(np.arange(6.0) - 2.5, (2, 3), title="a field", colorbar=True)
    >>> ax.images[0].get_array().shape, ax.images[0].get_clim()   # zero in the middle of the scale
    ((2, 3), (-2.5, 2.5))
    >>> plt.close("all")
    """
    rows, cols = check_image_shape(image_shape)
    w = check_filter(w, rows * cols).reshape(rows, cols)
    ax = get_axes(ax)
    limit = np.max(np.abs(w)) or 1.0
    image = ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def plot_stimulus_frame(frame, image_shape, ax=None, title="one stimulus frame"):
    """Show one stimulus frame in grey levels (dark = low, light = high).

    Parameters
    ----------
    frame : array_like
        One frame, ``image_shape[0] * image_shape[1]`` numbers.
    image_shape : pair of int
        ``(rows, columns)`` of the image; ``rows * columns`` entries are needed.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    title : str, default "one stimulus frame"

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_stimulus_frame(np.arange(6.0), (2, 3), title="frame 0")
    >>> ax.get_title()
    'frame 0'
    >>> plt.close("all")
    """
    rows, cols = check_image_shape(image_shape)
    frame = check_filter(frame, rows * cols, name="frame").reshape(rows, cols)
    ax = get_axes(ax)
    ax.imshow(frame, cmap="gray", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    return ax


def plot_counts(c, dt, ax=None, n_bins=200):
    """Spike counts of the first ``n_bins`` time bins against time.

    Parameters
    ----------
    c : array_like, shape (n_bins,)
        Spike counts.
    dt : float
        Bin width in seconds.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    n_bins : int, default 200
        How many bins to show.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_counts([0, 2, 1, 3], dt=0.1, n_bins=3)
    >>> ax.get_title()
    'counts, first 3 bins'
    >>> plt.close("all")
    """
    c = check_array(c, "c").ravel()
    ax = get_axes(ax)
    shown = c[:n_bins]
    ax.vlines(np.arange(shown.size) * dt, 0, shown, color="0.3", linewidth=1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("spike count")
    ax.set_title(f"counts, first {shown.size} bins")
    return ax


def plot_rate_vs_counts(r, c, ax=None):
    """Scatter of the model rate against the sampled counts, with the identity line.

    Parameters
    ----------
    r, c : array_like, shape (n_bins,)
        Rates (expected counts) and sampled counts.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_rate_vs_counts([0.5, 1.0, 2.0], [0, 1, 3])
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('rate r (expected count)', 'count c')
    >>> plt.close("all")
    """
    r = check_array(r, "r").ravel()
    c = check_array(c, "c").ravel()
    if r.size != c.size:
        raise ValueError(f"r and c must have the same length, got {r.size} and {c.size}")
    ax = get_axes(ax)
    ax.scatter(r, c, s=6, alpha=0.4, color="tab:blue")
    top = max(r.max(), c.max()) if r.size else 1
    ax.plot([0, top], [0, top], color="k", linewidth=1, label="count = rate")
    ax.set_xlabel("rate r (expected count)")
    ax.set_ylabel("count c")
    ax.legend(loc="upper left", frameon=False)
    return ax


def plot_true_vs_fitted(w_true, w_fit, image_shape, axes=None, correlation=None):
    """True and fitted receptive fields side by side.

    Parameters
    ----------
    w_true, w_fit : array_like
        The two fields, ``image_shape[0] * image_shape[1]`` numbers each.
    image_shape : pair of int
        ``(rows, columns)`` of the image; ``rows * columns`` entries are needed.
    axes : sequence of two Axes, optional
        Where to draw; a new 1 x 2 figure if None.
    correlation : float, optional
        Shown in the title of the fitted field.

    Returns
    -------
    ndarray of Axes
        The axes drawn on.

    Examples
    --------
    >>> axes = plot_true_vs_fitted(np.arange(4.0), np.arange(4.0) + 1, (2, 2), correlation=1.0)
    >>> [ax.get_title() for ax in axes]
    ['true RF', 'fitted RF (corr. 1.000)']
    >>> plt.close("all")
    """
    axes = get_axes_grid(axes, 1, 2, figsize=(8, 4))
    plot_rf(w_true, image_shape, ax=axes[0], title="true RF", colorbar=True)
    title = "fitted RF" if correlation is None else f"fitted RF (corr. {correlation:.3f})"
    plot_rf(w_fit, image_shape, ax=axes[1], title=title, colorbar=True)
    return axes


def plot_lag_filters(W, image_shape, axes=None, label="lag", common_scale=True):
    """One panel per column of ``W`` (shape (n_pixels, n_lags)): the filter at each lag.

    Parameters
    ----------
    W : array_like, shape (n_pixels, n_lags)
    image_shape : pair of int
        ``(rows, columns)`` of the image; ``rows * columns`` entries are needed.
    axes : sequence of Axes, optional
        One per lag; a new 1 x n_lags figure if None.
    label : str, default "lag"
        Title prefix of every panel.
    common_scale : bool, default True
        One colour scale for all lags (else one per lag).

    Returns
    -------
    ndarray of Axes
        The axes drawn on.

    Examples
    --------
    >>> axes = plot_lag_filters(np.ones((6, 3)), (2, 3))
    >>> [ax.get_title() for ax in axes]
    ['lag 0', 'lag 1', 'lag 2']
    >>> plt.close("all")
    """
    rows, cols = check_image_shape(image_shape)
    W = check_array(W, "W", ndim=2)
    if W.shape[0] != rows * cols:
        raise ValueError(f"W must have {rows * cols} rows (one per pixel), got {W.shape[0]}")
    n_lags = W.shape[1]
    axes = get_axes_grid(axes, 1, n_lags, figsize=(2.2 * n_lags, 3))
    limit = np.max(np.abs(W)) or 1.0
    for lag, ax in zip(range(n_lags), axes):
        column = W[:, lag].reshape(rows, cols)
        scale = limit if common_scale else (np.max(np.abs(column)) or 1.0)
        ax.imshow(column, cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{label} {lag}")
    return axes


def plot_space_time(spatial, temporal, image_shape, axes=None, truth=None):
    """The spatial component as an image and the temporal one as a curve over lags.

    ``truth`` is an optional ``(spatial, temporal)`` pair drawn for comparison
    (the temporal truth is scaled to the estimate's norm).

    Parameters
    ----------
    spatial : array_like
        ``image_shape[0] * image_shape[1]`` numbers.
    temporal : array_like, shape (n_lags,)
    image_shape : pair of int
        ``(rows, columns)`` of the image; ``rows * columns`` entries are needed.
    axes : sequence of two Axes, optional
        Where to draw; a new 1 x 2 figure if None.
    truth : pair of array_like, optional
        ``(spatial, temporal)`` ground truth.

    Returns
    -------
    ndarray of Axes
        The axes drawn on.

    Examples
    --------
    >>> axes = plot_space_time(np.arange(6.0), [0.2, 1.0, -0.5], (2, 3))
    >>> axes[1].lines[0].get_ydata()
    array([ 0.2,  1. , -0.5])
    >>> plt.close("all")
    """
    rows, cols = check_image_shape(image_shape)
    spatial = check_filter(spatial, rows * cols, name="spatial")
    temporal = check_array(temporal, "temporal").ravel()
    axes = get_axes_grid(axes, 1, 2, figsize=(9, 3.5))
    plot_rf(spatial, image_shape, ax=axes[0], title="spatial component")
    lags = np.arange(temporal.size)
    axes[1].plot(lags, temporal, "o-", label="estimate")
    if truth is not None:
        true_temporal = check_array(truth[1], "truth temporal").ravel()
        axes[1].plot(lags, true_temporal * np.linalg.norm(temporal) / np.linalg.norm(true_temporal),
                     "k--", label="truth (scaled)")
        axes[1].legend(frameon=False)
    axes[1].axhline(0, color="0.7", linewidth=1)
    axes[1].set_xticks(lags)
    axes[1].set_xlabel("lag (frames)")
    axes[1].set_title("temporal component")
    return axes


def plot_binning(spike_times, trigger_times, counts=None, n_frames=10, ax=None):
    """The first ``n_frames`` frame intervals (grey lines) with the spikes inside them.

    If ``counts`` is given, each interval is labelled with its count, so the
    binning can be checked by eye.

    Parameters
    ----------
    spike_times, trigger_times : array_like
        Times in seconds; ``trigger_times`` strictly increasing.
    counts : array_like, optional
        The count of every frame, written above it.
    n_frames : int, default 10
        How many frame intervals to show.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_binning([0.2, 0.7, 1.1], trigger_times=[0.0, 1.0, 2.0], counts=[2, 1])
    >>> [text.get_text() for text in ax.texts]         # the count of every frame
    ['2', '1']
    >>> plt.close("all")
    """
    spike_times, trigger_times = check_spike_data(spike_times, trigger_times)
    n_frames = min(check_int(n_frames, "n_frames", minimum=1), trigger_times.size - 1)
    edges = trigger_times[:n_frames + 1]
    ax = get_axes(ax)
    shown = spike_times[(spike_times >= edges[0] - 0.05) & (spike_times <= edges[-1] + 0.05)]
    ax.vlines(shown, 0, 1, color="tab:red", linewidth=1.5, label="spikes")
    for edge in edges:
        ax.axvline(edge, color="0.5", linestyle="--", linewidth=1)
    if counts is not None:
        counts = check_array(counts, "counts").ravel()
        for k in range(min(n_frames, counts.size)):
            ax.text((edges[k] + edges[k + 1]) / 2, 1.05, f"{counts[k]:g}", ha="center")
    ax.set_ylim(0, 1.2)
    ax.set_yticks([])
    ax.set_xlabel("time (s)")
    ax.set_title("spikes (red) and frame triggers (dashed)")
    return ax


def plot_ml_vs_lasso(W_ml, W_lasso, image_shape, axes=None):
    """Maximum-likelihood filters (top row) and Lasso filters (bottom row), one column per lag.

    Parameters
    ----------
    W_ml, W_lasso : array_like, shape (n_pixels, n_lags)
        The ML filters are shown mean-subtracted per lag.
    image_shape : pair of int
        ``(rows, columns)`` of the image; ``rows * columns`` entries are needed.
    axes : array of Axes, shape (2, n_lags), optional
        Where to draw; a new 2 x n_lags figure if None.

    Returns
    -------
    ndarray of Axes
        The axes drawn on.

    Examples
    --------
    >>> axes = plot_ml_vs_lasso(np.ones((6, 2)), np.zeros((6, 2)), (2, 3))
    >>> axes.shape, axes[1, 0].get_title()
    ((2, 2), 'Lasso, lag 0')
    >>> plt.close("all")
    """
    W_ml = check_array(W_ml, "W_ml", ndim=2)
    W_lasso = check_array(W_lasso, "W_lasso", ndim=2)
    if W_ml.shape != W_lasso.shape:
        raise ValueError(f"W_ml and W_lasso must have the same shape, got {W_ml.shape} and {W_lasso.shape}")
    axes = get_axes_grid(axes, 2, W_ml.shape[1], figsize=(2.2 * W_ml.shape[1], 5.5))
    plot_lag_filters(W_ml - W_ml.mean(axis=0), image_shape, axes=axes[0], label="ML, lag")
    plot_lag_filters(W_lasso, image_shape, axes=axes[1], label="Lasso, lag")
    return axes


