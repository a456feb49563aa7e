"""Code flagged for review and the kernel sandbox, without running the grader."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from course import integrity
from course.sandbox import bwrap_command, kernel_environment


@pytest.mark.parametrize("code, fragment", [
    ("import numpy as np\nnp.allclose = lambda *a, **k: True", "np.allclose"),
    ("from numpy import testing as t\nt.assert_allclose = print", "t.assert_allclose"),
    ("setattr(np, 'isclose', f)", "setattr() on np"),
    ("import builtins\nbuiltins.abs = f", "builtins.abs"),
    ("helpers.checks.assert_close = lambda *a, **k: None", "helpers.checks.assert_close"),
    ("import numpy.testing\nnumpy.testing.assert_array_equal = f", "numpy.testing.assert_array_equal"),
])
def test_rebinding_functions_of_guarded_modules_is_reported(code, fragment):
    found = integrity.scan_source(code)
    assert any(kind == "tamper" and fragment in reason for kind, reason in found), found


@pytest.mark.parametrize("code", [
    "import numpy as np\nx = np.zeros(3)\nx[0] = 1\nx += 2",
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.dpi'] = 80",
    "def f(a):\n    a.shape = (3,)\n    return a",
    "%matplotlib inline\nresult = {}\nresult['a'] = 1",
    "this is not python",
])
def test_ordinary_student_code_is_not_flagged(code):
    assert integrity.scan_source(code) == []


@pytest.mark.parametrize("code", ["exec('x = 1')", "import importlib", "import ctypes", "g = globals()"])
def test_dynamic_code_is_flagged_for_review_not_scored_zero(code):
    found = integrity.scan_source(code)
    assert found and all(kind == "review" for kind, _ in found)


def test_bwrap_command_hides_folders_and_binds_only_what_is_allowed(tmp_path):
    connection = tmp_path / "kernel.json"
    connection.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1"}))
    command = bwrap_command(str(tmp_path / "work"), ["/course"], [str(tmp_path)], str(connection))
    joined = " ".join(command)
    assert "--tmpfs /course" in joined and "--unshare-user" in joined and "--uid 65534" in joined
    assert f"--ro-bind {connection} {connection}" in joined
    assert command.index("--tmpfs") < command.index("--chdir")
    assert "--unshare-net" not in command          # a TCP kernel needs the host's loopback


def test_bwrap_command_cuts_the_network_for_a_kernel_on_unix_sockets(tmp_path):
    connection = tmp_path / "runtime" / "kernel.json"
    connection.parent.mkdir()
    connection.write_text(json.dumps({"transport": "ipc", "ip": str(tmp_path / "runtime" / "kernel")}))
    command = bwrap_command(str(tmp_path / "work"), ["/course"], [], str(connection))
    joined = " ".join(command)
    assert "--unshare-net" in command
    assert f"--bind {tmp_path / 'runtime'} {tmp_path / 'runtime'}" in joined


def test_the_kernel_environment_keeps_no_secrets():
    environment = kernel_environment({"PATH": "/usr/bin", "LC_ALL": "C.UTF-8", "COURSE_DB_URL": "postgresql://u:pw@h/db",
                                      "AWS_SECRET_ACCESS_KEY": "x", "OMP_NUM_THREADS": "1"})
    assert environment == {"PATH": "/usr/bin", "LC_ALL": "C.UTF-8", "OMP_NUM_THREADS": "1"}


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
def test_sandboxed_process_cannot_see_hidden_folders_or_write_outside_its_workdir(tmp_path):
    secret_dir = tmp_path / "course"
    secret_dir.mkdir()
    (secret_dir / "gradebook.db").write_text("grades")
    workdir = tmp_path / "course" / "run"
    workdir.mkdir()
    connection = tmp_path / "conn.json"
    connection.write_text("{}")
    probe = ("import os\n"
             f"print(os.path.exists({str(secret_dir / 'gradebook.db')!r}))\n"
             "open('inside.txt', 'w').write('ok')\n"
             "try:\n    open('/etc/evil', 'w')\nexcept OSError as e:\n    print(type(e).__name__)\n")
    command = bwrap_command(str(workdir), [str(secret_dir)], [os.path.dirname(sys.executable), sys.prefix],
                            str(connection)) + [sys.executable, "-c", probe]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "OSError"], result.stderr
    assert not (workdir / "inside.txt").exists()   # the working folder is private (a tmpfs)


def test_an_environment_under_tmp_stays_visible_over_the_private_tmp(tmp_path, monkeypatch):
    # CI checkouts (and their .venv) may live under /tmp, which the sandbox replaces by a tmpfs
    import course.sandbox as sandbox

    venv = tmp_path / "checkout" / ".venv"
    monkeypatch.setattr(sandbox, "python_paths", lambda: [str(venv)])
    connection = tmp_path / "kernel.json"
    connection.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1"}))
    command = sandbox.bwrap_command(str(tmp_path / "work"), [], [], str(connection))
    joined = " ".join(command)
    assert f"--ro-bind {venv} {venv}" in joined
    assert joined.index("--tmpfs /tmp ") < joined.index(f"--ro-bind {venv}")
