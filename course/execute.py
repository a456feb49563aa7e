"""Grading worker: run one notebook of one submission; data in, data out.

Run by ``course grade`` as a separate process per notebook, through
:mod:`course.fast_start` (0.8 s less start-up)::

    python -m course.fast_start execute JOB.json RESULT.json

The job and the result are defined in :mod:`course.contract`. The worker
never touches the gradebook. It starts the student's kernel in the
sandbox (:mod:`course.sandbox`) and runs the notebook cell by cell:

* the student's cells and the instructor's cells run in the kernel;
* test cells never reach the kernel: they run here, in this trusted
  process, and call the student's functions through :mod:`course.bridge`.
  Their outputs, from which nbgrader scores them, are made here.
"""

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from traitlets.config import Config

from course import integrity
from course.skipping import mark_cells_to_skip, unmark_skipped_cells
from course.contract import Job, Result

KERNEL_NAME = "course-sandbox"
MAX_TEXT = 20_000          # characters kept per text output
MAX_IMAGE = 2_000_000      # bytes of base64 kept per image
OUTPUT_BUDGET_NOTE = "[further output removed: the notebook's outputs exceed the grader's limit]\n"


def write_kernelspec(kernels_dir, sandbox_args):
    spec_dir = Path(kernels_dir) / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "course.sandbox", *sandbox_args, "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        # bwrap does not forward signals: interrupt through the control channel.
        "interrupt_mode": "message",
        # One thread per kernel: workers already run in parallel.
        "env": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "MPLBACKEND": "Agg", "PYTHONWARNINGS": "default", "COURSE_GRADING": "1"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))


def robust_execute_class():
    """nbgrader's Execute preprocessor, waiting for kernel messages in short polls.

    With nbclient 0.10-0.11 on pyzmq 27 we saw the asyncio poll on the shell
    channel miss a reply now and then (one cell in a few hundred, more under
    load): the cell then waited its whole timeout although the kernel had
    answered at once. Polling in slices of at most a second makes a missed
    wake-up cost under a second and keeps grading times predictable.

    It also stops keeping outputs once they exceed ``output_budget`` bytes
    in total, so a notebook that prints hundreds of images cannot fill the
    grader's memory.
    """
    import asyncio
    from queue import Empty
    from time import monotonic

    from nbclient.exceptions import CellExecutionComplete, CellTimeoutError
    from nbclient.util import ensure_async
    from nbgrader.preprocessors import Execute

    def timestamp(msg):
        header = msg.get("header") or {}
        date = header.get("date")
        return date.isoformat() if hasattr(date, "isoformat") else date

    class RobustExecute(Execute):
        output_budget = None      # bytes of outputs to keep in total (None: no limit)
        output_used = 0
        output_cut = False

        def output(self, outs, msg, display_id, cell_index):
            if self.output_budget is not None:
                size = len(json.dumps(msg.get("content", {}), default=str))
                self.output_used += size
                if self.output_used > self.output_budget:
                    if not self.output_cut or not outs or outs[-1].get("text") != OUTPUT_BUDGET_NOTE:
                        outs.append(nbformat.v4.new_output("stream", name="stdout", text=OUTPUT_BUDGET_NOTE))
                    self.output_cut = True
                    return None
            return super().output(outs, msg, display_id, cell_index)

        async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg,
                                        task_poll_kernel_alive):
            deadline = None if timeout is None else monotonic() + timeout
            while True:
                remaining = None if deadline is None else deadline - monotonic()
                if remaining is not None and remaining <= 0:
                    task_poll_kernel_alive.cancel()
                    await self._async_check_alive()
                    msg = await self._async_handle_timeout(timeout, cell)
                    msg["parent_header"] = {"msg_id": msg_id}
                else:
                    try:
                        msg = await ensure_async(self.kc.shell_channel.get_msg(
                            timeout=1.0 if remaining is None else min(1.0, remaining)))
                    except Empty:
                        continue
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if self.record_timing and timestamp(msg):
                    cell["metadata"]["execution"]["shell.execute_reply"] = timestamp(msg)
                try:
                    await asyncio.wait_for(task_poll_output_msg, self.iopub_timeout)
                except (asyncio.TimeoutError, Empty):
                    if self.raise_on_iopub_timeout:
                        task_poll_kernel_alive.cancel()
                        raise CellTimeoutError.error_from_timeout_and_cell(
                            "Timeout waiting for IOPub output", self.iopub_timeout, cell) from None
                    self.log.warning("Timeout waiting for IOPub output")
                task_poll_kernel_alive.cancel()
                return msg

        async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
            while True:
                try:
                    msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=1.0))
                except Empty:
                    continue
                if msg["parent_header"].get("msg_id") == parent_msg_id:
                    try:
                        self.process_message(msg, cell, cell_index)
                    except CellExecutionComplete:
                        return

    return RobustExecute


def limit_outputs(notebook):
    """Cap the size of every output; returns True if anything was cut."""
    cut = False
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output and len(output.text) > MAX_TEXT:
                output.text = output.text[:MAX_TEXT] + "\n... [output truncated by the grader]\n"
                cut = True
            data = output.get("data", {})
            for mime in list(data):
                value = data[mime]
                size = len(value) if isinstance(value, str) else len(json.dumps(value))
                if size > (MAX_IMAGE if mime.startswith("image/") else MAX_TEXT):
                    data.pop(mime)
                    data["text/plain"] = f"[{mime} output of {size} bytes removed by the grader]"
                    cut = True
    return cut


def _kernel_responds(kc, wait):
    """True if the kernel answers a trivial request within ``wait`` seconds.

    The request is sent again every two seconds: an interrupt that lands
    while the kernel handles one request can swallow it.
    """
    from queue import Empty

    from course.bridge import resolve

    end = time.monotonic() + wait
    sent, next_send = set(), 0.0
    while time.monotonic() < end:
        if time.monotonic() >= next_send:
            sent.add(resolve(kc.execute("", silent=True, store_history=False)))
            next_send = time.monotonic() + 2.0
        try:
            msg = resolve(kc.get_shell_msg(timeout=min(0.5, max(0.01, end - time.monotonic()))))
        except Empty:
            continue
        if msg.get("parent_header", {}).get("msg_id") in sent:
            return True
    return False


def _prepare_folders(private, job):
    """The kernel's runtime folder (sockets), the data files, the kernel's working folder."""
    runtime, data, work = (Path(private) / name for name in ("runtime", "data", "work"))
    for folder in (runtime, data, work):
        folder.mkdir()
    for name, content in job.data_files.items():
        if Path(name).name != name or name.startswith("."):
            raise ValueError(f"bad data file name {name!r}")
        (data / name).write_bytes(base64.b64decode(content))
        (data / name).chmod(0o444)
    return runtime, data, work


_font_cache = None


def prepare_font_cache():
    """Find (and build, once) this environment's matplotlib font list, for the kernels to reuse.

    Called by the fork server before it forks workers; a worker started
    without one simply gives its kernel no font list (matplotlib then builds
    its own, as on a first run).
    """
    global _font_cache
    try:
        import matplotlib
        from matplotlib import font_manager

        path = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
        _font_cache = str(path) if path.is_file() else None
    except Exception:   # no matplotlib, an unwritable cache: the kernel does without
        _font_cache = None
    return _font_cache


def _sandbox_args(job, data, report):
    limits = job.limits
    args = ["--memory-mb", str(limits.memory_mb), "--max-procs", str(limits.max_procs),
            "--max-threads", str(limits.max_threads),
            "--disk-mb", str(limits.disk_mb), "--isolation", limits.isolation, "--report", str(report)]
    args += [arg for path in job.allow_paths for arg in ("--allow", path)]
    args += [arg for path in sorted(data.iterdir()) for arg in ("--data", str(path))]
    if _font_cache:
        args += ["--font-cache", _font_cache]
    return args


def _limit_report(report, limits):
    """The sandbox supervisor's verdict, if it killed the submission."""
    try:
        found = json.loads(Path(report).read_text())
    except (OSError, ValueError):
        return None
    kind = found.get("limit") if isinstance(found, dict) else None
    if kind == "memory":
        return f"the submission's processes together used more than {limits.memory_mb} MB of memory"
    if kind == "processes":
        return f"the submission started more than {limits.max_procs} processes"
    if kind == "threads":
        return f"the submission started more than {limits.max_threads} threads"
    if kind == "disk":
        return f"the submission wrote more than {limits.disk_mb} MB (or too many files) to the kernel's runtime folder"
    return f"the submission hit a limit of the sandbox ({str(kind)[:50]})"


def _label(cell, index):
    meta = cell.metadata.get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) and meta.get("grade_id") else f"cell {index}"


def execute(job):
    """Run one notebook of a submission as described by ``job``; returns a :class:`Result`."""
    from course.bridge import Bridge, new_namespace, resolve, run_test_cell

    started = time.monotonic()
    limits = job.limits
    Execute = robust_execute_class()
    notebook = nbformat.from_dict(job.notebook)
    review = [reason for _, reason in integrity.scan_notebook(notebook)]
    skip_token, skipped = mark_cells_to_skip(notebook, job.skip_ids)
    tests = set(job.test_ids)
    result = Result(job.notebook_name, review=review)
    notes = []
    timings = {"kernel_start": 0.0, "grader_setup": 0.0, "student_cells": 0.0, "test_cells": 0.0,
               "kernel_stop": 0.0}

    with tempfile.TemporaryDirectory(prefix="course-grading-") as private:
        runtime, data, work = _prepare_folders(private, job)
        report = Path(private) / "limit.json"
        os.environ["JUPYTER_PATH"] = private
        os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
        write_kernelspec(private, _sandbox_args(job, data, report))
        # Unix sockets instead of TCP: the sandboxed kernel then runs without a network.
        transport = Config({"KernelManager": {"transport": "ipc", "ip": str(runtime / "kernel")}})
        executor = Execute(timeout=limits.cell_timeout, kernel_name=KERNEL_NAME, allow_errors=True,
                           interrupt_on_timeout=True, startup_timeout=60, skip_cells_with_tag=skip_token,
                           # the kernel is thrown away: a graceful shutdown only waits (~1.5 s a notebook)
                           shutdown_kernel="immediate", config=transport)
        executor.output_budget = limits.output_mb * 1024 * 1024
        if isolation_uses_copies(limits.isolation):
            # Without bwrap the kernel works in a real folder: give it copies of the data.
            for path in data.iterdir():
                (work / path.name).write_bytes(path.read_bytes())
        executor.nb = notebook
        executor.resources = {"metadata": {"path": str(work)}}   # the kernel's working folder
        try:
            mark = time.monotonic()
            with executor.setup_kernel():
                timings["kernel_start"] = time.monotonic() - mark
                mark = time.monotonic()
                bridge = Bridge(executor.kc, runtime)
                namespace = new_namespace(bridge, job.student_names, job.prelude, data)
                timings["grader_setup"] = time.monotonic() - mark
                for index, cell in enumerate(notebook.cells):
                    if time.monotonic() - started > limits.notebook_timeout:
                        result.status = "timeout"
                        result.message = f"the notebook did not finish within {limits.notebook_timeout} s"
                        break
                    if cell.cell_type != "code":
                        continue
                    meta = cell.metadata.get("nbgrader")
                    gid = meta.get("grade_id") if isinstance(meta, dict) else None
                    mark = time.monotonic()
                    if gid in tests and meta.get("grade") and not meta.get("solution"):
                        outputs, kernel_ok = run_test_cell(bridge, namespace, cell.source, gid,
                                                           limits.cell_timeout, data)
                        cell.outputs = [nbformat.from_dict(output) for output in outputs]
                        cell.execution_count = None
                        result.tests_run.append(gid)
                        if not kernel_ok:
                            resolve(executor.km.interrupt_kernel())
                            if not _kernel_responds(executor.kc, wait=10):
                                result.status = "timeout"
                                result.message = (f"the student's code did not stop when interrupted at the time "
                                                  f"limit ({limits.cell_timeout} s per cell); later cells could not run")
                                break
                        timings["test_cells"] += time.monotonic() - mark
                    else:
                        executor.execute_cell(cell, index, store_history=True)
                        timings["student_cells"] += time.monotonic() - mark
                mark = time.monotonic()
            timings["kernel_stop"] = time.monotonic() - mark
        except CellTimeoutError:
            result.status, result.message = "timeout", (
                "a cell did not stop when interrupted at the time limit "
                f"({limits.cell_timeout} s per cell); later cells could not run")
        except DeadKernelError:
            result.status, result.message = "crashed", "the kernel died (a crash, os._exit, or the memory limit)"
        except Exception as error:  # the batch must go on whatever the submission did
            result.status, result.message = "crashed", f"execution failed: {type(error).__name__}: {str(error)[:300]}"
        limit = _limit_report(report, limits)
        if limit:
            result.status, result.message = "limit", limit

    unmark_skipped_cells(notebook, skip_token, skipped)
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") in ("CellTimeoutError", "TimeoutError"):
                notes.append(f"{_label(cell, index)} hit the {limits.cell_timeout} s time limit per cell")
            elif output.get("ename") == "MemoryError":
                notes.append(f"{_label(cell, index)} ran out of memory (limit {limits.memory_mb} MB)")
    if limit_outputs(notebook) or executor.output_cut:
        notes.append("very long output was truncated")
    result.notes = notes
    result.skipped = [_label(notebook.cells[i], i) for i in skipped]
    result.notebook = notebook
    result.seconds = round(time.monotonic() - started, 2)
    timings["other"] = result.seconds - sum(timings.values())
    result.timings = {key: round(value, 2) for key, value in timings.items()}
    return result


def isolation_uses_copies(isolation):
    """True when the kernel will run without bwrap (no private working folder)."""
    import shutil

    return isolation == "none" or (isolation == "auto" and shutil.which("bwrap") is None)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run one notebook of a submission (see course.contract).")
    parser.add_argument("job", type=Path, help="the job, as JSON (course.contract.Job)")
    parser.add_argument("result", type=Path, help="where to write the result (course.contract.Result)")
    args = parser.parse_args(argv)
    result = execute(Job.read(args.job))
    args.result.parent.mkdir(parents=True, exist_ok=True)
    result.write(args.result)
    print(json.dumps({"status": result.status, "message": result.message, "seconds": result.seconds}))


if __name__ == "__main__":
    main()
