"""Course consistency checks: metadata, release in sync, no solution leaks."""

import re
import tempfile
from pathlib import Path

from course import notebooks as nbtools
from course.layout import Course
from course.nbgrader_run import run_nbgrader
from course.skipping import TAG as SKIP_TAG, tagged

GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def check_metadata(notebook, label):
    """Problems with the nbgrader metadata of one source notebook."""
    problems, seen = [], set()
    answer_ids = set()
    for index, cell in enumerate(notebook.cells):
        meta = nbtools.nbgrader_meta(cell)
        where = f"{label} cell {index}"
        if tagged(cell) and (cell.cell_type != "code" or not meta.get("locked") or meta.get("grade")
                             or meta.get("solution")):
            problems.append(f"{where}: only locked, ungraded code cells can be tagged {SKIP_TAG!r}")
        if not meta:
            continue
        gid = meta.get("grade_id")
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: schema_version should be 3")
        if not gid or not GRADE_ID.match(gid):
            problems.append(f"{where}: grade_id {gid!r} must be letters, digits, _ or -")
        elif gid in seen:
            problems.append(f"{where}: duplicate grade_id {gid!r}")
        seen.add(gid)
        grade, solution, locked = meta.get("grade"), meta.get("solution"), meta.get("locked")
        if grade and not isinstance(meta.get("points"), (int, float)):
            problems.append(f"{where}: graded cell {gid!r} needs points")
        if solution and locked:
            problems.append(f"{where}: answer cell {gid!r} must not be locked")
        if grade and not solution and not locked:
            problems.append(f"{where}: test cell {gid!r} must be locked")
        if solution and cell.cell_type == "code":
            answer_ids.add(gid)
            if "### BEGIN SOLUTION" not in cell.source:
                problems.append(f"{where}: answer cell {gid!r} has no ### BEGIN SOLUTION block")
        if grade and not solution and cell.cell_type == "code":
            if not gid.startswith("test_"):
                problems.append(f"{where}: test cell {gid!r} should be named test_<function>")
    for gid in answer_ids:
        if f"test_{gid}" not in seen:
            problems.append(f"{label}: answer cell {gid!r} has no test cell 'test_{gid}'")
        else:
            test = next(c for c in notebook.cells if nbtools.grade_id(c) == f"test_{gid}")
            if "### BEGIN HIDDEN TESTS" not in test.source:
                problems.append(f"{label}: test_{gid} has no hidden tests")
    if notebook.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append(f"{label}: kernelspec should be python3")
    return problems + check_test_names(notebook, label)


def check_test_names(notebook, label):
    """Test cells run in the grader, not in the student's kernel (course.bridge).

    They may use the instructor cells' imports, what they define themselves
    and the functions of answer cells, but not variables computed in the
    notebook: those live only in the student's kernel.
    """
    import ast
    import builtins

    from course.grading import grading_plan
    from course.skipping import _python_source, names_defined

    _, student_names, prelude = grading_plan(notebook)
    available = set(dir(builtins)) | set(student_names) | names_defined(ast.parse(prelude))
    problems = []
    for cell in notebook.cells:
        if not nbtools.is_test(cell):
            continue
        try:
            tree = ast.parse(_python_source(cell.source))
        except SyntaxError as error:
            problems.append(f"{label}: {nbtools.grade_id(cell)} is not valid Python ({error.msg})")
            continue
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        unknown = sorted(used - names_defined(tree) - available)
        if unknown:
            problems.append(f"{label}: {nbtools.grade_id(cell)} uses {', '.join(unknown)}, which only the "
                            "student's kernel knows: tests run in the grader, so build such values in the test")
    return problems


def check_clean(notebook, label):
    return [f"{label}: cell {i} has outputs (commit source notebooks clean)"
            for i, c in enumerate(notebook.cells)
            if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]


def check_release_free_of_solutions(notebook, label):
    problems = []
    for index, cell in enumerate(notebook.cells):
        for marker in LEAK_MARKERS:
            if marker in cell.source:
                problems.append(f"{label} cell {index}: contains {marker!r}")
    return problems


def comparable(notebook):
    """Cell types, sources and nbgrader metadata: what must match a fresh release."""
    return [(c.cell_type, c.source, {k: v for k, v in nbtools.nbgrader_meta(c).items() if k != "checksum"},
             c.metadata.get("tags", [])) for c in notebook.cells]


def fresh_release(course, assignment, workdir):
    """Generate ``assignment`` from ``source/`` in a throwaway copy of the course."""
    import shutil

    copy = Path(workdir) / "course"
    copy.mkdir()
    shutil.copy(course.root / "nbgrader_config.py", copy)
    shutil.copytree(course.source / assignment, copy / "source" / assignment)
    temp = Course(copy)
    run_nbgrader(temp, "generate_assignment", assignment, "--force",
                 env={"COURSE_DB_URL": f"sqlite:///{copy / 'gradebook.db'}"})
    return copy / "release" / assignment


def check_release_in_sync(course, assignment):
    problems = []
    with tempfile.TemporaryDirectory() as workdir:
        fresh_dir = fresh_release(course, assignment, workdir)
        for source_path in course.source_notebooks(assignment):
            committed = course.release / assignment / source_path.name
            if not committed.exists():
                problems.append(f"{committed} is missing: run python -m course release {assignment}")
                continue
            if comparable(nbtools.read(committed)) != comparable(nbtools.read(fresh_dir / source_path.name)):
                problems.append(f"{committed} is out of date: run python -m course release {assignment}")
    return problems


def check_course(course, assignments=None, sync=True):
    """All problems found (an empty list means the course is consistent)."""
    problems = []
    for assignment in assignments or course.assignments():
        for path in course.source_notebooks(assignment):
            notebook = nbtools.read(path)
            label = str(path.relative_to(course.root))
            problems += check_metadata(notebook, label)
            problems += check_clean(notebook, label)
        for path in sorted((course.release / assignment).glob("*.ipynb")):
            problems += check_release_free_of_solutions(nbtools.read(path), str(path.relative_to(course.root)))
        if sync:
            problems += check_release_in_sync(course, assignment)
    return problems
