"""Small statistics shared by the tutorials' helpers.

One rule for correlations, in every subpackage: the Pearson correlation of
inputs where either side is constant (or has fewer than two values) is
undefined, so it is returned as NaN, silently. No ``RuntimeWarning`` is
raised: nbgrader scores a test cell 0 when anything reaches stderr.
"""

import numpy as np


def pearson_correlation(a, b):
    """Pearson correlation of two equally long vectors; NaN, without a warning, if undefined.

    Parameters
    ----------
    a, b : ndarray, shape (n,)
        Already validated float vectors of the same length.

    Returns
    -------
    float
        The correlation, or NaN when ``n < 2``, when ``a`` or ``b`` is
        constant, or when either holds a NaN or an infinite value.

    Examples
    --------
    >>> pearson_correlation(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 7.0]))
    0.9933992677987828
    >>> pearson_correlation(np.array([1.0, 2.0, 3.0]), np.array([5.0, 5.0, 5.0]))
    nan
    """
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"the two inputs must have the same number of values, got {a.size} and {b.size}")
    if a.size < 2 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("nan")
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])
