"""helpers.exercises.needs_exercise: a note instead of a traceback while an exercise is not done."""

import pytest

from helpers.exercises import needs_exercise


def unfinished():
    raise NotImplementedError()


def test_an_unfinished_exercise_prints_a_note_and_stops_the_block(capsys):
    ran = []
    with needs_exercise(2):
        unfinished()
        ran.append("after")
    assert ran == []
    assert capsys.readouterr().out.startswith("Exercise 2 is not done yet")


def test_a_missing_name_from_an_earlier_cell_is_explained(capsys):
    with needs_exercise(1, 3):
        undefined_in_this_test  # noqa: B018, F821
    out = capsys.readouterr().out
    assert "needs Exercise 1 or Exercise 3" in out and "undefined_in_this_test" in out


def test_other_errors_are_raised_as_usual(capsys):
    with pytest.raises(ValueError, match="a real bug"):
        with needs_exercise(1):
            raise ValueError("a real bug")
    assert capsys.readouterr().out == ""


def test_a_finished_exercise_runs_the_whole_block(capsys):
    with needs_exercise("Bonus"):
        value = 3
    assert value == 3 and capsys.readouterr().out == ""


@pytest.mark.parametrize("args", [(), (True,), (1.5,), (None,)])
def test_bad_arguments_are_a_type_error(args):
    with pytest.raises(TypeError, match="exercise"):
        with needs_exercise(*args):
            pass
