"""Simulated fMRI data and the sampling distribution of GLM estimates.

The fitting itself is always a function passed in (the student's
``fit_betas``): the helpers only draw the data, call the fit once on all data
vectors at the same time, and summarise what comes back.
"""

import numpy as np

from helpers.regressors.design import (
    check_contrast,
    check_data,
    check_design,
    design_matrix,
    mean_center,
    regressor_correlation,
    tr_times,
    unit_contrast,
)
from helpers.validation import as_random_state, check_array, check_callable, check_int, check_number, check_positive


def simulate_data(signal, n_samples=None, noise_sd=1.0, random_state=None):
    """Add independent Gaussian noise to a signal.

    Parameters
    ----------
    signal : array_like, shape (n_scans,)
        The noise-free signal.
    n_samples : int or None, default None
        None draws one data vector; an int draws that many, one per column.
    noise_sd : float, default 1.0
        Standard deviation of the noise, > 0.
    random_state : int, numpy.random.RandomState or None
        Seed or generator. The draws are those of ``np.random.normal`` with
        the same size: with a ``RandomState(42)`` shared between a first call
        (one vector) and a second (10,000 vectors), the tutorial's numbers are
        reproduced exactly.

    Returns
    -------
    Y : ndarray, shape (n_scans,) or (n_scans, n_samples)

    Examples
    --------
    >>> Y = simulate_data(np.zeros(15), n_samples=1000, random_state=0)
    >>> Y.shape, round(float(Y.std()), 1)
    ((15, 1000), 1.0)
    >>> simulate_data([1.0, 2.0], noise_sd=0.1, random_state=0).round(2)
    array([1.18, 2.04])
    """
    signal = check_array(signal, "signal", ndim=1)
    noise_sd = check_positive(noise_sd, "noise_sd")
    rng = as_random_state(random_state)
    if n_samples is None:
        return signal + rng.normal(scale=noise_sd, size=signal.shape)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    return signal[:, np.newaxis] + rng.normal(scale=noise_sd, size=(signal.size, n_samples))


def fit_all(fit, X, Y):
    """Call ``fit(X, Y)`` once on every data vector (columns of ``Y``) and check the result.

    Parameters
    ----------
    fit : callable
        ``fit(X, Y) -> B``, like your ``fit_betas``.
    X : array_like, shape (n_scans, n_columns)
    Y : array_like, shape (n_scans,) or (n_scans, n_samples)

    Returns
    -------
    B : ndarray, shape (n_columns_of_X, n_samples)

    Examples
    --------
    >>> def fit(X, Y):                           # stands in for your fit_betas
    ...     return np.linalg.lstsq(X, Y, rcond=None)[0]
    >>> X = design_matrix([1.0, 2.0, 3.0, 4.0])
    >>> fit_all(fit, X, np.array([3.0, 5.0, 7.0, 9.0])).round(6)    # y = 2 x + 1
    array([[2.],
           [1.]])
    """
    check_callable(fit, "fit", "fit(X, Y) -> parameters, like your fit_betas")
    X = check_design(X)
    Y = check_data(Y, X.shape[0])
    if Y.ndim == 1:
        Y = Y[:, np.newaxis]
    B = np.asarray(fit(X, Y), dtype=float)
    expected = (X.shape[1], Y.shape[1])
    if B.shape != expected:
        raise ValueError(f"fit(X, Y) must return shape {expected} (one column per data vector), got {B.shape}")
    return B


def estimate_summary(B):
    """Means, standard deviations and correlations of simulated estimates.

    Parameters
    ----------
    B : array_like, shape (n_parameters, n_samples)
        One column of estimates per simulated data vector.

    Returns
    -------
    means, sds : ndarray, shape (n_parameters,)
        ``sds`` uses ``ddof=0`` (``np.std``), as the tutorial prints.
    corr : ndarray, shape (n_parameters, n_parameters)
        Correlations between the estimates across samples (NaN for a
        constant row, such as the estimate of a column of zeros).

    Examples
    --------
    >>> B = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [5.0, 5.0, 5.0]])
    >>> means, sds, corr = estimate_summary(B)
    >>> means, sds.round(3)
    (array([2., 2., 5.]), array([0.816, 0.816, 0.   ]))
    >>> corr[0, 1], bool(np.isnan(corr[0, 2]))          # a constant row has no correlation
    (np.float64(-1.0), True)
    """
    B = check_array(B, "B", ndim=2)
    if B.shape[1] < 2:
        raise ValueError(f"B needs at least two samples (columns), got shape {B.shape}")
    sds = B.std(axis=1)
    centered = B - B.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = (centered @ centered.T) / B.shape[1] / np.outer(sds, sds)
    return B.mean(axis=1), sds, corr


def simulated_sd(B, contrast):
    """Standard deviation (``ddof=0``) of a contrast of simulated estimates.

    Parameters
    ----------
    B : array_like, shape (n_parameters, n_samples)
    contrast : array_like, shape (n_parameters,)

    Returns
    -------
    float

    Examples
    --------
    >>> B = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    >>> round(simulated_sd(B, [1, 0]), 4)
    0.8165
    """
    B = check_array(B, "B", ndim=2)
    contrast = check_contrast(contrast, B.shape[0])
    return float(np.std(contrast @ B))


def shifted_regressors(hrf, times, shift):
    """Two mean-centered HRF regressors, the second delayed by ``shift`` seconds.

    Parameters
    ----------
    hrf : callable
        ``hrf(times) -> values``, e.g. your ``spm_hrf``.
    times : array_like, shape (n_scans,)
        Scan times in seconds.
    shift : float
        Delay of the second event in seconds.

    Returns
    -------
    first, second : ndarray, shape (n_scans,)

    Examples
    --------
    >>> def hrf(t):                              # a stand-in HRF: a bump 5 s after the event
    ...     return np.exp(-0.5 * ((np.asarray(t) - 5.0) / 2.0) ** 2)
    >>> def predicted_sd(X, contrast):            # stands in for your predicted_sd
    ...     contrast = np.asarray(contrast, dtype=float)
    ...     return float(np.sqrt(contrast @ np.linalg.inv(X.T @ X) @ contrast))
    >>> first, second = shifted_regressors(hrf, tr_times(), shift=2.0)
    >>> round(float(first.mean()), 12), bool(np.argmax(second) > np.argmax(first))
    (0.0, True)
    """
    check_callable(hrf, "hrf", "hrf(times) -> values, like your spm_hrf")
    times = check_array(times, "times", ndim=1)
    shift = check_number(shift, "shift")
    first = mean_center(check_array(hrf(times), "hrf(times)", ndim=1), "hrf(times)")
    second = mean_center(check_array(hrf(times - shift), "hrf(times - shift)", ndim=1), "hrf(times - shift)")
    if first.shape != times.shape or second.shape != times.shape:
        raise ValueError(f"hrf(times) must return one value per time ({times.size})")
    return first, second


def shift_experiment(shift, hrf, fit, predicted_sd, times=None, n_samples=10_000, random_state=0):
    """Predicted and simulated spread of both HRF parameters for one shift.

    The design holds two mean-centered HRF regressors (events at 0 and at
    ``shift`` seconds) and an intercept; the signal is their sum; the
    simulated data add unit-variance noise.

    Parameters
    ----------
    shift : float
        Delay of the second event (seconds), > 0.
    hrf, fit, predicted_sd : callable
        ``hrf(times)``, ``fit(X, Y)`` and ``predicted_sd(X, contrast)``: the
        functions of the tutorial's exercises.
    times : array_like, optional
        Scan times; default :func:`tr_times` ``()`` (0 to 28 s every 2 s).
    n_samples : int, default 10,000
        Number of simulated data vectors (all fitted in one call).
    random_state : int, RandomState or None, default 0

    Returns
    -------
    dict
        ``times, first, second, X, B`` (estimates, shape (3, n_samples)),
        ``regressor_corr``, ``predicted_sd`` and ``simulated_sd`` (both
        length 2: first and second HRF parameter), ``estimate_corr``.

    Examples
    --------
    >>> def fit(X, Y):                           # stands in for your fit_betas
    ...     return np.linalg.lstsq(X, Y, rcond=None)[0]
    >>> def hrf(t):                              # a stand-in HRF: a bump 5 s after the event
    ...     return np.exp(-0.5 * ((np.asarray(t) - 5.0) / 2.0) ** 2)
    >>> def predicted_sd(X, contrast):            # stands in for your predicted_sd
    ...     contrast = np.asarray(contrast, dtype=float)
    ...     return float(np.sqrt(contrast @ np.linalg.inv(X.T @ X) @ contrast))
    >>> result = shift_experiment(4.0, hrf, fit, predicted_sd, n_samples=2000)
    >>> result["B"].shape
    (3, 2000)
    >>> bool(np.allclose(result["simulated_sd"], result["predicted_sd"], rtol=0.1))
    True
    """
    check_callable(predicted_sd, "predicted_sd", "predicted_sd(X, contrast) -> float, like your predicted_sd")
    times = tr_times() if times is None else check_array(times, "times", ndim=1)
    shift = check_number(shift, "shift")
    if shift <= 0:
        raise ValueError(f"shift must be a positive delay in seconds, got {shift}")
    first, second = shifted_regressors(hrf, times, shift)
    X = design_matrix(first, second)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError(f"shift={shift} s gives regressors that cannot be told apart (rank-deficient design)")
    Ys = simulate_data(first + second, n_samples=n_samples, random_state=random_state)
    B = fit_all(fit, X, Ys)
    contrasts = [unit_contrast(0, 3), unit_contrast(1, 3)]
    _, _, corr = estimate_summary(B[:2])
    return {
        "times": times, "first": first, "second": second, "X": X, "B": B,
        "regressor_corr": regressor_correlation(first, second),
        "predicted_sd": np.array([float(np.squeeze(predicted_sd(X, c))) for c in contrasts]),
        "simulated_sd": np.array([simulated_sd(B, c) for c in contrasts]),
        "estimate_corr": float(corr[0, 1]),
    }
