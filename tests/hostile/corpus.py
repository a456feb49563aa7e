"""A corpus of broken and hostile submissions for the correlations assignment.

Each entry writes one student's submission folder and states what grading
must conclude. ``tests/test_hostile_submissions.py`` grades them all in one
batch, twice, and checks every outcome.
"""

from dataclasses import dataclass, field

import nbformat

from course import notebooks as nbtools

SINGLE = "test_compute_connectivity_from_single_neuron"
COARSE = "test_get_coarse_corr"
FULL = "full"
WRONG_COARSE = ("def get_coarse_corr(n_groups, X, A):\n"
                "    return 0.0, np.zeros((n_groups, n_groups)), np.zeros((n_groups, n_groups))\n")


@dataclass
class Case:
    description: str
    build: object                       # build(folder, release, answers, secrets) -> None
    status: str = "ok"                  # expected Outcome.status
    scores: dict = field(default_factory=lambda: {SINGLE: FULL, COARSE: FULL})  # None: not checked
    note: str = ""                      # substring expected in the outcome's message or notes
    output: str = ""                    # substring expected in the executed notebook's outputs
    absent: str = ""                    # substring that must not appear in them


def _write(folder, release, answers, changes=None, name="correlations.ipynb"):
    notebook = nbtools.fill_answers(release, {**answers, **(changes or {})})
    folder.mkdir(parents=True, exist_ok=True)
    nbtools.write(notebook, folder / name)
    return notebook


def _prepend(answers, grade_id, code):
    return {grade_id: code + "\n" + answers[grade_id]}


def syntax_error(folder, release, answers, secrets):
    _write(folder, release, answers, {"get_coarse_corr": "def get_coarse_corr(n_groups, X, A)\n    return 1\n"})


def raise_at_import(folder, release, answers, secrets):
    _write(folder, release, answers, _prepend(answers, "compute_connectivity_from_single_neuron",
                                              "raise RuntimeError('boom')"))


def infinite_loop(folder, release, answers, secrets):
    _write(folder, release, answers, _prepend(answers, "get_coarse_corr", "while True:\n    pass"))


def loop_ignoring_sigint(folder, release, answers, secrets):
    _write(folder, release, answers, _prepend(answers, "get_coarse_corr",
           "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"))


def memory_bomb(folder, release, answers, secrets):
    _write(folder, release, answers, _prepend(answers, "compute_connectivity_from_single_neuron",
           "hoard = []\nwhile True:\n    hoard.append(bytearray(200 * 1024 * 1024))"))


def sys_exit(folder, release, answers, secrets):
    _write(folder, release, answers, _prepend(answers, "compute_connectivity_from_single_neuron",
                                              "import sys\nsys.exit(3)"))


def os_exit(folder, release, answers, secrets):
    _write(folder, release, answers, _prepend(answers, "get_coarse_corr", "import os\nos._exit(0)"))


def kernel_crash(folder, release, answers, secrets):
    _write(folder, release, answers, _prepend(answers, "get_coarse_corr",
                                              "import ctypes\nctypes.string_at(0)"))


def huge_output(folder, release, answers, secrets):
    _write(folder, release, answers, {"get_coarse_corr": answers["get_coarse_corr"]
                                      + "\nprint('spam ' * 5_000_000)\n"})


def deleted_test_cell(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, answers)
    notebook.cells = [c for c in notebook.cells if nbtools.grade_id(c) != COARSE]
    folder.mkdir(parents=True)
    nbtools.write(notebook, folder / "correlations.ipynb")


def edited_test_cell(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, {**answers, "get_coarse_corr": "def get_coarse_corr(n_groups, X, A):\n    return 0, 0, 0\n"})
    for cell in notebook.cells:
        if nbtools.grade_id(cell) == COARSE:
            cell.source = "pass  # nothing to test here"
    folder.mkdir(parents=True)
    nbtools.write(notebook, folder / "correlations.ipynb")


def changed_grade_id(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, answers)
    for cell in notebook.cells:
        if nbtools.grade_id(cell) == COARSE:
            cell.metadata["nbgrader"]["grade_id"] = "my_own_tests"
    folder.mkdir(parents=True)
    nbtools.write(notebook, folder / "correlations.ipynb")


def invalid_json(folder, release, answers, secrets):
    folder.mkdir(parents=True)
    (folder / "correlations.ipynb").write_text('{"cells": [ this is not json')


def renamed_notebook(folder, release, answers, secrets):
    _write(folder, release, answers, name="correlations_final_v2.ipynb")


def missing_notebook(folder, release, answers, secrets):
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("I forgot to upload my notebook")


def extra_files(folder, release, answers, secrets):
    _write(folder, release, answers)
    (folder / "helpers.py").write_text("raise ImportError('shadowed helpers')\n")
    (folder / "data.csv").write_text("1,2,3\n")


def monkeypatched_numpy(folder, release, answers, secrets):
    _write(folder, release, answers, {"get_coarse_corr": "np.allclose = lambda *a, **k: True\n" + WRONG_COARSE})


def monkeypatched_checks(folder, release, answers, secrets):
    _write(folder, release, answers, {"get_coarse_corr": (
        "import helpers.checks\nhelpers.checks.assert_close = lambda *a, **k: None\n"
        "helpers.checks.assert_shape = lambda value, *a, **k: np.zeros(a[0])\n" + WRONG_COARSE)})


def obfuscated_monkeypatch(folder, release, answers, secrets):
    _write(folder, release, answers, {"get_coarse_corr": (
        "_m = __import__('hel' + 'pers.checks', fromlist=['x'])\n"
        "setattr(_m, 'assert_' + 'close', lambda *a, **k: None)\n" + WRONG_COARSE)})


def reads_hidden_tests(folder, release, answers, secrets):
    probe = (
        "import glob, os\n"
        f"_targets = [{secrets['course']!r}, {secrets['repo']!r}]\n"
        "_found = []\n"
        "for _root in _targets:\n"
        "    for _pattern in ('**/source/**/*.ipynb', '**/gradebook.db', '**/autograded/**/*.ipynb'):\n"
        "        _found += glob.glob(os.path.join(_root, _pattern), recursive=True)\n"
        "_found += glob.glob('/tmp/**/*.ipynb', recursive=True)\n"
        "print('FOUND', len(_found), _found[:3])\n")
    _write(folder, release, answers, _prepend(answers, "compute_connectivity_from_single_neuron", probe))


def writes_grades(folder, release, answers, secrets):
    attack = (
        "import os, sqlite3\n"
        "_results = []\n"
        f"for _path in [{secrets['gradebook']!r}, os.path.join({secrets['course']!r}, 'autograded', 'reference')]:\n"
        "    try:\n"
        "        if _path.endswith('.db'):\n"
        "            _db = sqlite3.connect(_path)\n"
        "            _db.execute('UPDATE grade SET auto_score = 99')\n"
        "            _db.commit()\n"
        "        else:\n"
        "            os.makedirs(_path, exist_ok=True)\n"
        "            open(os.path.join(_path, 'pwned.txt'), 'w').write('x')\n"
        "        _results.append('WROTE ' + _path)\n"
        "    except Exception as _error:\n"
        "        _results.append('BLOCKED ' + type(_error).__name__)\n"
        "print(*_results)\n")
    _write(folder, release, answers, _prepend(answers, "compute_connectivity_from_single_neuron", attack))


def prints_hidden_tests(folder, release, answers, secrets):
    _write(folder, release, answers, {"get_coarse_corr": answers["get_coarse_corr"]
                                      + "\nfor _cell in In:\n    print(_cell)\n%history\n"})


def reads_environment(folder, release, answers, secrets):
    probe = "import os\nprint('ENVIRONMENT', dict(os.environ))\n"
    _write(folder, release, answers, _prepend(answers, "compute_connectivity_from_single_neuron", probe))


def opens_network_connection(folder, release, answers, secrets):
    probe = ("import socket\n"
             "try:\n"
             f"    socket.create_connection(('127.0.0.1', {secrets['port']}), timeout=3).close()\n"
             "    print('NETWORK OPEN')\n"
             "except OSError as _error:\n"
             "    print('NETWORK BLOCKED', type(_error).__name__)\n")
    _write(folder, release, answers, _prepend(answers, "compute_connectivity_from_single_neuron", probe))


def tags_tests_to_skip(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, {**answers, "get_coarse_corr": WRONG_COARSE})
    for cell in notebook.cells:
        if nbtools.grade_id(cell) == COARSE:
            cell.metadata["tags"] = ["skip-execution", "skip-when-grading"]
    folder.mkdir(parents=True)
    nbtools.write(notebook, folder / "correlations.ipynb")


def uses_demo_variable(folder, release, answers, secrets):
    # `sizes` is defined by the instructor cell quality_vs_size, which is tagged skip-when-grading
    code = answers["get_coarse_corr"].replace("def get_coarse_corr(n_groups, X, A):\n",
                                              "def get_coarse_corr(n_groups, X, A):\n    assert sizes[0] == 5\n", 1)
    assert code != answers["get_coarse_corr"], "the reference signature changed"
    _write(folder, release, answers, {"get_coarse_corr": code})


CASES = {
    "syntax_error": Case("a syntax error in one answer", syntax_error, scores={SINGLE: FULL, COARSE: 0}),
    "raise_at_import": Case("an answer cell raises before defining its function", raise_at_import,
                            scores={SINGLE: 0, COARSE: FULL}),
    "infinite_loop": Case("an infinite loop, interrupted at the cell limit", infinite_loop,
                          scores={SINGLE: FULL, COARSE: 0}, note="time limit per cell"),
    "ignores_sigint": Case("an infinite loop that ignores SIGINT", loop_ignoring_sigint,
                           status="timeout", scores={SINGLE: 0, COARSE: 0}, note="did not stop when interrupted"),
    # What the hoarded memory does to later cells is up to the student: only the
    # bomb's own exercise is checked.
    "memory_bomb": Case("allocates until the memory limit", memory_bomb,
                        scores={SINGLE: 0, COARSE: None}, note="ran out of memory"),
    "sys_exit": Case("calls sys.exit in an answer cell", sys_exit, scores={SINGLE: 0, COARSE: FULL}),
    "os_exit": Case("calls os._exit (the kernel disappears)", os_exit, status="crashed",
                    scores={SINGLE: 0, COARSE: 0}, note="kernel died"),
    "kernel_crash": Case("segfaults the kernel", kernel_crash, status="crashed",
                         scores={SINGLE: 0, COARSE: 0}, note="kernel died"),
    "huge_output": Case("prints 25 MB", huge_output, note="truncated"),
    "deleted_test_cell": Case("deleted a test cell (restored from the source)", deleted_test_cell),
    "edited_test_cell": Case("replaced a test cell by `pass` (restored from the source)", edited_test_cell,
                             scores={SINGLE: FULL, COARSE: 0}),
    "changed_grade_id": Case("renamed a test cell's grade_id", changed_grade_id),
    "invalid_json": Case("a notebook that is not valid JSON", invalid_json, status="invalid",
                         scores={SINGLE: 0, COARSE: 0}, note="not a valid notebook"),
    "renamed_notebook": Case("uploaded the notebook under another name", renamed_notebook, note="graded as"),
    "missing_notebook": Case("uploaded no notebook", missing_notebook, status="missing",
                             scores={SINGLE: 0, COARSE: 0}, note="missing notebook"),
    "extra_files": Case("extra files, one shadowing helpers", extra_files),
    # Patching the kernel's numpy or helpers cannot change a verdict (the tests run in the
    # grader): the wrong answer scores 0, the right one full marks, and a human is asked to look.
    "monkeypatched_numpy": Case("np.allclose = lambda ...: True", monkeypatched_numpy,
                                scores={SINGLE: FULL, COARSE: 0}, note="np.allclose"),
    "monkeypatched_checks": Case("replaces the course's assert helpers", monkeypatched_checks,
                                 scores={SINGLE: FULL, COARSE: 0}, note="helpers.checks"),
    "obfuscated_monkeypatch": Case("setattr through __import__", obfuscated_monkeypatch,
                                   scores={SINGLE: FULL, COARSE: 0}, note="setattr"),
    "reads_hidden_tests": Case("looks for sources, gradebook and other notebooks", reads_hidden_tests,
                               output="FOUND 0 []"),
    # The sandbox gives the course folder a private, empty tmpfs: writes land
    # there and vanish. The test checks the real gradebook and folders.
    "prints_hidden_tests": Case("prints the kernel's input history (the hidden tests never enter it)",
                                prints_hidden_tests, output="def get_coarse_corr", absent="_expected_single_neuron"),
    "tags_tests_to_skip": Case("tags a test cell skip-execution / skip-when-grading", tags_tests_to_skip,
                               scores={SINGLE: FULL, COARSE: 0}),
    "uses_demo_variable": Case("an answer reads a variable from an instructor demo cell (the cell then runs)",
                               uses_demo_variable),
    "reads_environment": Case("prints the kernel's environment (the grader's secrets must not be there)",
                              reads_environment, output="ENVIRONMENT", absent="s3cret-grader-token"),
    "opens_network_connection": Case("connects to a server of the grading machine (a database, say)",
                                     opens_network_connection, output="NETWORK BLOCKED", absent="NETWORK OPEN"),
    "writes_grades": Case("tries to write the gradebook and another student's folder", writes_grades),
}
