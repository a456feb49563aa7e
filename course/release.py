"""Generate the student versions of the assignments (``release/``)."""

import shutil

from course import notebooks as nbtools
from course.layout import CourseError
from course.nbgrader_run import run_nbgrader


def release(course, assignment):
    """``nbgrader generate_assignment``: student notebooks into ``release/``.

    The gradebook learns the assignment's cells and hidden tests at the same
    time. Safe to re-run.
    """
    course.check_assignment(assignment)
    for notebook_path in course.source_notebooks(assignment):
        notebook = nbtools.read(notebook_path)
        if any(c.get("outputs") or c.get("execution_count") for c in notebook.cells if c.cell_type == "code"):
            raise CourseError(f"{notebook_path} has outputs: clear them before releasing "
                             "(source notebooks are committed clean)")
    run_nbgrader(course, "generate_assignment", assignment, "--force")
    # nbgrader leaves checkpoints and caches from the source folder; drop them.
    for junk in (course.release / assignment).rglob("*"):
        if junk.name in {".ipynb_checkpoints", "__pycache__"} and junk.is_dir():
            shutil.rmtree(junk)
    return sorted((course.release / assignment).glob("*.ipynb"))
