"""Interactive demos of the LNP tutorial (each returns a widget).

The demos take your own functions as arguments (``sample_lnp``, ``fit_rf``,
``fit_lasso_lags``): the sliders show what *your* code does.
"""

import ipywidgets as widgets
import numpy as np

from helpers.lnp.data import check_counts_and_stimulus, check_filter, rf_correlation
from helpers.lnp.plotting import plot_lag_filters, plot_rf
from helpers.validation import (
    check_array,
    check_callable,
    check_image_shape,
    check_int,
    check_positive,
)
from helpers.widgets import figure_demo


def fit_quality(sample_func, fit_func, w, n_bins, R=50.0, dt=0.1, v=1.0, random_state=0):
    """Simulate ``n_bins`` bins of an LNP neuron with filter ``w``, fit it, and score the fit.

    Parameters
    ----------
    sample_func : callable
        ``sample_func(w, nT, dt, R, v, random_state=...) -> (c, r, s)``.
    fit_func : callable
        ``fit_func(c, s, dt=..., R=...) -> w_hat``.
    w : array_like, shape (n_pixels,)
        The true filter.
    n_bins : int
        Number of time bins to simulate.
    R, dt, v : float
        Rate scale, bin width (s) and stimulus variance.
    random_state : int
        Seed passed to ``sample_func``.

    Returns
    -------
    w_hat : ndarray, shape (n_pixels,)
        The fitted filter.
    correlation : float
        Pearson correlation between ``w_hat`` and ``w``.

    Examples
    --------
    >>> def sample(w, nT, dt, R, v, random_state=0):      # stands in for your sample_lnp
    ...     rng = np.random.RandomState(random_state)
    ...     s = rng.normal(scale=np.sqrt(v), size=(nT, len(w)))
    ...     r = np.exp(s @ w) * dt * R
    ...     return rng.poisson(r), r, s
    >>> def fit(c, s, dt=0.1, R=50):                            # a spike-triggered average
    ...     return s.T @ (c - c.mean())
    >>> from helpers.lnp import gaussian_rf
    >>> w = gaussian_rf(4, width=2.0).ravel()
    >>> w_hat, correlation = fit_quality(sample, fit, w, n_bins=2000)
    >>> w_hat.shape, bool(correlation > 0.9)
    ((16,), True)
    """
    check_callable(sample_func, "sample_func", "(w, nT, dt, R, v, random_state) -> (c, r, s)")
    check_callable(fit_func, "fit_func", "(c, s, dt, R) -> w")
    w = check_array(w, "w").ravel()
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    R, dt, v = check_positive(R, "R"), check_positive(dt, "dt"), check_positive(v, "v")
    c, _, s = sample_func(w, n_bins, dt, R, v, random_state=random_state)
    c, s = check_counts_and_stimulus(c, s)
    w_hat = check_filter(fit_func(c, s, dt=dt, R=R), w.size, name="the fitted filter")
    return w_hat, rf_correlation(w_hat, w)


def quality_vs_n_bins(sample_func, fit_func, w, n_bins_list, R=50.0, dt=0.1, v=1.0, random_state=0):
    """Correlation of the fitted with the true filter for each number of bins.

    Parameters
    ----------
    sample_func, fit_func, w, R, dt, v, random_state
        As for :func:`fit_quality`.
    n_bins_list : sequence of int
        Numbers of time bins.

    Returns
    -------
    ndarray, shape (len(n_bins_list),)
        Correlation of the fitted with the true filter for each.

    Examples
    --------
    >>> def sample(w, nT, dt, R, v, random_state=0):      # stands in for your sample_lnp
    ...     rng = np.random.RandomState(random_state)
    ...     s = rng.normal(scale=np.sqrt(v), size=(nT, len(w)))
    ...     r = np.exp(s @ w) * dt * R
    ...     return rng.poisson(r), r, s
    >>> def fit(c, s, dt=0.1, R=50):                            # a spike-triggered average
    ...     return s.T @ (c - c.mean())
    >>> from helpers.lnp import gaussian_rf
    >>> w = gaussian_rf(4, width=2.0).ravel()
    >>> quality = quality_vs_n_bins(sample, fit, w, [100, 5000])
    >>> bool(quality[1] > quality[0])                           # more data, a better fit
    True
    """
    return np.array([fit_quality(sample_func, fit_func, w, n, R=R, dt=dt, v=v, random_state=random_state)[1]
                     for n in n_bins_list])


def ml_fit_demo(sample_func, fit_func, w, image_shape=(15, 15), dt=0.1, v=1.0, random_state=0,
                n_bins_options=(250, 500, 1000, 2000, 5000, 10000), R_options=(5, 10, 25, 50, 100, 200)):
    """Sliders over the number of time bins and over ``R``: the fitted RF and its correlation.

    Parameters
    ----------
    sample_func, fit_func : callable
        Your ``sample_lnp`` and ``fit_rf``.
    w : array_like
        The true filter, ``image_shape[0] * image_shape[1]`` numbers.
    image_shape : pair of int, default (15, 15)
        Shape of the filter as an image.
    dt, v : float
        Bin width (s) and stimulus variance, passed to ``sample_func``.
    random_state : int, RandomState or None, default 0
        Seed passed to ``sample_func``: every slider position fits the same noise.
    n_bins_options, R_options : sequence of int
        The values offered by the two sliders.

    Returns
    -------
    ipywidgets.VBox
        See :func:`helpers.widgets.figure_demo`.

    Examples
    --------
    >>> def sample(w, nT, dt, R, v, random_state=0):      # stands in for your sample_lnp
    ...     rng = np.random.RandomState(random_state)
    ...     s = rng.normal(scale=np.sqrt(v), size=(nT, len(w)))
    ...     r = np.exp(s @ w) * dt * R
    ...     return rng.poisson(r), r, s
    >>> def fit(c, s, dt=0.1, R=50):                            # a spike-triggered average
    ...     return s.T @ (c - c.mean())
    >>> from helpers.lnp import gaussian_rf
    >>> w = gaussian_rf(4, width=2.0).ravel()
    >>> demo = ml_fit_demo(sample, fit, w, image_shape=(4, 4), n_bins_options=(500, 1000), R_options=(50,))
    >>> demo.figure.get_suptitle()[:28]
    '1000 bins, R = 50: correlati'
    >>> demo.controls["n_bins"].value = 500                     # what moving the slider does
    """
    check_callable(sample_func, "sample_func", "(w, nT, dt, R, v, random_state) -> (c, r, s)")
    check_callable(fit_func, "fit_func", "(c, s, dt, R) -> w")
    rows, cols = check_image_shape(image_shape)
    w = check_filter(w, rows * cols)

    def draw(fig, axes, n_bins, R):
        w_hat, corr = fit_quality(sample_func, fit_func, w, n_bins, R=R, dt=dt, v=v, random_state=random_state)
        plot_rf(w, image_shape, ax=axes[0, 0], title="true RF")
        plot_rf(w_hat, image_shape, ax=axes[0, 1], title="fitted RF")
        return f"{n_bins} bins, R = {R}: correlation with the truth {corr:.3f}"

    n_bins = widgets.SelectionSlider(options=list(n_bins_options), value=1000 if 1000 in n_bins_options
                                     else n_bins_options[0], description="time bins", continuous_update=False)
    rate = widgets.SelectionSlider(options=list(R_options), value=50 if 50 in R_options else R_options[0],
                                   description="R", continuous_update=False)
    return figure_demo(draw, {"n_bins": n_bins, "R": rate}, figsize=(8, 4))


def lasso_demo(lasso_func, c, s, W_ml, image_shape=(20, 15), truth=None, alpha=0.1, lags=range(5)):
    """A slider over the Lasso penalty ``alpha``: ML filters (top) against Lasso filters (bottom).

    Parameters
    ----------
    lasso_func : callable
        Your ``fit_lasso_lags(c, s, lags=..., alpha=...) -> W`` of shape (n_pixels, n_lags).
    c : array_like, shape (n_frames,)
        Spike counts per frame.
    s : array_like, shape (n_frames, n_pixels)
        Stimulus frames, one per row.
    W_ml : array_like, shape (n_pixels, n_lags)
        The maximum-likelihood filters, for comparison.
    image_shape : pair of int, default (20, 15)
        Shape of one frame.
    truth : array_like, shape (n_pixels, n_lags), optional
        The true filters; if given, the title reports the correlation with them.
    alpha : float, default 0.1
        The first value of the slider.
    lags : sequence of int, default range(5)

    Returns
    -------
    ipywidgets.VBox
        See :func:`helpers.widgets.figure_demo`.

    Examples
    --------
    >>> def lasso(c, s, lags, alpha):                           # stands in for your fit_lasso_lags
    ...     return np.zeros((s.shape[1], len(lags)))
    >>> c, s = np.array([0, 1, 2, 1]), np.ones((4, 6))
    >>> demo = lasso_demo(lasso, c, s, np.ones((6, 2)), image_shape=(2, 3), lags=[0, 1])
    >>> demo.figure.get_suptitle()
    'alpha = 0.1: 0 of 12 weights non-zero'
    """
    check_image_shape(image_shape)
    check_callable(lasso_func, "lasso_func", "(c, s, lags, alpha) -> W")
    c, s = check_counts_and_stimulus(c, s)
    lags = list(lags)
    W_ml = check_array(W_ml, "W_ml", ndim=2)
    if W_ml.shape != (s.shape[1], len(lags)):
        raise ValueError(f"W_ml must have shape {(s.shape[1], len(lags))} (pixels, lags), got {W_ml.shape}")
    if truth is not None:
        truth = check_array(truth, "truth", ndim=2)
        if truth.shape != W_ml.shape:
            raise ValueError(f"truth must have shape {W_ml.shape}, got {truth.shape}")

    def draw(fig, axes, alpha):
        W_lasso = check_array(lasso_func(c, s, lags=lags, alpha=alpha), "the Lasso filters", ndim=2)
        plot_lag_filters(W_ml - W_ml.mean(axis=0), image_shape, axes=axes[0], label="ML, lag")
        plot_lag_filters(W_lasso, image_shape, axes=axes[1], label="Lasso, lag")
        title = f"alpha = {alpha:.3g}: {int(np.count_nonzero(W_lasso))} of {W_lasso.size} weights non-zero"
        if truth is not None:
            title += (f"; corr. with truth: ML {rf_correlation(W_ml - W_ml.mean(axis=0), truth):.2f}, "
                      f"Lasso {rf_correlation(W_lasso, truth):.2f}")
        return title

    slider = widgets.FloatLogSlider(value=alpha, base=10, min=-3, max=0, step=0.25, description="alpha",
                                    continuous_update=False, readout_format=".3f")
    return figure_demo(draw, {"alpha": slider}, figsize=(11, 5), nrows=2, ncols=len(lags))
