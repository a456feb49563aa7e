"""Shared fixtures: a private copy of the course and a graded demo class."""

import fcntl
import os
import pickle
import shutil
import sys
import time
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


def reference_answers(assignment, *grade_ids, imports="import numpy as np"):
    """The source notebook's reference answers: the named cells run in a fresh namespace.

    Tests of reference numbers use these, so they check the code students are
    graded against, not a copy of it kept in the test file.
    """
    import nbformat

    notebook = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in notebook.cells}
    namespace = {}
    exec(imports, namespace)
    for grade_id in grade_ids:
        exec(compile(cells[grade_id], f"<{assignment}:{grade_id}>", "exec"), namespace)
    return namespace


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


def student_with(members, variant):
    """The bundled submission that holds ``variant``."""
    return next(student for student, (names, _) in members.items() if variant in names)


def max_scores(course, assignment):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        assignment_row = gradebook.find_assignment(assignment)
        return {cell.name: cell.max_score for notebook in assignment_row.notebooks
                for cell in notebook.grade_cells}


def shared(tmp_path_factory, key, compute):
    """Compute ``compute()`` once per test run, even across pytest-xdist workers.

    The first worker to ask computes and pickles the result under a file
    lock in the run's shared temporary folder; the others wait and load it.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    with open(base / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = base / f"{key}.pickle"
        if path.exists():
            return pickle.loads(path.read_bytes())
        result = compute()
        path.write_bytes(pickle.dumps(result))
        return result


def execute_notebook(path, replace=None):
    """Run a notebook top to bottom with the grader's executor; returns it with outputs.

    ``replace`` maps text to its replacement in every cell's source first
    (e.g. to switch a notebook option on).
    """
    import nbformat

    from course.execute import robust_execute_class

    notebook = nbformat.read(str(path), as_version=4)
    for old, new in (replace or {}).items():
        hits = [cell for cell in notebook.cells if old in cell.source]
        assert hits, f"{old!r} is not in {path}"
        for cell in hits:
            cell.source = cell.source.replace(old, new)
    # It polls kernel messages in short slices, so a missed wake-up (nbclient +
    # pyzmq) cannot stall a cell for its whole timeout.
    executor = robust_execute_class()(timeout=300, kernel_name="python3", allow_errors=True)
    executor.preprocess(notebook, {"metadata": {"path": str(Path(path).parent)}})
    return notebook


@pytest.fixture(scope="session")
def executed_notebook(tmp_path_factory):
    """``(assignment, notebook name) -> executed source notebook``, once per test run."""
    def run(assignment, name):
        return shared(tmp_path_factory, f"executed-{assignment}-{name}",
                      lambda: execute_notebook(REPO / "source" / assignment / name))
    return run


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Grade the demo class of an assignment once per test session.

    The variants are bundled (see ``course.classroom.bundle_variants``) so a
    class needs a few notebook executions instead of one per variant.
    Returns a function ``assignment -> (course, scores, outcomes, members)``,
    where ``members`` maps each student to (variant names, expected failing tests).
    """
    def grade_assignment(assignment):
        return shared(tmp_path_factory, f"graded-{assignment}", lambda: _grade_class(assignment))

    def _grade_class(assignment):
        from course import classroom
        from course.grading import Limits, grade
        from course.release import release

        course = copy_course(tmp_path_factory.mktemp(f"course-{assignment}"), [assignment])
        release(course, assignment)
        members = classroom.write_bundled_class(course, assignment)
        from course import notebooks as nbtools
        from oracle_keeper import STUDENT, keeper_notebook   # asks the grader's references (tests only)

        for source_path in course.source_notebooks(assignment):
            folder = course.submitted / STUDENT / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbtools.write(keeper_notebook(nbtools.read(source_path),
                                          nbtools.read(course.release / assignment / source_path.name)),
                          folder / source_path.name)
        outcomes = grade(course, assignment, students=sorted([*members, STUDENT]), workers=2,
                         limits=Limits(cell_timeout=120, notebook_timeout=600), progress=False)
        return (course, scores_by_student(course, assignment),
                {o.student: o for o in outcomes}, members)

    return grade_assignment


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: installs packages into a fresh virtual environment "
                                       "(a few minutes; part of ./run test, -m 'not slow' skips it)")
    config._course_started = time.time()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say where the browser tests' screenshots are (tests/test_browser.py)."""
    folder = Path(os.environ.get("COURSE_SCREENSHOTS", Path(os.environ.get("TMPDIR", "/tmp")) / "course-screenshots"))
    started = getattr(config, "_course_started", 0)
    new = [p for p in folder.glob("*.png") if p.stat().st_mtime >= started] if folder.is_dir() else []
    if new:
        terminalreporter.write_line(f"browser screenshots: {folder} ({len(new)} taken in this run)")
