"""Every source notebook runs top to bottom and prints the numbers it promises."""

import re

import pytest

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
