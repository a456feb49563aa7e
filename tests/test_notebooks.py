"""Every source notebook runs top to bottom and prints the numbers it promises."""

import re

import pytest

from course import notebooks as nbtools
from course.layout import Course
from conftest import REPO

COURSE = Course(REPO)
ASSIGNMENTS = COURSE.assignments()


def printed(notebook, grade_id):
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def errors(notebook):
    return [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename, o.evalue)
            for c in notebook.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"]


@pytest.mark.parametrize("assignment, name", [(a, p.name) for a in ASSIGNMENTS for p in COURSE.source_notebooks(a)])
def test_source_notebook_executes_without_errors(executed_notebook, assignment, name):
    notebook = executed_notebook(assignment, name)
    assert errors(notebook) == []
    stderr = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert stderr == [], f"cells writing to stderr (warnings): {stderr}"


def test_correlations_notebook_prints_the_reference_numbers(executed_notebook):
    notebook = executed_notebook("correlations", "correlations.ipynb")
    small = float(re.search(r"= ([0-9.]+)", printed(notebook, "all_neurons")).group(1))
    large = float(re.search(r"= ([0-9.]+)", printed(notebook, "large_system")).group(1))
    assert small == pytest.approx(0.9596667994046594, abs=1e-12)
    assert large == pytest.approx(0.36293298241778166, abs=1e-12)


@pytest.mark.parametrize("assignment", ["correlations", "lnp", "correlated_regressors", "mei_vs_gabor"])
def test_run_all_on_the_blank_release_goes_past_the_unsolved_exercises(assignment, tmp_path):
    # As "Run All" in JupyterLab: it stops at the first error except in cells tagged
    # raises-exception (the checks, which must fail until the exercise is right).
    import nbformat

    from course.execute import robust_execute_class

    path = REPO / "release" / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    for data in (REPO / "release" / assignment).iterdir():
        if data.suffix != ".ipynb":
            (tmp_path / data.name).symlink_to(data)
    executor = robust_execute_class()(timeout=300, kernel_name="python3", allow_errors=False)
    executor.preprocess(notebook, {"metadata": {"path": str(tmp_path)}})   # raises if Run All would stop

    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "a cell was not run"
    checks = [c for c in code if nbtools.is_test(c)]
    assert checks and all("raises-exception" in c.metadata.get("tags", []) for c in checks)
    assert all(o.output_type == "error" for c in checks for o in c.outputs if o.output_type == "error")
    assert all(any(o.output_type == "error" for o in c.outputs) for c in checks), "a check passed unanswered"
    wrapped = [c for c in code if c.source.startswith("with needs_exercise(")]
    notes = [c for c in wrapped if "not done yet" in printed(notebook, c.metadata["nbgrader"]["grade_id"])
             or "This cell needs Exercise" in printed(notebook, c.metadata["nbgrader"]["grade_id"])]
    assert wrapped and notes == wrapped
    others = [c for c in code if c not in checks]
    assert not [c.metadata["nbgrader"]["grade_id"] for c in others for o in c.outputs if o.output_type == "error"]
