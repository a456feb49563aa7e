"""Checks used by the visible and hidden tests of the notebooks.

They give students messages that say what was expected, and they silence
warnings raised by the code under test: nbgrader scores a test cell 0 when
anything reaches stderr, and a warning from a correct implementation (say, a
constant input to ``pearsonr``) must not cost a student points.
"""

import contextlib
import warnings

import numpy as np


@contextlib.contextmanager
def quiet():
    """Silence warnings and floating-point complaints inside the block.

    Returns
    -------
    contextlib.AbstractContextManager
        Use it in a ``with`` statement.

    Examples
    --------
    >>> import warnings
    >>> with quiet():
    ...     warnings.warn("not shown")
    ...     ratio = np.float64(1.0) / 0.0
    >>> ratio
    np.float64(inf)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


def call_quietly(function, *args, **kwargs):
    """Call ``function(*args, **kwargs)`` with warnings silenced.

    Parameters
    ----------
    function : callable
    *args, **kwargs
        Passed to ``function``.

    Returns
    -------
    object
        What ``function`` returns.

    Examples
    --------
    >>> call_quietly(np.corrcoef, [1.0, 2.0, 3.0], [1.0, 1.0, 1.0])[0, 1]   # no RuntimeWarning
    np.float64(nan)
    """
    with quiet():
        return function(*args, **kwargs)


def as_float_array(value, name):
    """Convert a student's result to a float array, with a readable error.

    Parameters
    ----------
    value : object
    name : str
        Name of the result, used in the message.

    Returns
    -------
    ndarray of float

    Raises
    ------
    AssertionError
        If ``value`` is not numeric (a test then fails with this message).

    Examples
    --------
    >>> as_float_array([1, 2], "w")
    array([1., 2.])
    >>> as_float_array("abc", "w")
    Traceback (most recent call last):
    ...
    AssertionError: w should be numeric, got str
    """
    try:
        with quiet():
            return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise AssertionError(f"{name} should be numeric, got {type(value).__name__}") from error


def assert_shape(value, shape, name):
    """Assert that ``value`` converts to an array of exactly ``shape``.

    Parameters
    ----------
    value : object
    shape : tuple of int
    name : str
        Name of the result, used in the message.

    Returns
    -------
    ndarray of float
        ``value`` as an array.

    Raises
    ------
    AssertionError
        If it is not numeric or has another shape.

    Examples
    --------
    >>> assert_shape([[1, 2, 3]], (1, 3), "W").shape
    (1, 3)
    >>> try:
    ...     assert_shape([1, 2, 3], (3, 1), "W")
    ... except AssertionError as error:
    ...     print(str(error).splitlines()[0])
    W should have shape (3, 1), got (3,)
    """
    array = as_float_array(value, name)
    assert array.shape == tuple(shape), f"{name} should have shape {tuple(shape)}, got {array.shape}"
    return array


def assert_close(actual, expected, name, atol=1e-8, rtol=1e-6):
    """Assert ``actual`` matches ``expected`` elementwise, NaNs in the same places.

    The comparison is written out here (not ``np.allclose``) so the message
    can say where the largest difference is.

    Parameters
    ----------
    actual : object
        The student's result.
    expected : array_like
    name : str
        Name of the result, used in the message.
    atol, rtol : float
        Absolute and relative tolerances.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        If the shapes differ or a value is off; the first line of the message
        is what students see.

    Examples
    --------
    >>> assert_close([1.0, np.nan], [1.0 + 1e-12, np.nan], "r")      # NaNs in the same places match
    >>> assert_close([1.0, 2.0], [1.0, 2.5], "r")
    Traceback (most recent call last):
    ...
    AssertionError: r is not what was expected: 1 of 2 values differ
    at index (1,) got 2.0, expected 2.5
    """
    actual = as_float_array(actual, name)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, (
        f"{name} should have shape {expected.shape}, got {actual.shape}"
    )
    with quiet():
        both_nan = np.isnan(actual) & np.isnan(expected)
        difference = np.where(both_nan, 0.0, np.abs(actual - expected))
        allowed = atol + rtol * np.abs(np.where(both_nan, 0.0, expected))
        bad = ~(difference <= allowed)
    if np.any(bad):
        worst = np.unravel_index(np.argmax(np.where(bad, difference, -1.0)), bad.shape) if bad.ndim else ()
        # First line: what students see in feedback. Details (with the expected
        # value) go on the next line, which feedback hides from students.
        raise AssertionError(
            f"{name} is not what was expected: {int(bad.sum())} of {bad.size} values differ\n"
            f"at index {tuple(int(i) for i in worst)} got {float(actual[worst])!r}, expected {float(expected[worst])!r}"
        )


class Lent:
    """A reference function lent to the student's code, answering only the questions ``accepts`` allows.

    The student's code chooses the arguments of a lent reference, so it
    could ask it about another test's hidden inputs. When the course's grader
    runs the test, each call from the student's code is answered only if
    ``accepts(call_args, call_kwargs, args, kwargs)`` is true, where
    ``call_args``/``call_kwargs`` are those of the student's function under
    test and ``args``/``kwargs`` those of the question. In a notebook kernel it
    is simply the function.

    Parameters
    ----------
    function : callable
    accepts : callable
        ``(call_args, call_kwargs, args, kwargs) -> bool``.

    Examples
    --------
    >>> double = Lent(lambda x: 2 * x, accepts=lambda call_args, call_kwargs, args, kwargs: args[0] < 10)
    >>> double(3)
    6
    >>> double.accepts((), {}, (30,), {})
    False
    """

    def __init__(self, function, accepts):
        if not callable(function) or not callable(accepts):
            raise TypeError("Lent needs a function and an accepts(call_args, call_kwargs, args, kwargs) predicate")
        self.function, self.accepts = function, accepts
        self.__name__ = getattr(function, "__name__", "reference")

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)


def same_values(value, expected, rtol=1e-9):
    """True if ``value`` reads as a float array equal to ``expected`` (same shape, values within ``rtol``).

    For :class:`Lent` predicates: the student's code may convert or copy an
    input, not change it.

    Parameters
    ----------
    value : array_like
        What the student's code passed.
    expected : array_like
        The input it may pass.
    rtol : float, default 1e-9
        Relative tolerance of each value.

    Returns
    -------
    bool

    Examples
    --------
    >>> same_values([1, 2, 3], np.array([1.0, 2.0, 3.0]))
    True
    >>> same_values([1, 2], np.array([1.0, 2.0, 3.0]))
    False
    """
    try:
        with quiet():
            value, expected = np.asarray(value, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    return value.shape == expected.shape and bool(np.allclose(value, expected, rtol=rtol, atol=0.0))


def replace_in_student_code(namespace, **functions):
    """For the rest of this cell, the student's code calls ``functions`` instead of its own.

    Tests use it so that one mistake costs points once: a later exercise
    that builds on an earlier one is graded with a reference version of the
    earlier function. ``namespace`` is the test cell's ``globals()``.

    In a notebook kernel the names are rebound and put back after the cell.
    When the course's grader runs the test (outside the student's kernel), it
    tells the kernel to call back to these functions instead.

    Parameters
    ----------
    namespace : dict
        The test cell's ``globals()``.
    **functions : callable
        The replacements, by the name the student's code calls.

    Returns
    -------
    None

    Examples
    --------
    >>> namespace = {"f": len}
    >>> replace_in_student_code(namespace, f=abs)
    >>> namespace["f"] is abs
    True
    """
    bridge = namespace.get("__grading_bridge__") if isinstance(namespace, dict) else None
    if bridge is not None:
        bridge.override(functions)
        return
    saved = {name: namespace[name] for name in functions if name in namespace}
    namespace.update(functions)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with every notebook environment
        return
    shell = get_ipython()
    if shell is None:
        return

    def restore(*_args):
        for name in functions:
            namespace.pop(name, None)
        namespace.update(saved)
        shell.events.unregister("post_run_cell", restore)

    shell.events.register("post_run_cell", restore)
