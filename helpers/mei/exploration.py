"""A first look at a recorded population, before any model is fitted.

Which neurons answer the images at all, which ones move together, and which
ones look unlike the rest: spike-count entropy and variance, neuron-by-neuron
correlations, an isolation forest for outliers, a raster ordered by
similarity, and the percentile selection rule of the original project (for
comparison with the notebook's own rule).

Nothing here solves an exercise of the notebook.
"""

import numpy as np
import matplotlib.pyplot as plt

from helpers.plotting import get_axes
from helpers.validation import check_array

__all__ = [
    "isolation_outliers",
    "neuron_correlations",
    "percentile_selection",
    "plot_correlation_matrix",
    "plot_entropy_variance",
    "plot_raster",
    "response_entropy",
    "similarity_order",
]


def response_entropy(responses):
    """Entropy, in nats, of each neuron's distribution of spike counts.

    Every value a neuron takes (over all images and trials) is a category;
    the entropy of their relative frequencies is high for a neuron whose
    counts spread over many values and 0 for a neuron that always gives the
    same count.

    Parameters
    ----------
    responses : array_like, shape (n_neurons, ...)
        Spike counts; all axes after the first are pooled.

    Returns
    -------
    entropy : ndarray, shape (n_neurons,)

    Examples
    --------
    >>> response_entropy([[0, 0, 0, 0], [0, 1, 0, 1], [0, 1, 2, 3]]).round(4)
    array([0.    , 0.6931, 1.3863])
    """
    responses = check_array(responses, "responses")
    if responses.ndim < 2:
        raise ValueError(f"responses must have a neuron axis and at least one more, got shape {responses.shape}")
    flat = responses.reshape(len(responses), -1)
    out = np.empty(len(flat))
    for index, row in enumerate(flat):
        _, counts = np.unique(row, return_counts=True)
        p = counts / counts.sum()
        out[index] = float(-(p * np.log(p)).sum())
    return out + 0.0     # no negative zero


def neuron_correlations(responses):
    """Pearson correlation of every pair of neurons across samples.

    A neuron whose response never changes has no correlation with anything:
    its row and column are NaN (without a warning), the convention of the
    course's helpers.

    Parameters
    ----------
    responses : array_like, shape (n_neurons, n_samples)
        For instance the trial-averaged response to each image.

    Returns
    -------
    correlation : ndarray, shape (n_neurons, n_neurons)

    Examples
    --------
    >>> neuron_correlations([[1, 2, 3], [3, 2, 1], [5, 5, 5]])
    array([[ 1., -1., nan],
           [-1.,  1., nan],
           [nan, nan, nan]])
    """
    responses = check_array(responses, "responses", ndim=2)
    if responses.shape[1] < 2:
        raise ValueError("responses needs at least 2 samples per neuron")
    centred = responses - responses.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred ** 2).sum(axis=1))
    constant = norms <= 1e-12 * np.maximum(np.abs(responses).max(axis=1), 1.0)
    safe = np.where(constant, 1.0, norms)
    unit = centred / safe[:, None]
    correlation = np.clip(unit @ unit.T, -1.0, 1.0)
    correlation[constant, :] = np.nan
    correlation[:, constant] = np.nan
    return correlation


def isolation_outliers(features, random_state=0, n_estimators=100):
    """Neurons that an isolation forest separates from the others quickly.

    An isolation forest cuts the data at random thresholds of random
    features; a sample that is isolated after few cuts is unusual. With
    ``contamination="auto"`` the threshold on the score is the one of the
    original paper (Liu et al. 2008).

    Parameters
    ----------
    features : array_like, shape (n_neurons, n_features)
        One row per neuron (e.g. its mean response to every image).
    random_state : int, default 0
        Seed of the forest (the result depends on it).
    n_estimators : int, default 100
        Number of trees.

    Returns
    -------
    outlier : ndarray of bool, shape (n_neurons,)
        True for the neurons the forest calls anomalies.
    score : ndarray, shape (n_neurons,)
        scikit-learn's ``decision_function``: negative for outliers, lower is
        more unusual.

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> features = np.vstack([rng.normal(size=(40, 2)), [[12.0, -12.0]]])
    >>> outlier, score = isolation_outliers(features)
    >>> bool(outlier[-1]), int(np.argmin(score))
    (True, 40)
    """
    from sklearn.ensemble import IsolationForest

    features = check_array(features, "features", ndim=2)
    forest = IsolationForest(n_estimators=int(n_estimators), contamination="auto", random_state=random_state)
    forest.fit(features)
    return forest.predict(features) == -1, forest.decision_function(features)


def similarity_order(correlation):
    """An order of the neurons that puts correlated neurons next to each other.

    Average-linkage hierarchical clustering on the distance ``1 - r`` (NaN
    counts as ``r = 0``); the leaves of the tree, left to right. A simple
    stand-in for the Rastermap sorting of the original project.

    Parameters
    ----------
    correlation : array_like, shape (n, n)

    Returns
    -------
    order : ndarray of int, shape (n,)
        A permutation of ``range(n)``.

    Examples
    --------
    >>> r = np.array([[1, 0, .9], [0, 1, 0], [.9, 0, 1]])
    >>> order = similarity_order(r).tolist()
    >>> abs(order.index(0) - order.index(2))
    1
    """
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    correlation = check_array(correlation, "correlation", ndim=2)
    if correlation.shape[0] != correlation.shape[1]:
        raise ValueError(f"correlation must be square, got shape {correlation.shape}")
    if len(correlation) < 2:
        return np.arange(len(correlation))
    distance = 1.0 - np.nan_to_num(correlation, nan=0.0)
    distance = np.clip((distance + distance.T) / 2, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    return leaves_list(linkage(squareform(distance, checks=False), method="average"))


def percentile_selection(oracle, variance, oracle_quantile=0.6, variance_quantile=0.5):
    """The original project's rule: above a percentile of oracle correlation *and* of variance.

    Parameters
    ----------
    oracle, variance : array_like, shape (n_neurons,)
    oracle_quantile, variance_quantile : float in [0, 1]
        The project used the 60th percentile of the oracle correlation and
        the 50th of the variance, both strictly exceeded.

    Returns
    -------
    selected : ndarray of int
        Indices of the neurons that pass both thresholds.

    Examples
    --------
    >>> percentile_selection([0.1, 0.9, 0.8, 0.7, 0.2], [1, 5, 0.5, 4, 3]).tolist()
    [1]
    """
    oracle = check_array(oracle, "oracle", ndim=1)
    variance = check_array(variance, "variance", ndim=1)
    if oracle.shape != variance.shape:
        raise ValueError(f"oracle and variance must have the same length, got {oracle.shape} and {variance.shape}")
    for name, q in [("oracle_quantile", oracle_quantile), ("variance_quantile", variance_quantile)]:
        if not 0 <= q <= 1:
            raise ValueError(f"{name} must be between 0 and 1, got {q}")
    keep = (oracle > np.quantile(oracle, oracle_quantile)) & (variance > np.quantile(variance, variance_quantile))
    return np.flatnonzero(keep)


def plot_raster(responses, order=None, ax=None, title="responses"):
    """Image of a (neurons, presentations) response matrix, neurons in ``order``.

    Parameters
    ----------
    responses : array_like, shape (n_neurons, n_presentations)
    order : array_like of int, optional
        Row order (default: as given).
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_raster(np.arange(6.0).reshape(2, 3), order=[1, 0])
    >>> ax.images[0].get_array()[0].tolist()
    [3.0, 4.0, 5.0]
    >>> plt.close("all")
    """
    responses = check_array(responses, "responses", ndim=2)
    order = np.arange(len(responses)) if order is None else np.asarray(order, dtype=int)
    ax = get_axes(ax, (9, 4))
    shown = ax.imshow(responses[order], aspect="auto", cmap="gray_r", interpolation="nearest",
                      vmax=np.percentile(responses, 99))
    ax.figure.colorbar(shown, ax=ax, label="spike count")
    ax.set_xlabel("presentation")
    ax.set_ylabel("neuron (sorted)")
    ax.set_title(title)
    return ax


def plot_correlation_matrix(correlation, order=None, ax=None, title="neuron-by-neuron correlation"):
    """Heatmap of a correlation matrix, rows and columns in ``order``, 0 in white.

    Parameters
    ----------
    correlation : array_like, shape (n, n)
    order : array_like of int, optional
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_correlation_matrix(np.eye(3))
    >>> ax.images[0].get_clim()
    (-1.0, 1.0)
    >>> plt.close("all")
    """
    correlation = check_array(correlation, "correlation", ndim=2)
    order = np.arange(len(correlation)) if order is None else np.asarray(order, dtype=int)
    ax = get_axes(ax, (5, 4.5))
    shown = ax.imshow(correlation[np.ix_(order, order)], cmap="RdBu_r", vmin=-1.0, vmax=1.0,
                      interpolation="nearest")
    ax.figure.colorbar(shown, ax=ax, label="correlation")
    ax.set_xlabel("neuron (sorted)")
    ax.set_ylabel("neuron (sorted)")
    ax.set_title(title)
    return ax


def plot_entropy_variance(entropy, variance, outlier, cell_types=None, ax=None):
    """Scatter of entropy against variance, isolation-forest outliers circled.

    Parameters
    ----------
    entropy, variance : array_like, shape (n_neurons,)
    outlier : array_like of bool, shape (n_neurons,)
    cell_types : array_like of str, optional
        Colours the points by type (ground truth of a simulation).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_entropy_variance([1, 2, 3], [0.5, 1, 4], [False, False, True], ["a", "b", "b"])
    >>> len(ax.get_legend().get_texts())
    3
    >>> plt.close("all")
    """
    entropy = check_array(entropy, "entropy", ndim=1)
    variance = check_array(variance, "variance", ndim=1)
    outlier = np.asarray(outlier, dtype=bool)
    if not entropy.shape == variance.shape == outlier.shape:
        raise ValueError("entropy, variance and outlier must have the same length")
    ax = get_axes(ax, (5, 4))
    types = np.asarray(cell_types) if cell_types is not None else np.full(len(entropy), "neuron")
    for kind in dict.fromkeys(types):
        rows = types == kind
        ax.scatter(entropy[rows], variance[rows], s=16, alpha=0.8, label=str(kind))
    ax.scatter(entropy[outlier], variance[outlier], s=70, facecolors="none", edgecolors="k",
               label="isolation-forest outlier")
    ax.set_xlabel("entropy of the spike counts (nats)")
    ax.set_ylabel("variance of the mean response")
    ax.legend(fontsize=8)
    return ax
