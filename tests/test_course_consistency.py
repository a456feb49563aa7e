"""The course directory is consistent: metadata, clean sources, releases in sync, no leaks."""

import copy

import pytest

from course import check
from course import notebooks as nbtools
from course.layout import Course
from conftest import REPO

COURSE = Course(REPO)
ASSIGNMENTS = COURSE.assignments()


def test_there_are_assignments():
    assert "correlations" in ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_metadata_is_valid_and_sources_are_clean(assignment):
    problems = []
    for path in COURSE.source_notebooks(assignment):
        notebook = nbtools.read(path)
        problems += check.check_metadata(notebook, path.name) + check.check_clean(notebook, path.name)
        problems += check.check_run_all(notebook, path.name)
    assert problems == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_is_in_sync_with_source_and_free_of_solutions(assignment):
    assert check.check_release_in_sync(COURSE, assignment) == []
    for path in sorted((COURSE.release / assignment).glob("*.ipynb")):
        notebook = nbtools.read(path)
        assert check.check_release_free_of_solutions(notebook, path.name) == []
        for source_cell in nbtools.read(COURSE.source / assignment / path.name).cells:
            if nbtools.is_answer(source_cell) and source_cell.cell_type == "code":
                solution = nbtools.SOLUTION_BLOCK.search(source_cell.source).group(1).strip()
                assert solution not in "".join(c.source for c in notebook.cells)


def _correlations_source():
    return nbtools.read(COURSE.source / "correlations" / "correlations.ipynb")


def test_run_all_check_asks_every_test_cell_for_the_raises_exception_tag():
    notebook = _correlations_source()
    assert check.check_run_all(notebook, "nb") == []
    test_cell = next(c for c in notebook.cells if nbtools.is_test(c))
    test_cell.metadata["tags"].remove("raises-exception")
    assert check.check_run_all(notebook, "nb") == [
        f"nb: {nbtools.grade_id(test_cell)} lacks the 'raises-exception' tag (Run All would stop at it while "
        "the exercise is unsolved; docs/adding-an-assignment.md)"]


def test_metadata_check_catches_a_duplicate_grade_id():
    notebook = _correlations_source()
    cells = [c for c in notebook.cells if nbtools.grade_id(c)]
    cells[1].metadata["nbgrader"]["grade_id"] = nbtools.grade_id(cells[0])
    assert any("duplicate grade_id" in p for p in check.check_metadata(notebook, "nb"))


def test_metadata_check_catches_an_unlocked_test_cell_and_missing_points():
    notebook = _correlations_source()
    test_cell = next(c for c in notebook.cells if nbtools.is_test(c))
    test_cell.metadata["nbgrader"]["locked"] = False
    del test_cell.metadata["nbgrader"]["points"]
    problems = check.check_metadata(notebook, "nb")
    assert any("must be locked" in p for p in problems) and any("needs points" in p for p in problems)


def test_metadata_check_catches_a_test_cell_without_hidden_tests():
    notebook = _correlations_source()
    test_cell = next(c for c in notebook.cells if nbtools.is_test(c))
    test_cell.source = nbtools.HIDDEN_BLOCK.sub("", test_cell.source)
    assert any("no hidden tests" in p for p in check.check_metadata(notebook, "nb"))


def test_metadata_check_allows_skip_tags_only_on_locked_ungraded_cells():
    notebook = _correlations_source()
    assert not check.check_metadata(notebook, "nb")
    assert any("skip-when-grading" in c.metadata.get("tags", []) for c in notebook.cells)
    test_cell = next(c for c in notebook.cells if nbtools.is_test(c))
    test_cell.metadata["tags"] = ["skip-when-grading"]
    answer_cell = next(c for c in notebook.cells if nbtools.is_answer(c))
    answer_cell.metadata["tags"] = ["skip-when-grading"]
    problems = [p for p in check.check_metadata(notebook, "nb") if "skip-when-grading" in p]
    assert len(problems) == 2


def test_leak_check_finds_solution_markers():
    notebook = copy.deepcopy(_correlations_source())
    assert check.check_release_free_of_solutions(notebook, "nb")


def test_sync_check_notices_an_edited_source(tmp_path):
    from conftest import copy_course

    course = copy_course(tmp_path / "c", ["correlations"])
    notebook = nbtools.read(course.source / "correlations" / "correlations.ipynb")
    notebook.cells[0].source += "\nA new sentence."
    nbtools.write(notebook, course.source / "correlations" / "correlations.ipynb")
    assert any("out of date" in p for p in check.check_release_in_sync(course, "correlations"))


def test_metadata_check_catches_a_test_that_reads_a_variable_of_the_students_kernel():
    # Tests run in the grader (course.bridge): a notebook variable such as X exists only in the kernel.
    notebook = _correlations_source()
    test_cell = next(c for c in notebook.cells if nbtools.is_test(c))
    assert not check.check_test_names(notebook, "nb")
    test_cell.source += "\nassert compute_connectivity_from_single_neuron(X_big, 0).shape == (256,)\n"
    problems = check.check_test_names(notebook, "nb")
    assert len(problems) == 1 and "uses X_big," in problems[0]
