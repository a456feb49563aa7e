"""Shared fixtures: a private copy of the course and a graded demo class."""

import os
import shutil
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
# nbgrader runs `alembic` as a subprocess: this environment's bin/ first on PATH.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
os.environ.pop("COURSE_DB_URL", None)


def copy_course(destination, assignments=None):
    """A throwaway course directory: config, sources and releases (no gradebook)."""
    from course.layout import Course

    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", destination)
    for folder in ("source", "release"):
        for assignment in assignments or Course(REPO).assignments():
            if (REPO / folder / assignment).is_dir():
                shutil.copytree(REPO / folder / assignment, destination / folder / assignment)
    return Course(destination)


def scores_by_student(course, assignment):
    """student -> {grade_id: score or None}, read back from the gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(course.db_url) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            scores[submission.student_id] = {
                grade.name: (None if grade.needs_manual_grade else grade.score)
                for notebook in submission.notebooks for grade in notebook.grades}
    return scores


def max_scores(course, assignment):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        assignment_row = gradebook.find_assignment(assignment)
        return {cell.name: cell.max_score for notebook in assignment_row.notebooks
                for cell in notebook.grade_cells}


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Grade the demo class of an assignment once per test session.

    Returns a function ``assignment -> (course, scores, outcomes)``.
    """
    cache = {}

    def grade_assignment(assignment):
        if assignment not in cache:
            from course import classroom
            from course.grading import Limits, grade
            from course.release import release

            course = copy_course(tmp_path_factory.mktemp(f"course-{assignment}"), [assignment])
            release(course, assignment)
            students = classroom.write_class(course, assignment)
            outcomes = grade(course, assignment, students=students, workers=2,
                             limits=Limits(cell_timeout=120, notebook_timeout=600), progress=False)
            cache[assignment] = (course, scores_by_student(course, assignment),
                                 {o.student: o for o in outcomes})
        return cache[assignment]

    return grade_assignment
