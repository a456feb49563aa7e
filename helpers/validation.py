"""Argument checks shared by all helpers.

Every public helper validates its inputs once, at the boundary, and raises a
``ValueError`` or ``TypeError`` whose message names the argument and says what
was expected. Students see these messages, so they are written for them.
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
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def check_probability(value, name):
    """Return ``value`` as a float in [0, 1], or raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1], got {type(value).__name__}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return value


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
    """Return ``value`` as a square 2-D float array, or raise."""
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
    """
    if random_state is None:
        return np.random.RandomState()
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            "random_state must be an int seed, a numpy.random.RandomState or None, "
            f"got {type(random_state).__name__}"
        )
    return np.random.RandomState(int(random_state))
