"""What every plotting helper of the course does with its axes.

One convention for all figures in ``helpers``: a plotting function takes an
optional ``ax`` (one panel) or ``axes`` (several panels). Given, it draws
there, so a notebook can compose figures; not given, it creates a new figure
of its own. It never draws into whatever figure happens to be current
(``plt.gca()``), never shows the figure, and returns what it drew on.
"""

import matplotlib.pyplot as plt
import numpy as np


def get_axes(ax=None, figsize=None, projection=None):
    """Return ``ax``, or the axes of a new figure when ``ax`` is None.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
    figsize : (float, float), optional
        Size of the new figure, in inches; matplotlib's default if None.
    projection : str, optional
        Projection of new axes (e.g. ``"polar"``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> get_axes(ax) is ax
    True
    >>> get_axes().figure is fig
    False
    >>> get_axes(projection="polar").name
    'polar'
    >>> plt.close("all")
    """
    if ax is not None:
        return ax
    return plt.subplots(figsize=figsize, subplot_kw=None if projection is None else {"projection": projection})[1]


def get_axes_grid(axes=None, nrows=1, ncols=1, figsize=None, layout=None):
    """Return ``axes`` as an array, or the axes of a new ``nrows`` x ``ncols`` figure when it is None.

    A new grid of one row is returned as a 1-D array (one entry per column),
    otherwise as a 2-D array, even for a single panel.

    Parameters
    ----------
    axes : array_like of Axes or None
    nrows, ncols : int, default 1
        Shape of a new grid.
    figsize : (float, float), optional
        Size of a new figure, in inches.
    layout : str, optional
        Layout engine of a new figure (``"constrained"``, ``"compressed"``
        for panels of fixed aspect such as images); matplotlib's default if
        None. Given axes keep the layout of their own figure.

    Returns
    -------
    ndarray of Axes

    Examples
    --------
    >>> get_axes_grid(nrows=2, ncols=3).shape
    (2, 3)
    >>> get_axes_grid(ncols=1).shape
    (1,)
    >>> type(get_axes_grid(ncols=2, layout="compressed")[0].figure.get_layout_engine()).__name__
    'ConstrainedLayoutEngine'
    >>> plt.close("all")
    """
    if axes is not None:
        return np.atleast_1d(np.asarray(axes, dtype=object))
    grid = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, layout=layout)[1]
    return grid[0] if nrows == 1 else grid
