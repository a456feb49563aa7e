"""Figures of the correlations tutorial. Each function draws on ``ax`` (or a
new axes) and returns what it drew on; none of them computes science."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from helpers.plotting import get_axes, get_axes_grid
from helpers.validation import check_array


def plot_connectivity_matrix(A, ax=None, title=None, colorbar=True):
    """Show a connectivity matrix as a heat map centered on zero.

    Rows are the receiving neurons ("to"), columns the sending ones ("from");
    the ticks are whole neuron numbers.

    Parameters
    ----------
    A : array_like, shape (n_neurons, n_neurons)
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    title : str, optional
    colorbar : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_connectivity_matrix(np.eye(3), title="A")
    >>> ax.get_title(), ax.get_xlabel()
    ('A', 'connectivity from')
    >>> [t for t in ax.get_yticks() if t != int(t)]      # no neuron 2.5
    []
    >>> plt.close("all")
    """
    A = np.atleast_2d(check_array(A, "A", finite=False))
    ax = get_axes(ax)
    finite = np.abs(A[np.isfinite(A)])
    limit = finite.max() if finite.size and finite.max() > 0 else 1.0
    image = ax.imshow(A, vmin=-limit, vmax=limit, cmap="coolwarm")
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, ticks=[-limit, 0, limit], shrink=0.7)
        bar.ax.set_ylabel("connection strength", rotation=90)
    ax.set(xlabel="connectivity from", ylabel="connectivity to")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))
    if title is not None:
        ax.set_title(title)
    return ax


def plot_true_vs_estimated_connectivity(estimated, true, selected_neuron=None,
                                        correlation=None, axes=None):
    """Show the true connectivity next to its estimate.

    Parameters
    ----------
    estimated : array_like
        The estimate: a full matrix, or the column of one neuron.
    true : array_like, shape (n_neurons, n_neurons)
        The true connectivity.
    selected_neuron : int, optional
        If given, only the column of weights *from* this neuron is shown.
    correlation : float, optional
        Shown in the figure title when given (including a value of 0).
    axes : sequence of two Axes, optional
        Where to draw; if None, a new figure whose layout keeps the colorbar
        labels, axis labels and title apart at any network size.

    Returns
    -------
    ndarray of Axes

    Examples
    --------
    >>> axes = plot_true_vs_estimated_connectivity(0.5 * np.eye(3), np.eye(3), correlation=1.0)
    >>> [ax.get_title() for ax in axes]
    ['true connectivity A', 'estimated connectivity R']
    >>> axes[0].figure.get_suptitle()
    'correlation between A and R: 1.000'
    >>> plt.close("all")
    """
    # "compressed" packs square matrices without gaps; a single column is too narrow for it.
    axes = get_axes_grid(axes, 1, 2, figsize=(10, 4.5),
                         layout="compressed" if selected_neuron is None else "constrained")
    true = check_array(true, "true", ndim=2)
    estimated = check_array(estimated, "estimated", ndim=(1, 2), finite=False)
    if selected_neuron is not None:
        plot_connectivity_matrix(true[:, [selected_neuron]], ax=axes[0])
        plot_connectivity_matrix(estimated.reshape(-1, 1), ax=axes[1])
        for ax in axes:
            ax.set_xticks([0], [selected_neuron])
    else:
        plot_connectivity_matrix(true, ax=axes[0])
        plot_connectivity_matrix(estimated, ax=axes[1])
    axes[0].set_title("true connectivity A")
    axes[1].set_title("estimated connectivity R")
    if correlation is not None:
        axes[0].figure.suptitle(f"correlation between A and R: {correlation:.3f}")
    return axes


def plot_network_graph(A, ax=None):
    """Draw neurons on a circle with an arrow for every connection.

    Arrow opacity and width grow with the weight; ``A[i, j] > 0`` draws an
    arrow from neuron ``j`` to neuron ``i``.

    Parameters
    ----------
    A : array_like, shape (n_neurons, n_neurons)
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_network_graph(np.array([[0.0, 1.0], [0.0, 0.0]]))   # neuron 1 -> neuron 0
    >>> len(ax.patches)                            # one arrow
    1
    >>> plt.close("all")
    """
    A = check_array(A, "A", ndim=2)
    ax = get_axes(ax)
    n_neurons = len(A)
    angles = np.linspace(0, 2 * np.pi, n_neurons, endpoint=False)
    x, y = np.cos(angles), np.sin(angles)
    ax.scatter(x, y, c="k", s=150, zorder=3)
    strongest = A.max()
    if strongest > 0:
        for target, source in zip(*np.nonzero(A > 0)):
            weight = A[target, source] / strongest
            ax.arrow(x[source], y[source], x[target] - x[source], y[target] - y[source],
                     color="k", alpha=weight, width=weight / 25, head_width=0.15,
                     shape="right", length_includes_head=True)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_quality_curve(x, corr_data, xlabel, title, ax=None):
    """Mean +/- standard deviation over trials of an estimation-quality sweep.

    ``corr_data`` has one row per trial and one column per entry of ``x``;
    NaNs (empty random networks) are left out of the mean.

    Parameters
    ----------
    x : array_like, shape (n_values,)
    corr_data : array_like, shape (n_trials, len(x))
        Correlations of A and R, one row per trial; NaNs are left out of the mean.
    xlabel, title : str
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_quality_curve([1, 2], [[0.9, 0.5], [0.7, np.nan]], "x", "quality")
    >>> ax.lines[0].get_ydata()                    # the mean over trials, NaN left out
    array([0.8, 0.5])
    >>> plt.close("all")
    """
    corr_data = check_array(corr_data, "corr_data", ndim=2, finite=False)
    x = check_array(x, "x", ndim=1)
    if corr_data.shape[1] != len(x):
        raise ValueError(f"corr_data must have one column per x value ({len(x)}), got shape {corr_data.shape}")
    ax = get_axes(ax)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(np.isfinite(corr_data), corr_data, np.nan), axis=0)
        sd = np.nanstd(np.where(np.isfinite(corr_data), corr_data, np.nan), axis=0)
    ax.plot(x, mean, marker="o")
    ax.fill_between(x, mean - sd, mean + sd, alpha=0.2)
    ax.set(xlabel=xlabel, ylabel="correlation of A and R", title=title)
    return ax


def plot_estimation_quality_vs_n_neurons(sizes, corr_data, ax=None):
    """Estimation quality as a function of network size.

    Parameters
    ----------
    sizes : array_like
    corr_data : array_like, shape (n_trials, len(x))
        Correlations of A and R, one row per trial; NaNs are left out of the mean.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_estimation_quality_vs_n_neurons([5, 50], [[0.9, 0.4], [0.8, 0.3]])
    >>> ax.get_xlabel()
    'number of neurons'
    >>> plt.close("all")
    """
    return plot_quality_curve(sizes, corr_data, "number of neurons",
                              "similarity of A and R vs network size", ax=ax)


def plot_estimation_quality_vs_sparsity(sparsities, corr_data, ax=None):
    """Estimation quality as a function of the sparsity ``p`` of A.

    Parameters
    ----------
    sparsities : array_like
    corr_data : array_like, shape (n_trials, len(x))
        Correlations of A and R, one row per trial; NaNs are left out of the mean.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_estimation_quality_vs_sparsity([0.5, 0.9], [[0.3, 0.8]])
    >>> ax.get_title()
    'similarity of A and R vs sparsity'
    >>> plt.close("all")
    """
    return plot_quality_curve(sparsities, corr_data, "sparsity p (fraction of absent connections)",
                              "similarity of A and R vs sparsity", ax=ax)


def plot_estimation_quality_vs_coarseness(neurons_per_group, corr_data, n_neurons, ax=None):
    """Estimation quality of group averages as a function of group size.

    Parameters
    ----------
    neurons_per_group : array_like
    corr_data : array_like, shape (n_trials, len(x))
        Correlations of A and R, one row per trial; NaNs are left out of the mean.
    n_neurons : int
        Network size, shown in the axis label.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_estimation_quality_vs_coarseness([2, 4], [[0.6, 0.4]], n_neurons=8)
    >>> ax.get_xlabel()
    'neurons per group (8 neurons in total)'
    >>> plt.close("all")
    """
    ax = plot_quality_curve(neurons_per_group, corr_data,
                            f"neurons per group ({n_neurons} neurons in total)",
                            "connectivity estimation vs coarseness of sampling", ax=ax)
    ax.set_ylabel("correlation of estimated\neffective connectivity")
    return ax
