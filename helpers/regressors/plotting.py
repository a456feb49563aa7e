"""Figures of the correlated-regressors tutorial. Each function draws on ``ax``
(or a new axes) and returns it; none of them computes science."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogFormatter

from helpers.plotting import get_axes
from helpers.validation import check_array


def plot_regressors(times, regressors, labels=None, ax=None, markers=False):
    """Plot one or more time courses (regressors, signals) against scan time.

    Parameters
    ----------
    times : array_like, shape (n_scans,)
    regressors : sequence of array_like, each shape (n_scans,)
    labels : sequence of str, optional
        A legend is drawn when given.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    markers : bool, default False
        Mark the sampled scans.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> times = np.arange(4.0)
    >>> ax = plot_regressors(times, [times, -times], labels=["up", "down"])
    >>> len(ax.lines), ax.get_xlabel()
    (3, 'time (s)')
    >>> plt.close("all")
    """
    times = check_array(times, "times", ndim=1)
    regressors = [check_array(r, "regressors", ndim=1) for r in regressors]
    for r in regressors:
        if r.shape != times.shape:
            raise ValueError(f"every regressor must have one value per time ({times.size}), got {r.size}")
    if labels is not None and len(labels) != len(regressors):
        raise ValueError(f"labels must have one entry per regressor ({len(regressors)}), got {len(labels)}")
    ax = get_axes(ax)
    for i, r in enumerate(regressors):
        ax.plot(times, r, marker="o" if markers else None, label=None if labels is None else labels[i])
    ax.axhline(0, color="0.7", lw=0.8, zorder=0)
    ax.set(xlabel="time (s)", ylabel="value")
    if labels is not None:
        ax.legend()
    return ax


def plot_data(times, signal, data, ax=None):
    """The noise-free signal as a line and one noisy data vector as crosses.

    Parameters
    ----------
    times : array_like, shape (n_scans,)
    signal, data : array_like, shape (n_scans,)
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_data(np.arange(3.0), [0.0, 1.0, 0.0], [0.1, 0.8, -0.2])
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['signal', 'signal + noise']
    >>> plt.close("all")
    """
    times = check_array(times, "times", ndim=1)
    ax = plot_regressors(times, [signal], labels=["signal"], ax=ax)
    data = check_array(data, "data", ndim=1)
    if data.shape != times.shape:
        raise ValueError(f"data must have one value per time ({times.size}), got {data.size}")
    ax.plot(times, data, "+", ms=10, color="k", label="signal + noise")
    ax.legend()
    return ax


def plot_design(X, ax=None, title=None, column_labels=None):
    """Show a design matrix as a grey-scale image: one row per scan, one column per regressor.

    Parameters
    ----------
    X : array_like, shape (n_scans, n_columns)
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    title : str, optional
    column_labels : sequence of str, optional

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_design(np.ones((5, 2)), title="X", column_labels=["hrf1", "mean"])
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['hrf1', 'mean']
    >>> plt.close("all")
    """
    X = check_array(X, "X", ndim=2)
    ax = get_axes(ax)
    ax.imshow(X, interpolation="nearest", cmap="gray", aspect="auto")
    ax.set(xlabel="regressor", ylabel="scan")
    ax.set_xticks(range(X.shape[1]))
    if column_labels is not None:
        ax.set_xticklabels(column_labels)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_estimate_histogram(estimates, ax=None, label=None, predicted_sd=None, bins=50):
    """Histogram of simulated estimates of one parameter.

    Parameters
    ----------
    estimates : array_like, shape (n_samples,)
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    label : str, optional
        Name of the parameter, used in the title.
    predicted_sd : float, optional
        Draw the normal density with the simulated mean and this standard
        deviation on top of the (density-scaled) histogram.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_estimate_histogram([0.9, 1.0, 1.1, 1.0], label="hrf1", predicted_sd=0.07)
    >>> ax.get_title()
    'hrf1: mean 1.000, sd 0.071'
    >>> plt.close("all")
    """
    estimates = check_array(estimates, "estimates", ndim=1)
    ax = get_axes(ax)
    ax.hist(estimates, bins=bins, density=predicted_sd is not None, color="C0", alpha=0.7)
    mean, sd = estimates.mean(), estimates.std()
    if predicted_sd is not None:
        grid = np.linspace(estimates.min(), estimates.max(), 200)
        density = np.exp(-0.5 * ((grid - mean) / predicted_sd) ** 2) / (predicted_sd * np.sqrt(2 * np.pi))
        ax.plot(grid, density, color="C3", label=f"predicted sd {predicted_sd:.3f}")
        ax.legend(loc="upper right")
    ax.axvline(mean, color="k", lw=1)
    ax.set(xlabel="estimate", ylabel="density" if predicted_sd is not None else "count")
    ax.set_title(f"{label + ': ' if label else ''}mean {mean:.3f}, sd {sd:.3f}")
    return ax


def plot_estimate_scatter(x, y, ax=None, xlabel="", ylabel="", max_points=1000, marker="."):
    """Scatter plot of two sets of estimates, with their correlation in the title.

    Only the first ``max_points`` pairs are drawn (to keep figures light);
    the correlation uses all of them.

    Parameters
    ----------
    x, y : array_like, shape (n_samples,)
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    xlabel, ylabel : str
    max_points : int, default 1000
    marker : str, default "."

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_estimate_scatter([1.0, 2.0, 3.0], [3.0, 2.0, 1.0], xlabel="hrf1", ylabel="hrf2")
    >>> ax.get_title()
    'correlation -1.0000'
    >>> plt.close("all")
    """
    x = check_array(x, "x", ndim=1)
    y = check_array(y, "y", ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    ax = get_axes(ax)
    ax.plot(x[:max_points], y[:max_points], marker, ms=3, alpha=0.5, ls="none")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if x.size > 1 and np.ptp(x) > 0 and np.ptp(y) > 0:
        ax.set_title(f"correlation {np.corrcoef(x, y)[0, 1]:.4f}")
    return ax


class _PlainLogFormatter(LogFormatter):
    """Labels the ticks matplotlib would label on a log axis, as plain numbers (0.3, 2, 50)."""

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        return f"{x:g}" if label else ""


def plot_sd_vs_shift(shifts, predicted, simulated=None, ax=None, current=None):
    """Predicted (line) and simulated (dots) sd of an estimate against the shift.

    ``predicted`` has one value per shift; ``simulated`` is either one value
    per shift or a single ``(shift, sd)`` pair; ``current`` marks a shift.

    Parameters
    ----------
    shifts : array_like, shape (n_shifts,)
    predicted : array_like, shape (n_shifts,) or (n_shifts, k)
    simulated : array_like, optional
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    current : float, optional

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_sd_vs_shift([1.0, 2.0, 4.0], [0.9, 0.5, 0.3], simulated=(2.0, 0.52), current=2.0)
    >>> ax.get_yscale(), len(ax.lines)
    ('log', 3)
    >>> ax.figure.canvas.draw()
    >>> [t.get_text() for t in ax.yaxis.get_ticklabels(minor=True) if t.get_text()][:3]
    ['0.2', '0.3', '0.4']
    >>> plt.close("all")
    """
    shifts = check_array(shifts, "shifts", ndim=1)
    predicted = check_array(predicted, "predicted", ndim=(1, 2), finite=False)
    if predicted.shape[0] != shifts.size:
        raise ValueError(f"predicted must have one row per shift ({shifts.size}), got {predicted.shape[0]}")
    ax = get_axes(ax)
    ax.plot(shifts, predicted, label="predicted")
    if simulated is not None:
        simulated = check_array(simulated, "simulated", ndim=(1, 2))
        if simulated.ndim == 1 and simulated.size == 2 and shifts.size != 2:
            ax.plot(*simulated, "o", color="C3", label="simulated")
        else:
            ax.plot(shifts, simulated, "o", color="C3", label="simulated")
    if current is not None:
        ax.axvline(current, color="0.5", ls="--")
    ax.set(xlabel="shift between the events (s)", ylabel="sd of the estimate", yscale="log")
    # Plain numbers (2, 3, 0.5) on the log axis, not 2x10^0: the range is often under a decade.
    ax.yaxis.set_major_formatter(_PlainLogFormatter())
    ax.yaxis.set_minor_formatter(_PlainLogFormatter())
    ax.legend()
    return ax
