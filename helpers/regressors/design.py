"""Scan times, regressors and design matrices of the correlated-regressors tutorial.

Nothing here fits a model: building the HRF, estimating parameters and
predicting their spread are the tutorial's exercises.
"""

import numpy as np

from helpers.stats import pearson_correlation
from helpers.validation import check_array, check_int, check_number


def tr_times(n_scans=15, tr=2.0, start=0.0):
    """Onset times of the scans (one image every ``tr`` seconds).

    Parameters
    ----------
    n_scans : int, default 15
        Number of scans (images), at least 1.
    tr : float, default 2.0
        Repetition time in seconds, > 0.
    start : float, default 0.0
        Time of the first scan in seconds.

    Returns
    -------
    times : ndarray, shape (n_scans,)
        ``start, start + tr, ...``; the defaults give 0, 2, ..., 28 s, the
        times of the tutorial.

    Examples
    --------
    >>> tr_times(4)
    array([0., 2., 4., 6.])
    >>> tr_times(3, tr=1.5, start=10.0)
    array([10. , 11.5, 13. ])
    """
    n_scans = check_int(n_scans, "n_scans", minimum=1)
    tr = check_number(tr, "tr")
    start = check_number(start, "start")
    if tr <= 0:
        raise ValueError(f"tr must be a positive number of seconds, got {tr}")
    return start + tr * np.arange(n_scans)


def mean_center(x, name="x"):
    """Return ``x`` minus its mean, as a new float array (1-D).

    Parameters
    ----------
    x : array_like, shape (n,)
    name : str
        Argument name used in the error message.

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> mean_center([1.0, 2.0, 6.0])
    array([-2., -1.,  3.])
    """
    x = check_array(x, name, ndim=1)
    if x.size == 0:
        raise ValueError(f"{name} must not be empty")
    return x - x.mean()


def design_matrix(*regressors, intercept=True):
    """Stack regressors as the columns of a design matrix.

    Parameters
    ----------
    *regressors : array_like, shape (n_scans,)
        One or more regressors of equal length.
    intercept : bool, default True
        Add a last column of ones, which models the mean of the data.

    Returns
    -------
    X : ndarray, shape (n_scans, n_regressors + intercept)

    Examples
    --------
    >>> design_matrix([1.0, 0.0, -1.0], [0.0, 1.0, 0.0])
    array([[ 1.,  0.,  1.],
           [ 0.,  1.,  1.],
           [-1.,  0.,  1.]])
    >>> design_matrix([1.0, 0.0, -1.0], intercept=False).shape
    (3, 1)
    """
    if not regressors:
        raise ValueError("design_matrix needs at least one regressor")
    columns = [check_array(r, f"regressor {i}", ndim=1) for i, r in enumerate(regressors)]
    lengths = {len(c) for c in columns}
    if len(lengths) != 1:
        raise ValueError(
            f"regressors must all have the same length (one value per scan), got lengths "
            f"{[len(c) for c in columns]}"
        )
    if intercept:
        columns.append(np.ones(len(columns[0])))
    return check_design(np.column_stack(columns))


def check_design(X, name="X"):
    """Return ``X`` as a 2-D float design matrix, or raise a ``ValueError``.

    A design needs finite values and at least as many rows (scans) as
    columns (regressors): with fewer rows the parameters cannot all be
    estimated.

    Parameters
    ----------
    X : array_like, shape (n_scans, n_columns)
    name : str
        Argument name used in the error message.

    Returns
    -------
    ndarray of float, shape (n_scans, n_columns)

    Examples
    --------
    >>> check_design(np.ones((5, 2))).shape
    (5, 2)
    >>> check_design(np.ones((2, 3)))
    Traceback (most recent call last):
    ...
    ValueError: X must have at least as many rows (scans) as columns (regressors), got shape (2, 3)
    """
    X = check_array(X, name, ndim=2)
    n_rows, n_columns = X.shape
    if n_columns == 0:
        raise ValueError(f"{name} must have at least one column, got shape {X.shape}")
    if n_rows < n_columns:
        raise ValueError(
            f"{name} must have at least as many rows (scans) as columns (regressors), "
            f"got shape {X.shape}"
        )
    return X


def check_data(Y, n_scans, name="Y"):
    """Return data ``Y`` (one vector, or one vector per column) as floats, or raise.

    ``Y`` must have ``n_scans`` rows: one value per row of the design.

    Parameters
    ----------
    Y : array_like, shape (n_scans,) or (n_scans, n_samples)
    n_scans : int
        Rows of the design.
    name : str
        Argument name used in the error message.

    Returns
    -------
    ndarray of float, the shape of ``Y``

    Examples
    --------
    >>> check_data(np.zeros((5, 10)), n_scans=5).shape
    (5, 10)
    >>> check_data(np.zeros(4), n_scans=5)
    Traceback (most recent call last):
    ...
    ValueError: Y must have one row per scan (5), got shape (4,): the data and the design have mismatched lengths
    """
    Y = check_array(Y, name, ndim=(1, 2))
    if Y.shape[0] != n_scans:
        raise ValueError(
            f"{name} must have one row per scan ({n_scans}), got shape {Y.shape}: "
            "the data and the design have mismatched lengths"
        )
    return Y


def check_contrast(contrast, n_columns, name="contrast"):
    """Return a contrast as a 1-D float vector of length ``n_columns``, or raise.

    Parameters
    ----------
    contrast : array_like
        One weight per column (a row or column vector is flattened).
    n_columns : int
    name : str
        Argument name used in the error message.

    Returns
    -------
    ndarray, shape (n_columns,)

    Examples
    --------
    >>> check_contrast([[1, -1, 0]], n_columns=3)
    array([ 1., -1.,  0.])
    """
    contrast = check_array(contrast, name, ndim=(1, 2)).reshape(-1)
    if contrast.size != n_columns:
        raise ValueError(
            f"{name} must have one weight per column of the design ({n_columns}), "
            f"got {contrast.size}"
        )
    return contrast


def unit_contrast(index, n_columns):
    """The contrast that picks out parameter ``index`` of ``n_columns``.

    Parameters
    ----------
    index : int
        The parameter, 0 for the first column of the design.
    n_columns : int

    Returns
    -------
    ndarray, shape (n_columns,)

    Examples
    --------
    >>> unit_contrast(1, 3)
    array([0., 1., 0.])
    """
    n_columns = check_int(n_columns, "n_columns", minimum=1)
    index = check_int(index, "index", minimum=0)
    if index >= n_columns:
        raise ValueError(f"index must be below n_columns={n_columns}, got {index}")
    contrast = np.zeros(n_columns)
    contrast[index] = 1.0
    return contrast


def regressor_correlation(a, b):
    """Pearson correlation between two regressors of equal length.

    Parameters
    ----------
    a, b : array_like, shape (n_scans,)

    Returns
    -------
    float
        The correlation, or NaN, without a warning, when it is undefined: a
        constant regressor (such as a delayed HRF that is still zero at every
        scan) or fewer than two scans. This is the rule of every correlation
        in ``helpers``.

    Raises
    ------
    ValueError
        If the lengths differ or a value is NaN or infinite.

    Examples
    --------
    >>> regressor_correlation([0.0, 1.0, 0.0, -1.0], [1.0, 0.0, -1.0, 0.0])
    0.0
    >>> regressor_correlation([0.0, 1.0, 2.0], [3.0, 3.0, 3.0])
    nan
    """
    a = check_array(a, "a", ndim=1)
    b = check_array(b, "b", ndim=1)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got {a.size} and {b.size}")
    return pearson_correlation(a, b)
