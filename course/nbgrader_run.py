"""Run nbgrader's own command-line apps, with the environment they need."""

import os
import subprocess
import sys


def nbgrader_env(extra=None):
    """Environment for nbgrader: this interpreter's ``bin/`` first on PATH.

    nbgrader creates and migrates the gradebook by running ``alembic`` as a
    subprocess; without the environment's ``bin/`` on PATH the database is
    left half-created.
    """
    env = dict(os.environ)
    bin_dir = os.path.dirname(sys.executable)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    if extra:
        env.update(extra)
    return env


def run_nbgrader(course, *args, config=(), quiet=True, check=True, env=None):
    """Run ``nbgrader <args>`` in the course root.

    Parameters
    ----------
    course : course.layout.Course
    *args : str
        The nbgrader subcommand and its arguments.
    config : iterable of str
        Extra ``--Class.trait=value`` options.
    quiet : bool
        Capture nbgrader's log instead of printing it.
    check : bool
        Raise ``RuntimeError`` with the log tail if nbgrader fails.

    Returns
    -------
    subprocess.CompletedProcess
    """
    command = [sys.executable, "-m", "course.fast_start", "nbgrader", *args, *config]
    if quiet:
        command.append("--log-level=WARN")
    result = subprocess.run(command, cwd=course.root, env=nbgrader_env(env), text=True,
                            capture_output=quiet)
    if check and result.returncode != 0:
        log = (result.stderr or "")[-3000:] if quiet else ""
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n{log}")
    return result
