"""What a reference function may be asked by the student's code: only about the call being tested.

A test can make the student's code call a reference function instead of its
own (:func:`helpers.checks.replace_in_student_code`), so that a mistake in an
earlier exercise is not counted twice. That reference then answers questions
from student code, which makes it an oracle: asked about the hidden inputs of
*another* test (which the student's functions saw, and may have kept), it
would give that test's expected values away; asked about a huge argument, it
would make the trusted grader allocate whatever the student likes.

So a callback answers only questions shaped like the call under test:

* every array among its arguments is shaped like one row of one of the
  call's arrays (a receptive field ``w`` for stimulus rows ``s``), or like
  several of its rows and no more of them (``X``, ``c[k:]``, the group means
  of ``X``), or has a shape passed to the call (a gradient for
  ``image_shape``); a list or tuple counts as the array ``np.asarray`` makes of it
  (rows, 0-d arrays and tensors included), its items one by one only if it is ragged;
* everything else is a number, ``None`` or a short string given as an argument of its own
  (strings inside a list could be numbers the reference parses).

This bounds what the grader computes for a callback by the size of the
test's own inputs. It keeps other tests' hidden inputs out only if their
shapes differ: a test that replaces a function must not call the student's
code with inputs shaped like the hidden inputs of that function's own test
(``tests/test_grading_classes.py`` checks this for every assignment with a
student who keeps all inputs and asks every reference about them).
"""

import warnings

import numpy as np

from course.bridge_wire import _torch

__all__ = ["CallInputs"]

MAX_STRING = 200


def _as_array(value):
    """The value as a numeric numpy array, or None if it is not an array-like of numbers."""
    torch = _torch()
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value if value.dtype.kind in "biufc" else None
    if isinstance(value, (list, tuple)) and value:
        # As the reference would see it: np.asarray makes one array of a list of rows, of 0-d
        # arrays or of tensors, and that whole array is what must fit the call.
        # dtype=float as a reference reads it: strings of numbers and None (nan) become numbers too
        for dtype in (float, None):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    array = np.asarray(value, dtype=dtype)
            except Exception:                   # ragged or not numbers: its items are looked at one by one
                continue
            if array.dtype.kind in "biufc":
                return array
        return None
    return None


def _is_number(value):
    return isinstance(value, (bool, int, float, complex, np.generic)) and not isinstance(value, (str, bytes))


def _leaves(values, depth=0):
    """The values inside a list of arguments, looking into lists, tuples and dicts (not into arrays)."""
    for value in values:
        yield from _leaf(value, depth)


def _leaf(value, depth):
    if depth > 8:
        yield value
        return
    if isinstance(value, dict):
        yield from _leaves([*value.keys(), *value.values()], depth + 1)
    elif isinstance(value, (list, tuple)) and _as_array(value) is None:
        yield from _leaves(value, depth + 1)
    else:
        yield value


class CallInputs:
    """The arrays and shapes of one call of a student's function, and the check of a callback's arguments.

    Parameters
    ----------
    args : tuple
    kwargs : dict
        The call's arguments, as the grader passes them.

    Examples
    --------
    >>> X = np.arange(12.0).reshape(3, 4)
    >>> inputs = CallInputs((2, X), {"image_shape": (5, 6)})
    >>> inputs.refusal((X[1:], 0), {}) is None          # rows of X, and a number
    True
    >>> inputs.refusal((X.mean(axis=0, keepdims=True),), {}) is None   # fewer rows like X's
    True
    >>> inputs.refusal((np.zeros((5, 6)), 0.2), {}) is None  # the shape the call announced
    True
    >>> inputs.refusal((np.ones((4, 4)),), {})          # more rows than X
    'the reference function answers only about the inputs of the function being tested (argument 1: an array of shape (4, 4), unlike them)'
    >>> inputs.refusal((np.ones(100000, dtype=np.int8),), {})
    'the reference function answers only about the inputs of the function being tested (argument 1: an array of shape (100000,), unlike them)'
    """

    def __init__(self, args, kwargs):
        self.args, self.kwargs = tuple(args), dict(kwargs)     # for a test's own rule (helpers.checks.Lent)
        self.rows = {}          # shape of a row -> most rows of a call array with such rows
        self.shapes = set()     # shapes passed to the call (image_shape)
        for value in _leaves([*args, *kwargs.values()]):
            if (isinstance(value, (list, tuple)) and value
                    and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in value)):
                self.shapes.add(tuple(int(n) for n in value))      # a shape such as image_shape
            array = _as_array(value)
            if array is None or array.ndim == 0:
                continue
            row = tuple(array.shape[1:])
            self.rows[row] = max(self.rows.get(row, 0), array.shape[0])
            if array.ndim == 1 and array.dtype.kind in "iu" and np.all(array > 0):
                self.shapes.add(tuple(int(n) for n in array))

    def refusal(self, args, kwargs):
        """None if a callback may answer these arguments, else why not (no values in the message)."""
        top_level = {id(value) for value in [*args, *kwargs.values()]}
        for position, value in enumerate(_leaves([*args, *kwargs.values()]), start=1):
            if value is None or _is_number(value):
                continue
            if isinstance(value, str):
                if len(value) <= MAX_STRING and id(value) in top_level:
                    continue
                return self._why(position, "a string inside a list, or longer than 200 characters")
            array = _as_array(value)
            if array is None:
                return self._why(position, f"a {type(value).__name__}, not a number or an array")
            if array.ndim == 0 or tuple(array.shape) in self.shapes or self._fits_the_call(array):
                continue
            return self._why(position, f"an array of shape {tuple(array.shape)}, unlike them")
        return None

    @staticmethod
    def _why(position, what):
        return (f"the reference function answers only about the inputs of the function being tested "
                f"(argument {position}: {what})")

    def _fits_the_call(self, array):
        """True if ``array`` is one row of a call array, or rows shaped like its rows and no more of them."""
        return tuple(array.shape) in self.rows or array.shape[0] <= self.rows.get(tuple(array.shape[1:]), -1)
