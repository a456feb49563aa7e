"""The Examples of every helpers docstring run as tests (issue 14: doctests in ``./run test``).

``./run test`` collects ``tests/`` only, so the doctests are collected here, one
test per docstring, rather than by adding ``--doctest-modules helpers`` to
pyproject's ``addopts`` (which would change pyproject.toml, and with it make
``./run`` reinstall every environment). ``python -m pytest --doctest-modules
helpers`` runs the same examples directly.

A second test checks that every public function and class of ``helpers`` has
an Examples section at all.
"""

import ast
import doctest
import importlib
import io
import pkgutil
from pathlib import Path

import matplotlib
import pytest

import helpers

matplotlib.use("Agg")  # tests/conftest.py does the same; here too when this file runs alone

HELPERS = Path(helpers.__file__).parent


def _module_names():
    return sorted(["helpers"] + [info.name for info in pkgutil.walk_packages([str(HELPERS)], prefix="helpers.")])


def _doctests():
    finder = doctest.DocTestFinder()
    found = []
    for name in _module_names():
        module = importlib.import_module(name)
        for test in finder.find(module):
            if test.examples and (test.filename or "").startswith(str(HELPERS)):
                found.append(test)
    return sorted(found, key=lambda test: test.name)


DOCTESTS = _doctests()


def test_there_are_doctests_in_every_subpackage():
    modules = {test.name.split(".")[1] for test in DOCTESTS if test.name.count(".") >= 2}
    assert {"correlations", "lnp", "regressors", "mei", "validation", "checks"} <= modules


@pytest.mark.parametrize("test", DOCTESTS, ids=[test.name for test in DOCTESTS])
def test_docstring_examples_run(test):
    import matplotlib.pyplot as plt

    output = io.StringIO()
    runner = doctest.DocTestRunner(verbose=False)
    try:
        runner.run(test, out=output.write)
    finally:
        plt.close("all")
    assert runner.failures == 0, output.getvalue()


def _public_definitions():
    for path in sorted(HELPERS.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                module = ".".join(path.relative_to(HELPERS.parent).with_suffix("").parts)
                yield f"{module}.{node.name}", node


PUBLIC = list(_public_definitions())


@pytest.mark.parametrize("name, node", PUBLIC, ids=[name for name, _ in PUBLIC])
def test_every_public_function_has_an_examples_section(name, node):
    assert "Examples\n--------\n>>> " in (ast.get_docstring(node) or ""), f"{name} has no numpydoc Examples section"


# Modules written before the conventions of issue 14; new modules follow them too, but
# their authors add the Parameters and Returns sections (only Examples are required above).
DOCUMENTED = {"helpers/__init__.py", "helpers/checks.py", "helpers/plotting.py", "helpers/stats.py",
              "helpers/validation.py", "helpers/widgets.py"} | {
    f"helpers/{sub}/{name}.py" for sub, names in {
        "correlations": ["estimation", "plotting", "simulation", "widgets"],
        "lnp": ["data", "plotting", "stimulus", "widgets"],
        "regressors": ["design", "plotting", "simulation", "widgets"],
        "mei": ["analysis", "data", "model", "plotting", "population", "stimuli", "toy_models", "widgets"],
    }.items() for name in names}
DOCUMENTED_MODULES = {path.removesuffix(".py").replace("/", ".") for path in DOCUMENTED}
FUNCTIONS = [(name, node) for name, node in PUBLIC
             if isinstance(node, ast.FunctionDef) and name.rsplit(".", 1)[0] in DOCUMENTED_MODULES]


@pytest.mark.parametrize("name, node", FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
def test_every_public_function_documents_its_parameters_and_result(name, node):
    docstring = ast.get_docstring(node) or ""
    if node.args.args or node.args.kwonlyargs:
        assert "Parameters\n----------\n" in docstring, f"{name} has no numpydoc Parameters section"
    assert "Returns\n-------\n" in docstring, f"{name} has no numpydoc Returns section"
