"""Which instructor demo cells the grading worker leaves out (course.skipping)."""

import nbformat
import pytest

from course import skipping
from course.skipping import TAG, cells_to_skip


def notebook(*cells):
    """A notebook of locked code cells from (grade_id, source) pairs."""
    nb = nbformat.v4.new_notebook()
    for gid, source in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade_id": gid, "locked": True, "schema_version": 3}
        nb.cells.append(cell)
    return nb


def skipped(nb, ids=("demo", "demo2")):
    """grade_ids left out when ``ids`` are the cells tagged skip-when-grading."""
    return [nb.cells[i].metadata["nbgrader"]["grade_id"] for i in cells_to_skip(nb, ids)]


def test_a_demo_cell_nobody_needs_is_skipped():
    nb = notebook(("setup", "%matplotlib inline\nimport numpy as np"), ("demo", "fig = plot(np.ones(3))\nsizes = [1]"),
                  ("answer", "def f(x):\n    return x + 1"), ("test_f", "assert f(1) == 2"))
    assert skipped(nb) == ["demo"]


def test_cells_to_skip_considers_exactly_the_ids_it_is_given():
    # cells_to_skip trusts its caller: skippable_cells below decides which ids are candidates
    nb = notebook(("demo", "x = 1"), ("test_f", "assert True"))
    assert skipped(nb, ids=()) == []
    assert skipped(nb, ids=("test_f",)) == ["test_f"]


def test_only_locked_demo_cells_tagged_in_the_source_are_candidates(tmp_path):
    from types import SimpleNamespace

    nb = notebook(("demo", "x = 1"), ("untagged", "y = 2"), ("test_f", "assert True"), ("answer", "z = 3"))
    nb.cells[2].metadata["nbgrader"].update(grade=True, points=1)
    nb.cells[3].metadata["nbgrader"].update(solution=True, locked=False)
    for index in (0, 2, 3):   # an instructor's slip tags a test and an answer cell too
        nb.cells[index].metadata["tags"] = [TAG]
    path = tmp_path / "hw.ipynb"
    nbformat.write(nb, path)
    course = SimpleNamespace(source_notebooks=lambda assignment: [path])
    assert skipping.skippable_cells(course, "hw") == {"hw.ipynb": ["demo"]}


def test_a_demo_cell_is_run_when_an_answer_reads_its_variables():
    nb = notebook(("demo", "sizes = [5, 10]"), ("answer", "def f():\n    return sizes[0]"),
                  ("test_f", "assert f() == 5"))
    assert skipped(nb) == []


def test_names_a_cell_binds_itself_do_not_count():
    nb = notebook(("demo", "image = 1\nfor k in range(3):\n    pass"),
                  ("answer", "def f(image):\n    return [k for k in image]"), ("test_f", "image = [1]\nf(image)"))
    assert skipped(nb) == ["demo"]


@pytest.mark.parametrize("access", ["eval('sizes')", "globals()['sizes']", "get_ipython().user_ns['sizes']",
                                    "__import__('__main__').sizes", "%time print(sizes)"])
def test_names_reached_through_strings_or_magics_keep_the_cell(access):
    nb = notebook(("demo", "sizes = [5, 10]"), ("answer", access), ("test_f", "assert True"))
    assert skipped(nb) == []


def test_a_dependency_of_a_needed_demo_cell_is_run_too():
    nb = notebook(("demo", "base = 3"), ("demo2", "sizes = [base]"), ("answer", "value = sizes[0]"))
    assert skipped(nb) == []
    nb = notebook(("demo", "base = 3"), ("demo2", "sizes = [base]"), ("answer", "value = 1"))
    assert skipped(nb) == ["demo", "demo2"]


def test_code_that_cannot_be_parsed_keeps_every_demo_cell():
    nb = notebook(("demo", "sizes = [5]"), ("answer", "def f(:\n    pass"))
    assert skipped(nb) == []


def test_tags_in_the_submission_do_not_skip_anything():
    nb = notebook(("demo", "x = 1"), ("test_f", "assert False"))
    nb.cells[1].metadata["tags"] = ["skip-execution", TAG]
    token, indices = skipping.mark_cells_to_skip(nb, ["demo"])
    assert indices == [0]
    assert token not in ("skip-execution", TAG) and token.startswith("course-skip-")
    assert token in nb.cells[0].metadata["tags"] and token not in nb.cells[1].metadata["tags"]
    skipping.unmark_skipped_cells(nb, token, indices)
    assert "tags" not in nb.cells[0].metadata
    assert nb.cells[0].outputs[0].text == skipping.SKIPPED_NOTE


def test_test_cells_do_not_keep_demo_cells_running():
    # test cells run in the grader, not in the kernel: what they mention cannot need a demo cell
    nb = notebook(("demo", "start = 1"), ("answer", "def f():\n    return 1"),
                  ("test_f", "g = globals()\nassert f() == 1, 'start'"))
    nb.cells[2].metadata["nbgrader"].update(grade=True, solution=False, points=1)
    assert skipped(nb) == ["demo"]
    nb.cells[2].metadata["nbgrader"]["grade"] = False     # the same code as a plain cell keeps it
    assert skipped(nb) == []
