"""Argument checks shared by all helpers.

Every public helper validates its inputs once, at the boundary, and raises an
error whose message names the argument and says what was expected. One rule
everywhere:

* ``TypeError`` when the argument has the wrong *type*: a string where a
  number is expected, a float where an integer is, a number where a function
  is;
* ``ValueError`` when the type is right but the *value* is not: a negative
  width, a probability above 1, an array of the wrong shape, NaN.

Students see these messages, so they are written for them.
"""

import numbers

import numpy as np


def check_int(value, name, minimum=None):
    """Return ``value`` as a Python int, or raise if it is not an integer.

    Parameters
    ----------
    value : object
        The value to check. Booleans are rejected even though they are ints.
    name : str
        Argument name used in the error message.
    minimum : int, optional
        Smallest allowed value.

    Returns
    -------
    int

    Examples
    --------
    >>> check_int(5, "n_neurons", minimum=1)
    5
    >>> check_int(5.0, "n_neurons")
    Traceback (most recent call last):
    ...
    TypeError: n_neurons must be an integer, got float 5.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def _is_real(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Real):
        return True
    # a 0-d numeric array, such as the result of np.mean
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def check_number(value, name, positive=False):
    """Return ``value`` as a finite float, or raise.

    Parameters
    ----------
    value : object
        The value to check: an int, a float or a 0-d numeric array.
        Booleans and strings are rejected.
    name : str
        Argument name used in the error message.
    positive : bool, default False
        If True, the value must also be > 0.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number (a string, None, a list, a bool).
    ValueError
        If it is NaN or infinite, or ``positive`` and ``value <= 0``.

    Examples
    --------
    >>> check_number(2, "width", positive=True)
    2.0
    >>> check_number("7", "width")
    Traceback (most recent call last):
    ...
    TypeError: width must be a number, got str '7'
    >>> check_number(0, "width", positive=True)
    Traceback (most recent call last):
    ...
    ValueError: width must be a positive number, got 0.0
    """
    wanted = "a positive number" if positive else "a number"
    if not _is_real(value):
        raise TypeError(f"{name} must be {wanted}, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"{name} must be {wanted}, got {value}")
    return value


def check_positive(value, name):
    """Return ``value`` as a float > 0, or raise (see :func:`check_number`).

    Parameters
    ----------
    value : object
    name : str
        Argument name used in the error message.

    Returns
    -------
    float

    Examples
    --------
    >>> check_positive(0.5, "dt")
    0.5
    """
    return check_number(value, name, positive=True)


def check_probability(value, name):
    """Return ``value`` as a float in [0, 1], or raise.

    Parameters
    ----------
    value : object
    name : str
        Argument name used in the error message.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If it is outside [0, 1].

    Examples
    --------
    >>> check_probability(0.9, "p")
    0.9
    >>> check_probability(1.5, "p")
    Traceback (most recent call last):
    ...
    ValueError: p must be in [0, 1], got 1.5
    """
    if not _is_real(value):
        raise TypeError(f"{name} must be a number in [0, 1], got {type(value).__name__} {value!r}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return value


def check_callable(function, name, signature=""):
    """Return ``function`` if it can be called, or raise a ``TypeError``.

    Parameters
    ----------
    function : object
        The value to check.
    name : str
        Argument name used in the error message.
    signature : str, optional
        What the function takes and returns, e.g. ``"(X, Y) -> parameters"``,
        and which function of the notebook fits, shown in the message.

    Returns
    -------
    callable
        ``function`` itself.

    Examples
    --------
    >>> check_callable(len, "size")
    <built-in function len>
    >>> check_callable("fit_betas", "fit", "fit(X, Y) -> parameters, like your fit_betas")
    Traceback (most recent call last):
    ...
    TypeError: fit must be a function fit(X, Y) -> parameters, like your fit_betas; got str 'fit_betas'
    """
    if not callable(function):
        described = f"a function {signature}".rstrip()
        raise TypeError(f"{name} must be {described}; got {type(function).__name__} {function!r}")
    return function


def check_image_shape(image_shape, name="image_shape", minimum=1):
    """Return ``image_shape`` as a pair ``(height, width)`` of ints, or raise.

    Parameters
    ----------
    image_shape : object
    name : str, default "image_shape"
        Argument name used in the error message.
    minimum : int, default 1
        Smallest allowed height and width.

    Returns
    -------
    (int, int)

    Raises
    ------
    TypeError
        If it is not a sequence of integers (a number, a string, floats).
    ValueError
        If it does not hold exactly two entries, or one is below ``minimum``.

    Examples
    --------
    >>> check_image_shape((20, 15))
    (20, 15)
    >>> check_image_shape((20, 15, 3))
    Traceback (most recent call last):
    ...
    ValueError: image_shape must be a pair (height, width), got (20, 15, 3)
    """
    if isinstance(image_shape, (str, bytes)) or not hasattr(image_shape, "__len__"):
        raise TypeError(f"{name} must be a pair (height, width) of integers, got "
                        f"{type(image_shape).__name__} {image_shape!r}")
    if len(image_shape) != 2:
        raise ValueError(f"{name} must be a pair (height, width), got {tuple(image_shape)!r}")
    height, width = image_shape
    return check_int(height, f"{name}[0]", minimum=minimum), check_int(width, f"{name}[1]", minimum=minimum)


def check_array(value, name, ndim=None, finite=True):
    """Return ``value`` as a float ndarray with the expected number of dimensions.

    Parameters
    ----------
    value : array_like
        The array to check.
    name : str
        Argument name used in the error message.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    finite : bool, default True
        If True, NaN and infinite entries are rejected.

    Returns
    -------
    ndarray of float

    Raises
    ------
    TypeError
        If ``value`` cannot be converted to a float array (strings, None,
        ragged lists).
    ValueError
        If it has the wrong number of dimensions or non-finite entries.

    Examples
    --------
    >>> check_array([[1, 2], [3, 4]], "A", ndim=2)
    array([[1., 2.],
           [3., 4.]])
    >>> check_array([1.0, float("nan")], "x")
    Traceback (most recent call last):
    ...
    ValueError: x must contain only finite values (no NaN or inf)
    """
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}") from error
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be a {wanted} array, got shape {array.shape}")
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return array


def check_square(value, name):
    """Return ``value`` as a non-empty square 2-D float array, or raise.

    Parameters
    ----------
    value : array_like
    name : str
        Argument name used in the error message.

    Returns
    -------
    ndarray of float, shape (n, n)

    Examples
    --------
    >>> check_square(np.eye(2), "A").shape
    (2, 2)
    """
    array = check_array(value, name, ndim=2)
    if array.shape[0] != array.shape[1] or array.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {array.shape}")
    return array


def as_random_state(random_state):
    """Turn a seed, a ``RandomState`` or None into a ``numpy.random.RandomState``.

    ``RandomState`` (not ``Generator``) is used on purpose: the tutorials'
    printed numbers come from the legacy global generator, and a
    ``RandomState(seed)`` reproduces its draws exactly without touching the
    global state.

    This is the one convention for randomness in ``helpers`` (see the
    :mod:`helpers` docstring): every function that draws random numbers takes
    a keyword ``random_state`` and passes it through this function.

    Parameters
    ----------
    random_state : int, numpy.random.RandomState or None
        A seed (a new generator), a generator (used as is: its draws continue)
        or None (a new generator seeded from the operating system).

    Returns
    -------
    numpy.random.RandomState

    Raises
    ------
    TypeError
        For anything else (a float, a string, a ``numpy.random.Generator``).

    Examples
    --------
    >>> as_random_state(0).randint(100)
    44
    >>> rng = np.random.RandomState(1)
    >>> as_random_state(rng) is rng
    True
    """
    if random_state is None:
        return np.random.RandomState()
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            "random_state must be an int seed, a numpy.random.RandomState or None, "
            f"got {type(random_state).__name__} {random_state!r}"
        )
    return np.random.RandomState(int(random_state))


def renamed_keyword(value, old_value, name, old_name, default):
    """Resolve a keyword argument that was renamed from ``old_name`` to ``name``.

    The old name stays accepted (deprecated) while a notebook still passes
    it; giving both names is an error.

    Parameters
    ----------
    value : object
        What was passed under the new name (``default`` if nothing was).
    old_value : object or None
        What was passed under the old name (None if nothing was).
    name, old_name : str
        The new and the old keyword.
    default : object
        The default of the new keyword.

    Returns
    -------
    object
        The value to use.

    Raises
    ------
    TypeError
        If both names were given.

    Examples
    --------
    >>> renamed_keyword((15, 15), (20, 15), "image_shape", "shape", (15, 15))
    (20, 15)
    >>> renamed_keyword((8, 8), None, "image_shape", "shape", (15, 15))
    (8, 8)
    """
    if old_value is None:
        return value
    if value is not default and value != default:
        raise TypeError(f"give {name} only ({old_name} is its deprecated old name), not both")
    return old_value
