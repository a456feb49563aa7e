"""Detect student code that tampers with the functions the tests rely on.

Two independent checks, both run outside the student's reach:

* :func:`scan_source` reads the student's cells (AST, before execution) and
  reports assignments to attributes of imported modules (``np.allclose = ...``),
  ``setattr`` on modules, rebinding builtins, and dynamic code (``exec``,
  ``eval``, ``importlib``, ``ctypes``) that could hide the same.
* :data:`PROBE_SOURCE` runs in the kernel after the last cell and prints a
  fingerprint of each function in :data:`GUARDED`; the worker compares it with
  the fingerprint computed in its own, untouched interpreter.

Neither is a proof: a determined student can still obfuscate. The sandbox,
not these checks, keeps grades and hidden tests out of reach.
"""

import ast
import importlib
import inspect
import json
import textwrap

GUARDED = [
    "numpy.allclose", "numpy.isclose", "numpy.array_equal", "numpy.asarray", "numpy.abs",
    "numpy.all", "numpy.any", "numpy.corrcoef", "numpy.testing.assert_allclose",
    "numpy.testing.assert_array_equal", "numpy.testing.assert_almost_equal",
    "numpy.testing.assert_array_almost_equal", "math.isclose",
    "helpers.checks.assert_close", "helpers.checks.assert_shape", "helpers.checks.call_quietly",
    "helpers.checks.as_float_array", "helpers.checks.quiet",
    "builtins.abs", "builtins.all", "builtins.any", "builtins.float", "builtins.len",
    "builtins.isinstance", "builtins.AssertionError", "builtins.print",
]
# Modules whose attributes a student must not rebind; the names the notebooks
# import them under count from the start.
GUARDED_MODULES = {"numpy", "scipy", "helpers", "math", "builtins", "sys", "course", "nbgrader",
                   "torch", "sklearn", "warnings", "contextlib"}
DEFAULT_ALIASES = {"np": "numpy", "numpy": "numpy", "helpers": "helpers", "math": "math",
                   "__builtins__": "builtins", "builtins": "builtins", "sys": "sys", "torch": "torch"}
DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__"}
MODULE_CHANGING_CALLS = {"setattr", "delattr"}
DYNAMIC_MODULES = {"importlib", "ctypes", "gc", "inspect", "builtins", "unittest"}


def fingerprint(obj):
    """A digest of what a function does, comparable across processes."""
    import hashlib

    def describe(value):
        code = getattr(value, "__code__", value if type(value).__name__ == "code" else None)
        if code is None:
            return repr(value) if isinstance(value, (str, bytes, int, float, tuple, type(None))) else type(value).__name__
        # nested code objects are described by content, not by their address
        return code.co_code.hex() + "|" + ";".join(describe(const) for const in code.co_consts)

    parts = [type(obj).__name__, getattr(obj, "__module__", None) or "",
             getattr(obj, "__qualname__", None) or repr(obj), describe(obj)]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def resolve(dotted):
    module_name, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def reference_fingerprints():
    return {name: fingerprint(resolve(name)) for name in GUARDED}


PROBE_SOURCE = """\
def __course_probe():
    import importlib, json, sys
%s
    result = {}
    for dotted in %r:
        module_name, _, attribute = dotted.rpartition(".")
        try:
            result[dotted] = fingerprint(getattr(importlib.import_module(module_name), attribute))
        except Exception as error:
            result[dotted] = "missing: " + type(error).__name__
    sys.stdout.write("COURSE-PROBE " + json.dumps(result) + "\\n")
__course_probe()
""" % (textwrap.indent(inspect.getsource(fingerprint), "    "), GUARDED)


def compare_probe(outputs, reference):
    """Names whose fingerprint after the run differs from ``reference``.

    Returns None if the probe printed nothing (itself a sign of tampering
    or of a dead kernel).
    """
    for output in outputs:
        text = output.get("text", "")
        if output.get("output_type") == "stream" and text.startswith("COURSE-PROBE "):
            found = json.loads(text[len("COURSE-PROBE "):])
            return sorted(name for name, digest in reference.items() if found.get(name) != digest)
    return None


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
        if isinstance(node, ast.Name) and node.id in {"__builtins__", "globals", "vars"}:
            found.append(("review", f"line {node.lineno}: uses {node.id}"))
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
