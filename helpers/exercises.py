"""Cells that need an exercise: a short note instead of a traceback while it is not done.

In the student version every exercise starts as ``raise NotImplementedError()``.
A figure cell that calls the exercise would stop *Run All* there, and nothing
below it would run, not even the parts that need no student code. The course's
notebooks put such cells under :func:`needs_exercise`: while the exercise is
not done, the cell prints what is missing and the notebook runs on.

The check cells (graded tests) are never wrapped: they must fail until the
exercise is right. They carry Jupyter's ``raises-exception`` tag instead, so
*Run All* goes past them too.
"""

from contextlib import contextmanager

__all__ = ["needs_exercise"]


@contextmanager
def needs_exercise(*exercises):
    """Run the block; if an exercise it needs is not done yet, print a note instead of failing.

    ``NotImplementedError`` (the exercise's starting code) and ``NameError``
    (a name that an earlier cell would have defined, had its exercise been
    done) end the block with a one-line note. Any other error is raised as usual.

    Parameters
    ----------
    *exercises : int or str
        The exercises the block needs, e.g. ``1`` or ``"Exercise 2"``.

    Examples
    --------
    >>> def unfinished():
    ...     raise NotImplementedError()
    >>> with needs_exercise(1):
    ...     value = unfinished()
    Exercise 1 is not done yet, so this cell stopped here (NotImplementedError). Finish it, run its cell, then run this cell again.
    >>> with needs_exercise(1):
    ...     value = 2
    >>> value
    2
    """
    if not exercises:
        raise TypeError("needs_exercise() needs at least one exercise, e.g. needs_exercise(1)")
    for exercise in exercises:
        if isinstance(exercise, bool) or not isinstance(exercise, (int, str)):
            raise TypeError(f"exercises are numbers or names like 'Exercise 2', got {exercise!r}")
    names = [f"Exercise {e}" if isinstance(e, int) else str(e) for e in exercises]
    label = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    try:
        yield
    except NotImplementedError:
        print(f"{label} is not done yet, so this cell stopped here (NotImplementedError). "
              "Finish it, run its cell, then run this cell again.")
    except NameError as error:
        print(f"This cell needs {label}, or a cell above that uses it, to have run ({error}). "
              "Finish the exercise, run the cells above, then run this cell again.")
