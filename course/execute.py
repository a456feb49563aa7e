"""Grading worker: execute one sanitized notebook in a sandboxed kernel.

Run by ``course grade`` as a separate process per submission, through
:mod:`course.fast_start` (0.8 s less start-up)::

    python -m course.fast_start execute SANITIZED EXECUTED --workdir DIR [--cell-timeout S] ...

It never touches the gradebook. It writes the executed notebook and a
``status.json`` next to it: ``{"status": "ok" | "crashed" | "tampered" | ...,
"message": ..., "review": [...], "seconds": ...}``.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from traitlets.config import Config

from course import integrity, skipping

KERNEL_NAME = "course-sandbox"
MAX_TEXT = 20_000          # characters kept per text output
MAX_IMAGE = 2_000_000      # bytes of base64 kept per image


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


SKIPPED_NOTE = "[instructor demo cell: not run by the autograder]\n"


def mark_cells_to_skip(notebook, skip_ids):
    """Tag the cells to leave out with a fresh random tag; returns (tag, indices).

    The tag is new for every run, so a student who puts nbclient's usual
    ``skip-execution`` tag (or any other) on a test cell does not skip it.
    """
    token = f"course-skip-{uuid.uuid4().hex}"
    indices = skipping.cells_to_skip(notebook, skip_ids) if skip_ids else []
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


def execute(sanitized, executed, workdir, cell_timeout, memory_mb, isolation, hide, allow, skip_ids=()):
    started = time.monotonic()
    Execute = robust_execute_class()

    notebook = nbformat.read(str(sanitized), as_version=4)
    findings = integrity.scan_notebook(notebook)
    review = [reason for kind, reason in findings if kind == "review"]
    tampering = [reason for kind, reason in findings if kind == "tamper"]
    skip_token, skipped = mark_cells_to_skip(notebook, skip_ids)
    probe = nbformat.v4.new_code_cell(integrity.PROBE_SOURCE)
    notebook.cells.append(probe)

    status, message = "ok", ""
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as private:
        os.environ["JUPYTER_PATH"] = private
        os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(private, "runtime")
        os.makedirs(os.environ["JUPYTER_RUNTIME_DIR"])
        sandbox_args = ["--memory-mb", str(memory_mb), "--isolation", isolation]
        sandbox_args += [arg for path in hide for arg in ("--hide", path)]
        sandbox_args += [arg for path in allow for arg in ("--allow", path)]
        write_kernelspec(private, sandbox_args)
        # Unix sockets instead of TCP: the sandboxed kernel then runs without a network.
        # The socket files go to this worker's private runtime folder (an absolute path:
        # the kernel runs in another working directory).
        transport = Config({"KernelManager": {"transport": "ipc",
                                              "ip": os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], "kernel")}})
        executor = Execute(timeout=cell_timeout, kernel_name=KERNEL_NAME, allow_errors=True,
                           interrupt_on_timeout=True, startup_timeout=60, skip_cells_with_tag=skip_token,
                           config=transport)
        if os.environ.get("COURSE_DEBUG"):
            def trace(name):
                return lambda cell, cell_index, **kw: print(f"{time.monotonic() - started:8.2f} {name} {cell_index}", flush=True)
            executor.on_cell_start = trace("start")
            executor.on_cell_execute = trace("execute")
            executor.on_cell_complete = trace("complete")
            executor.on_cell_executed = trace("executed")
        try:
            executor.preprocess(notebook, {"metadata": {"path": str(workdir)}})
        except CellTimeoutError:
            status, message = "timeout", ("a cell did not stop when interrupted at the time limit "
                                          f"({cell_timeout} s per cell); later cells could not run")
        except DeadKernelError:
            status, message = "crashed", "the kernel died (a crash, os._exit, or the memory limit)"
        except Exception as error:  # the batch must go on whatever the submission did
            status, message = "crashed", f"execution failed: {type(error).__name__}: {str(error)[:300]}"

    print(f"executed in {time.monotonic() - started:.1f} s", flush=True)
    probe_cell = notebook.cells.pop()
    unmark_skipped_cells(notebook, skip_token, skipped)
    if os.environ.get("COURSE_DEBUG"):
        print(json.dumps({"probe": probe_cell.get("outputs", []), "meta": probe_cell.metadata}, default=str)[:3000])
        for cell in notebook.cells:
            print(cell.metadata.get("execution"))
    probe_outputs = probe_cell.get("outputs", [])
    if status == "ok":
        changed = integrity.compare_probe(probe_outputs, integrity.reference_fingerprints())
        if changed is None:
            status, message = "crashed", "the notebook stopped before its end (sys.exit or similar)"
        elif changed:
            tampering.append("functions used by the tests were replaced: " + ", ".join(changed))
    if tampering:
        status, message = "tampered", "; ".join(tampering)
    limits_hit = []
    for cell in notebook.cells:
        label = cell.metadata.get("nbgrader", {}).get("grade_id", "a cell")
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.ename == "CellTimeoutError":
                limits_hit.append(f"{label} hit the {cell_timeout} s time limit per cell")
            elif output.ename == "MemoryError":
                limits_hit.append(f"{label} ran out of memory (limit {memory_mb} MB)")
    truncated = limit_outputs(notebook)
    executed.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(executed))
    result = {"status": status, "message": message, "review": review, "truncated": truncated,
              "limits": limits_hit,
              "skipped": [notebook.cells[i].metadata.get("nbgrader", {}).get("grade_id") for i in skipped],
              "seconds": round(time.monotonic() - started, 2)}
    (executed.parent / "status.json").write_text(json.dumps(result, indent=1))
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description="Execute one sanitized submission in a sandbox.")
    parser.add_argument("sanitized", type=Path)
    parser.add_argument("executed", type=Path)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--cell-timeout", type=int, default=120)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--isolation", choices=["auto", "bwrap", "none"], default="auto")
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--allow", action="append", default=[])
    parser.add_argument("--skip", action="append", default=[],
                        help="grade_id of an instructor cell tagged skip-when-grading")
    args = parser.parse_args(argv)
    result = execute(args.sanitized, args.executed, args.workdir, args.cell_timeout, args.memory_mb,
                     args.isolation, args.hide, args.allow, args.skip)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
