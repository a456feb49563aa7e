"""Instructor cells that the grader may leave out.

Some cells of an assignment only draw figures or run the interactive demos
(an MEI for fifteen neurons, a widget). The hidden tests never need them,
yet they can take most of a submission's grading time. The instructor tags
such cells ``skip-when-grading`` in ``source/``; they must be read-only
(locked) and not graded, so nbgrader restores their instructor content in
every submission before it runs (``course check`` verifies this).

The grading worker still runs a tagged cell when any other cell that runs
might need it: a test, or the student's own code, that mentions a name the
tagged cell defines and does not bind itself (also inside a string, for
``eval``/``globals()`` tricks). Names are found with :mod:`ast` after IPython's magics are
translated, and a cell that cannot be parsed keeps every tagged cell.

What this cannot see: side effects of a tagged cell on objects defined
elsewhere (``np.random.seed``, ``model.eval()``). Tag only cells without
such effects; the reference solution's grading test checks the result.
"""

import ast
import re
import uuid

import nbformat

TAG = "skip-when-grading"
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Ways to reach a variable through its name as a string.
DYNAMIC_ACCESS = {"eval", "exec", "globals", "locals", "vars", "getattr", "get_ipython", "user_ns",
                  "user_global_ns", "__main__", "modules", "__dict__", "__builtins__", "__import__"}


def tagged(cell):
    return TAG in cell.get("metadata", {}).get("tags", [])


# Magics that cannot read the user's variables: left out before the analysis.
BENIGN_MAGIC = re.compile(r"^[ \t]*%(matplotlib|load_ext|autoreload|config)\b.*$", re.MULTILINE)


def _python_source(source):
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(BENIGN_MAGIC.sub("", source))


def names_defined(tree):
    """Every name the code binds, at any depth (an over-estimate is safe)."""
    defined = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            defined.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.alias):
            defined.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            defined.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
        elif isinstance(node, ast.MatchAs) and node.name:
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
    return defined


def names_mentioned(tree):
    """Every name the code reads.

    Code that reaches variables by name at run time (``eval``,
    ``globals()``, ``get_ipython().user_ns``, ``sys.modules["__main__"]``,
    magics) also mentions every attribute and every identifier spelled
    inside its strings.
    """
    mentioned, spelled = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            mentioned.add(node.id)
        elif isinstance(node, ast.Attribute):
            spelled.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            spelled.update(IDENTIFIER.findall(node.value))
    if (mentioned | spelled) & DYNAMIC_ACCESS:
        mentioned |= spelled
    return mentioned


def cells_to_skip(notebook, skip_ids):
    """Indices of the cells the grader can leave out.

    Parameters
    ----------
    notebook : NotebookNode
        The sanitized submission (nbgrader has restored locked cells).
    skip_ids : collection of str
        ``grade_id`` of the cells tagged ``skip-when-grading`` in the source.

    Returns
    -------
    list of int
    """
    candidates = {i for i, cell in enumerate(notebook.cells)
                  if cell.cell_type == "code"
                  and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in set(skip_ids)}
    if not candidates:
        return []
    trees = {}
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        # Test cells run in the grader (course.bridge) and cannot read the kernel's variables.
        if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
            continue
        try:
            trees[index] = ast.parse(_python_source(cell.source))
        except (SyntaxError, ValueError):
            if index not in candidates:
                return []     # code we cannot read might need anything
            candidates.discard(index)
    skipped = set(candidates)
    defined = {index: names_defined(tree) for index, tree in trees.items()}
    # names a cell binds itself (a loop variable, its own ``fig``) are not needed from elsewhere
    free = {index: names_mentioned(tree) - defined[index] for index, tree in trees.items()}
    changed = True
    while changed:
        changed = False
        needed = set().union(*(free[index] for index in trees if index not in skipped))
        for index in sorted(skipped):
            if defined[index] & needed:
                skipped.discard(index)
                changed = True
    return sorted(skipped)


def skippable_cells(course, assignment):
    """notebook name -> grade_ids of the source cells tagged ``skip-when-grading``.

    Read from ``source/``, never from the submission: a student cannot add
    the tag to a test cell.
    """
    from course import notebooks as nbtools

    return {path.name: [nbtools.grade_id(cell) for cell in nbtools.read(path).cells
                        if tagged(cell) and nbtools.grade_id(cell) and _demo_cell(cell)]
            for path in course.source_notebooks(assignment)}


def _demo_cell(cell):
    """A locked code cell that is neither an answer nor a test: the only kind that may be left out."""
    from course.notebooks import nbgrader_meta

    flags = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and flags.get("locked") and not flags.get("grade") \
        and not flags.get("solution")


SKIPPED_NOTE = "[not run while grading: this cell only draws or demonstrates; run it in your own notebook to see its output]\n"


def mark_cells_to_skip(notebook, skip_ids):
    """Tag the cells to leave out with a fresh random tag; returns (tag, indices).

    The tag is new for every run, so a student who puts nbclient's usual
    ``skip-execution`` tag (or any other) on a test cell does not skip it.
    """
    token = f"course-skip-{uuid.uuid4().hex}"
    indices = cells_to_skip(notebook, skip_ids) if skip_ids else []
    for index in indices:
        notebook.cells[index].metadata.setdefault("tags", []).append(token)
    return token, indices


def unmark_skipped_cells(notebook, token, indices):
    for index in indices:
        cell = notebook.cells[index]
        cell.metadata["tags"] = [tag for tag in cell.metadata["tags"] if tag != token]
        if not cell.metadata["tags"]:
            del cell.metadata["tags"]
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=SKIPPED_NOTE)]
