"""Reading notebooks and their nbgrader cells; building submissions."""

import re

import nbformat

SOLUTION_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION[^\n]*\n?",
                            re.DOTALL | re.MULTILINE)
HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[^\n]*\n?",
                          re.DOTALL | re.MULTILINE)


def read(path):
    return nbformat.read(str(path), as_version=4)


def write(notebook, path):
    nbformat.write(notebook, str(path))


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def cells_by_id(notebook):
    """Map ``grade_id`` to cell for every nbgrader cell."""
    return {grade_id(c): c for c in notebook.cells if grade_id(c)}


def is_answer(cell):
    """A cell the student writes in (autograded code or written answer)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("solution"))


def is_test(cell):
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def reference_answer(cell):
    """The source cell with its solution markers removed (the model answer)."""
    return SOLUTION_BLOCK.sub(lambda match: match.group(1), cell.source)


def strip_outputs(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def fill_answers(release_notebook, answers):
    """Return a copy of a released notebook with some answer cells replaced.

    Parameters
    ----------
    release_notebook : NotebookNode
        The student version.
    answers : dict of str to str
        ``grade_id`` -> new cell source.
    """
    notebook = nbformat.from_dict(release_notebook)
    cells = cells_by_id(notebook)
    unknown = set(answers) - set(cells)
    if unknown:
        raise KeyError(f"no such cells in the notebook: {sorted(unknown)}")
    for key, source in answers.items():
        cells[key].source = source
    return notebook


def reference_answers(source_notebook):
    """``grade_id`` -> model answer, for every answer cell of a source notebook."""
    return {grade_id(c): reference_answer(c) for c in source_notebook.cells if is_answer(c)}
