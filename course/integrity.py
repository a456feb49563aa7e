"""Flag student code that a human should read.

:func:`scan_source` reads the student's cells (AST, before execution) and
reports assignments to attributes of imported modules (``np.allclose = ...``),
``setattr`` on modules, rebinding builtins, and dynamic code (``exec``,
``eval``, ``importlib``, ``ctypes``).

These findings no longer decide anything: the tests run in the grader's
own process (:mod:`course.bridge`), so patching numpy or IPython inside the
student's kernel can only change what the student's own functions return.
Such code is still unusual in an answer, so the submission is flagged for
review (nbgrader's "flagged", and the report's attention list).
"""

import ast
import re

# Magics that run no code of the student's: not worth a human's look.
BENIGN_MAGIC = re.compile(r"^%(matplotlib|load_ext|autoreload|config)\b")

# Modules whose attributes a student must not rebind; the names the notebooks
# import them under count from the start.
GUARDED_MODULES = {"numpy", "scipy", "helpers", "math", "builtins", "sys", "course", "nbgrader",
                   "torch", "sklearn", "warnings", "contextlib"}
DEFAULT_ALIASES = {"np": "numpy", "numpy": "numpy", "helpers": "helpers", "math": "math",
                   "__builtins__": "builtins", "builtins": "builtins", "sys": "sys", "torch": "torch"}
DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__"}
MODULE_CHANGING_CALLS = {"setattr", "delattr"}
DYNAMIC_MODULES = {"importlib", "ctypes", "gc", "inspect", "builtins", "unittest"}


def _root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def scan_source(source):
    """Reasons to distrust one cell of student code.

    Returns
    -------
    list of (str, str)
        ``(kind, reason)`` pairs. ``kind`` is ``"tamper"`` for code that
        rebinds a function of numpy, helpers, builtins and the like (the
        submission scores 0), or ``"review"`` for dynamic code that could hide
        the same (``exec``, ``importlib``...: flagged for a human to read).
    """
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    magics = [line.strip() for line in source.splitlines()
              if line.lstrip().startswith(("%", "!")) and not BENIGN_MAGIC.match(line.strip())]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return []  # graded as a syntax error, not as tampering
    aliases = dict(DEFAULT_ALIASES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def guarded(node):
        module = aliases.get(_root_name(node) or "")
        return module is not None and module.split(".")[0] in GUARDED_MODULES

    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, (ast.Attribute, ast.Subscript)) and guarded(part):
                    found.append(("tamper", f"line {node.lineno}: changes {ast.unparse(part)}"))
                    break
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in MODULE_CHANGING_CALLS and node.args and guarded(node.args[0]):
                found.append(("tamper", f"line {node.lineno}: {name}() on {ast.unparse(node.args[0])}"))
            elif name in DYNAMIC_CALLS | MODULE_CHANGING_CALLS:
                found.append(("review", f"line {node.lineno}: calls {name}()"))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] in DYNAMIC_MODULES:
                    found.append(("review", f"line {node.lineno}: imports {name}"))
        if isinstance(node, ast.Name) and node.id in {"__builtins__", "globals", "vars", "get_ipython"}:
            found.append(("review", f"line {node.lineno}: uses {node.id}"))
    found += [("review", f"runs the magic or shell command {line[:60]!r}") for line in magics]
    return sorted(set(found))


def scan_notebook(notebook):
    """``(kind, reason)`` over every code cell the student could edit."""
    found = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("locked"):
            continue
        label = meta.get("grade_id") or f"cell {index}"
        found += [(kind, f"{label}, {reason}") for kind, reason in scan_source(cell.source)]
    return found
