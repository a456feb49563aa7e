"""Figures of the MEI assignment. Each function draws on the axes it is given
(or new ones) and returns them; none of them computes science."""

import matplotlib.pyplot as plt
import numpy as np

from helpers.plotting import get_axes, get_axes_grid
from helpers.validation import check_array, check_int, check_number

TYPE_COLORS = {"simple": "tab:blue", "complex": "tab:orange", "two-subunit": "tab:green",
               "unreliable": "tab:gray"}


def show_image(image, ax=None, title=None, limit=None):
    """Gray-scale image centered on 0 (mean gray), without ticks.

    Parameters
    ----------
    image : array_like, shape (height, width)
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    title : str, optional
    limit : float, optional
        The gray scale runs from ``-limit`` to ``limit``; default the largest
        absolute pixel.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = show_image(np.array([[-1.0, 0.5], [0.0, 1.0]]), title="an image")
    >>> ax.images[0].get_clim()                          # symmetric around mean gray
    (-1.0, 1.0)
    >>> plt.close("all")
    """
    image = check_array(image, "image", ndim=2)
    ax = get_axes(ax)
    limit = limit if limit is not None else (np.abs(image).max() or 1.0)
    ax.imshow(image, cmap="gray", vmin=-limit, vmax=limit)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


def plot_image_grid(images, titles=None, ncols=6, size=1.8, axes=None, max_width=10.0):
    """A grid of images, each with :func:`show_image`; returns the figure.

    Parameters
    ----------
    images : array_like, shape (n_images, height, width)
    titles : sequence of str, optional
        One title per image.
    ncols : int, default 6
        Columns of a new grid (it gets as many rows as needed).
    size : float, default 1.8
        Height of one panel of a new grid, in inches (smaller if the grid
        would be wider than ``max_width``).
    axes : array of Axes, optional
        Draw into these (at least one per image) instead of a new figure;
        axes left over are switched off.
    max_width : float, default 10
        Largest width of a new figure, in inches: the panels shrink, keeping
        their shape, so the figure fits a page or a notebook (and its PNG a
        feedback page) at its natural size.

    Returns
    -------
    matplotlib.figure.Figure
        The figure of the grid (the one ``axes`` belong to, if given).

    Examples
    --------
    >>> fig = plot_image_grid(np.zeros((3, 4, 4)), titles=["a", "b", "c"], ncols=2)
    >>> len(fig.axes), fig.axes[2].get_title()
    (4, 'c')
    >>> plt.close(fig)
    >>> [float(round(v, 2)) for v in plot_image_grid(np.zeros((12, 4, 4)), ncols=6).get_size_inches()]
    [10.0, 2.08]
    >>> plt.close("all")
    """
    images = check_array(images, "images", ndim=3)
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must have one entry per image ({len(images)}), got {len(titles)}")
    if axes is None:
        ncols = check_int(ncols, "ncols", minimum=1)
        nrows = int(np.ceil(len(images) / ncols))
        max_width = check_number(max_width, "max_width", positive=True)
        size = min(check_number(size, "size", positive=True), max_width / (ncols * 1.6))
        axes = get_axes_grid(None, nrows, ncols, figsize=(ncols * size * 1.6, nrows * size))
    axes = np.asarray(axes, dtype=object).ravel()
    if axes.size < len(images):
        raise ValueError(f"axes must hold at least one panel per image ({len(images)}), got {axes.size}")
    fig = axes[0].figure
    for index, ax in enumerate(axes):
        if index < len(images):
            show_image(images[index], ax=ax, title=None if titles is None else titles[index])
        else:
            ax.axis("off")
    return fig


def plot_oracle_vs_truth(oracle, truth, cell_types, ax=None):
    """Measured oracle correlation against its simulated expectation, by cell type.

    Parameters
    ----------
    oracle, truth : array_like, shape (n_neurons,)
        Measured and expected oracle correlations.
    cell_types : sequence of str, shape (n_neurons,)
        One of ``helpers.mei.CELL_TYPES`` per neuron (sets the colour).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> cell_types = ["simple", "complex", "simple"]
    >>> ax = plot_oracle_vs_truth([0.8, 0.6, 0.9], [0.85, 0.55, 0.9], cell_types)
    >>> ax.get_ylabel()
    'measured oracle correlation'
    >>> plt.close("all")
    """
    oracle = check_array(oracle, "oracle", ndim=1, finite=False)
    truth = check_array(truth, "truth", ndim=1)
    ax = get_axes(ax)
    for kind, color in TYPE_COLORS.items():
        mask = np.asarray(cell_types) == kind
        ax.scatter(truth[mask], oracle[mask], s=14, color=color, label=kind)
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set(xlabel="expected oracle correlation (simulation)", ylabel="measured oracle correlation")
    ax.legend(fontsize=8)
    return ax


def plot_selection(oracle, variance, selected, cell_types, min_oracle, min_variance, ax=None):
    """Oracle correlation vs response variance; selected neurons filled.

    Parameters
    ----------
    oracle, variance : array_like, shape (n_neurons,)
    selected : array_like of int
        Indices of the selected neurons.
    cell_types : sequence of str, shape (n_neurons,)
        One of ``helpers.mei.CELL_TYPES`` per neuron (sets the colour).
    min_oracle, min_variance : float
        The two thresholds, drawn as dashed lines.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> cell_types = ["simple", "complex", "simple"]
    >>> ax = plot_selection([0.8, 0.3, 0.9], [1.0, 2.0, 3.0], [0, 2], cell_types, min_oracle=0.5, min_variance=1.5)
    >>> ax.get_title()
    'filled: selected'
    >>> plt.close("all")
    """
    oracle = check_array(oracle, "oracle", ndim=1, finite=False)
    variance = check_array(variance, "variance", ndim=1)
    ax = get_axes(ax)
    chosen = np.zeros(len(oracle), dtype=bool)
    chosen[np.asarray(selected, dtype=int)] = True
    for kind, color in TYPE_COLORS.items():
        mask = np.asarray(cell_types) == kind
        ax.scatter(variance[mask & chosen], oracle[mask & chosen], s=16, color=color, label=kind)
        ax.scatter(variance[mask & ~chosen], oracle[mask & ~chosen], s=16, facecolors="none", edgecolors=color)
    ax.axhline(min_oracle, color="k", lw=0.8, ls="--")
    ax.axvline(min_variance, color="k", lw=0.8, ls="--")
    ax.set(xscale="log", xlabel="variance of the mean response over images", ylabel="oracle correlation",
           title="filled: selected")
    ax.legend(fontsize=8)
    return ax


def plot_values_by_type(values, cell_types, ax=None, ylabel="", reference=None):
    """Strip plot of one value per neuron, grouped by cell type.

    Parameters
    ----------
    values : array_like, shape (n_neurons,)
    cell_types : sequence of str, shape (n_neurons,)
        One of ``helpers.mei.CELL_TYPES`` per neuron (sets the colour).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    ylabel : str, default ""
    reference : float, optional
        Drawn as a dashed horizontal line.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> cell_types = ["simple", "complex", "simple"]
    >>> ax = plot_values_by_type([1.2, 0.9, 1.4], cell_types, ylabel="ratio", reference=1.0)
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['simple', 'complex']
    >>> plt.close("all")
    """
    values = check_array(values, "values", ndim=1, finite=False)
    ax = get_axes(ax)
    kinds = [k for k in TYPE_COLORS if np.any(np.asarray(cell_types) == k)]
    for position, kind in enumerate(kinds):
        mask = np.asarray(cell_types) == kind
        jitter = np.linspace(-0.15, 0.15, mask.sum()) if mask.sum() > 1 else np.zeros(1)
        ax.scatter(position + jitter, values[mask], s=14, color=TYPE_COLORS[kind])
        ax.plot([position - 0.25, position + 0.25], [np.median(values[mask])] * 2, color="k", lw=2)
    if reference is not None:
        ax.axhline(reference, color="gray", lw=0.8, ls="--")
    ax.set_xticks(range(len(kinds)), kinds)
    ax.set_ylabel(ylabel)
    return ax


def plot_response_comparison(mei, gabor, natural, ax=None, title="model responses"):
    """Responses to MEI, best Gabor and best natural image, one line per neuron.

    Parameters
    ----------
    mei, gabor, natural : array_like, shape (n_neurons,)
        Model responses to each neuron's MEI, best Gabor and best test image.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    title : str, default "model responses"

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_response_comparison([5.0, 6.0], [4.0, 3.0], [2.0, 2.5])
    >>> ax.lines[-1].get_ydata()                         # the median of each column
    array([5.5 , 3.5 , 2.25])
    >>> plt.close("all")
    """
    responses = np.column_stack([check_array(mei, "mei", ndim=1), check_array(gabor, "gabor", ndim=1),
                                 check_array(natural, "natural", ndim=1)])
    ax = get_axes(ax)
    ax.plot([0, 1, 2], responses.T, color="gray", alpha=0.5, lw=0.8)
    ax.plot([0, 1, 2], np.median(responses, axis=0), color="k", lw=2, marker="o", label="median")
    ax.set_xticks([0, 1, 2], ["MEI", "best Gabor", "best test image"])
    ax.set(ylabel="predicted spike count", title=title)
    ax.legend(fontsize=8)
    return ax


def plot_power_spectrum(power, ax=None, title=None):
    """Log power spectrum, zero frequency at the center.

    Parameters
    ----------
    power : array_like, shape (height, width)
        From :func:`helpers.mei.power_spectrum` (zero frequency at the center).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_power_spectrum(np.ones((4, 6)), title="flat")
    >>> ax.get_title()
    'flat'
    >>> plt.close("all")
    """
    power = check_array(power, "power", ndim=2)
    ax = get_axes(ax)
    height, width = power.shape
    extent = [-width // 2 / width, (width - 1 - width // 2) / width,
              (height - 1 - height // 2) / height, -height // 2 / height]
    ax.imshow(np.log1p(power), cmap="magma", extent=extent)
    ax.set(xlabel="horizontal frequency (cycles/pixel)", ylabel="vertical frequency")
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


def plot_axial_average(p_theta, ax=None, label=None):
    """Mean power against angle, on polar axes.

    Parameters
    ----------
    p_theta : array_like, shape (n_angles,)
        Mean power in equal angular bins over a full turn.
    ax : matplotlib.axes.Axes, optional
        Where to draw (polar axes recommended); new polar axes if None.
    label : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plt.figure().add_subplot(projection="polar")
    >>> ax = plot_axial_average([1.0, 2.0, 4.0, 2.0], ax=ax, label="MEI")
    >>> float(ax.lines[0].get_ydata().max())              # normalized to its maximum
    1.0
    >>> plt.close("all")
    """
    p_theta = check_array(p_theta, "p_theta", ndim=1, finite=False)
    ax = get_axes(ax, projection="polar")
    theta = (np.arange(len(p_theta)) + 0.5) * 2 * np.pi / len(p_theta)
    ax.plot(np.r_[theta, theta[:1]], np.r_[p_theta, p_theta[:1]] / np.nanmax(p_theta), label=label)
    return ax
