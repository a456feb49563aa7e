"""Grading workers forked from a process that has already imported the grader.

A grading worker (:mod:`course.execute`) spends about 3-5 s of every
submission before the student's first cell runs: starting Python, importing
nbclient/nbgrader, and importing the instructor's test imports (numpy,
scipy, torch, helpers). A fork server pays that once per batch: it imports
everything, then forks one child per job. Each child is a copy of the
pristine server, taken before any submission was read, so no state passes
from one student to the next; the child runs the job exactly as
``python -m course.fast_start execute JOB RESULT`` would, in its own
session (its kernel and sandbox go with it when it is killed).

Protocol (one JSON object per line): the client sends
``{"preload": CODE}`` once, then ``{"job", "result", "log", "timeout"}``
per job; the server answers each job with ``{"exit": code, "timed_out": bool}``.
"""

import json
import os
import select
import signal
import subprocess
import sys
import time

from course.nbgrader_run import nbgrader_env

# Thread pools started by BLAS/OpenMP at import time do not survive a fork;
# the grader's own test code is small and runs on one thread anyway.
SINGLE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


class ForkServerError(RuntimeError):
    """The fork server died or did not answer; the caller falls back to a fresh process."""


class ForkServer:
    """Client side: one server process, one job at a time (use one per grading thread).

    Parameters
    ----------
    preload : str
        Python code run once in the server before any fork (the instructor's
        imports of the test cells); failures there are ignored, the child
        then simply imports again.
    """

    def __init__(self, preload=""):
        self.preload = preload
        self.process = subprocess.Popen(
            [sys.executable, "-m", "course.fast_start", "forkserver"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=nbgrader_env(SINGLE_THREAD), text=True, start_new_session=True)
        self._send({"preload": preload})

    def _send(self, message):
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as error:
            raise ForkServerError(f"the fork server is gone: {error}") from None

    def run(self, job_path, result_path, log_path, timeout):
        """Run one job in a forked child; returns True if it hit ``timeout`` (and was killed)."""
        self._send({"job": str(job_path), "result": str(result_path), "log": str(log_path),
                    "timeout": timeout})
        # the server enforces the time limit; this only guards against a server that hangs
        ready, _, _ = select.select([self.process.stdout], [], [], timeout + 60)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.close()
            raise ForkServerError("the fork server did not answer")
        return bool(json.loads(line)["timed_out"])

    def close(self):
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# -- server side ----------------------------------------------------------------

def _die_with_parent():
    """Linux: get SIGKILL when the parent process dies (best effort elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _preload(code):
    """Import what every job will need, before the first fork."""
    import contextlib
    import io

    import course.bridge  # noqa: F401
    import course.execute

    course.execute.robust_execute_class()   # imports nbgrader's Execute and nbclient
    course.execute.prepare_font_cache()     # every kernel gets matplotlib's font list, read-only
    from IPython.core.inputtransformer2 import TransformerManager  # noqa: F401
    if code:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                exec(compile(code, "<instructor imports>", "exec"), {"__name__": "__preload__"})
            except Exception:   # the child imports again and reports the error there
                pass


def _child(request):
    """In the forked child: become a fresh session, log to the job's log, run the job."""
    code = 1
    try:
        os.setsid()
        _die_with_parent()
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.chdir(os.path.dirname(request["job"]) or ".")
        sys.stdin = open(os.devnull)
        sys.stdout = os.fdopen(1, "w", buffering=1)
        sys.stderr = os.fdopen(2, "w", buffering=1)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from course.execute import main

        main([request["job"], request["result"]])
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _wait(pid, timeout):
    """Wait for the child; kill its whole session at the time limit. Returns (exit code, timed out)."""
    deadline = time.monotonic() + timeout
    status, timed_out = None, False
    while status is None:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
        elif time.monotonic() > deadline:
            timed_out = True
            _kill_group(pid)
            status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        else:
            time.sleep(0.05)
    _kill_group(pid)   # whatever the job left behind (its kernel, the sandbox)
    return status, timed_out


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def serve(stdin=None, stdout=None):
    """The server loop (``python -m course.fast_start forkserver``)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    _die_with_parent()
    first = stdin.readline()
    if not first:
        return
    _preload(json.loads(first).get("preload", ""))
    for line in stdin:
        request = json.loads(line)
        stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        status, timed_out = _wait(pid, float(request["timeout"]))
        stdout.write(json.dumps({"exit": status, "timed_out": timed_out}) + "\n")
        stdout.flush()
