"""Grading on Dask workers (course.engine) and workers forked from a fork server (course.forkserver)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import nbformat
import pytest

from conftest import copy_course, scores_by_student
from course.contract import Job, Limits, Result
from course.forkserver import ForkServer

ISOLATION = "bwrap" if shutil.which("bwrap") else "none"


def _test_cell(source, grade_id="test_leak"):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False}
    return cell


def _job(cells, limits=None):
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    test_ids = [c.metadata["nbgrader"]["grade_id"] for c in cells if "nbgrader" in c.metadata]
    return Job(assignment="a", student="s", notebook_name="a.ipynb", notebook=notebook, test_ids=test_ids,
               student_names=[], prelude="import json",
               limits=limits or Limits(cell_timeout=20, notebook_timeout=60, isolation=ISOLATION))


def _run(server, job, folder, name, timeout=90):
    from course.grading import run_job

    return run_job(job, folder / f"{name}.json", folder / f"{name}.result.json", folder / f"{name}.log",
                   timeout, server=server)


def _errors(result):
    notebook = nbformat.from_dict(result.notebook)
    return [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_forked_workers_start_from_the_pristine_server_not_from_the_previous_student(tmp_path):
    # The test cell marks the grader's process; run in one process twice it would fail the second time.
    leak = _test_cell("import json\nassert not hasattr(json, 'LEFT_BY_A_PREVIOUS_JOB')\n"
                      "json.LEFT_BY_A_PREVIOUS_JOB = True\nprint('clean')")
    server = ForkServer("import json")
    try:
        first = _run(server, _job([leak]), tmp_path, "first")
        second = _run(server, _job([leak]), tmp_path, "second")
    finally:
        server.close()
    for result in (first, second):
        assert result.status == "ok", result.message
        assert result.tests_run == ["test_leak"] and not _errors(result)
        assert "clean" in nbformat.from_dict(result.notebook).cells[0].outputs[0]["text"]
        assert result.timings["student_cells"] >= 0 and "worker_process" in result.timings


def test_a_job_over_its_time_limit_is_killed_with_its_kernel(tmp_path):
    # the kernel starts a child with a recognisable command line, then hangs
    seconds = str(900 + os.getpid() % 97)
    stuck = nbformat.v4.new_code_cell(f"import subprocess, time\nsubprocess.Popen(['sleep', '{seconds}'])\n"
                                      "time.sleep(600)\n")
    server = ForkServer("")
    try:
        started = time.monotonic()
        result = _run(server, _job([stuck], Limits(cell_timeout=300, notebook_timeout=300,
                                                   isolation=ISOLATION)), tmp_path, "stuck", timeout=8)
        assert result.status == "timeout" and time.monotonic() - started < 40
        time.sleep(1)
        left = subprocess.run(["pgrep", "-f", f"sleep {seconds}"], capture_output=True, text=True).stdout
        assert left == "", f"processes of the killed job are still running: {left}"
        # the server is still usable afterwards
        again = _run(server, _job([_test_cell("print('fine')")]), tmp_path, "again")
        assert again.status == "ok" and not _errors(again)
    finally:
        server.close()


def test_a_dead_fork_server_falls_back_to_a_fresh_process(tmp_path):
    server = ForkServer("")
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()
    result = _run(server, _job([_test_cell("print('fine')")]), tmp_path, "fallback")
    assert result.status == "ok" and not _errors(result)


def test_lost_submissions_are_reported_not_dropped():
    from course.engine import results_from

    results = results_from(RuntimeError("worker tcp://10.0.0.1 died"), ["a.ipynb", "b.ipynb"])
    assert [(r.notebook_name, r.status) for r, _ in results] == [("a.ipynb", "crashed"), ("b.ipynb", "crashed")]
    assert all("worker was lost" in r.message for r, _ in results)
    ok = Result("a.ipynb", timings={"student_cells": 1.0})
    assert results_from([{"result": ok.to_json(), "log": "x"}], ["a.ipynb"]) == [(ok, "x")]


# -- a separately started scheduler and two workers ------------------------------------------

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    """``dask scheduler`` + two ``dask worker`` processes on 127.0.0.1 (no nanny: a killed worker stays dead)."""
    from distributed import Client

    from course.engine import wait_for_workers
    from course.nbgrader_run import nbgrader_env

    address = f"tcp://127.0.0.1:{_free_port()}"
    env = nbgrader_env()
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    processes = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                   "--port", address.rsplit(":", 1)[1], "--dashboard-address", ":0"],
                                  env=env, stdout=(logs / "scheduler.log").open("w"), stderr=subprocess.STDOUT)]
    for index in range(2):
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
             "--memory-limit", "0", "--dashboard-address", ":0", "--local-directory", str(tmp_path / f"w{index}")],
            env=env, stdout=(logs / f"worker{index}.log").open("w"), stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 60
        client = None
        while client is None:
            try:
                client = Client(address, timeout="5s")
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        wait_for_workers(client, 2)
        yield address, client
        client.close()
    finally:
        for process in reversed(processes):
            process.kill()
            process.wait()


@pytest.mark.grading
def test_a_separate_dask_cluster_grades_like_the_local_one_even_when_a_worker_dies(
        graded_class, dask_cluster, tmp_path):
    from course import classroom
    from course.grading import grade
    from course.release import release

    address, client = dask_cluster
    from oracle_keeper import STUDENT

    expected = graded_class("correlations")[1]          # graded on a LocalCluster of 2 processes
    expected = {student: scores for student, scores in expected.items() if student != STUDENT}
    course = copy_course(tmp_path / "course", ["correlations"])
    release(course, "correlations")
    members = classroom.write_bundled_class(course, "correlations")
    assert set(members) == set(expected)

    killed = []

    def kill_a_busy_worker():
        # as soon as a worker runs a student's submission (not the grader's self-check), kill it
        pids = client.run(os.getpid)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            for worker, keys in client.processing().items():
                if any(str(key).startswith("grade-") for key in keys):
                    time.sleep(2)   # mid-way through the notebook
                    os.kill(pids[worker], signal.SIGKILL)
                    killed.append(worker)
                    return
            time.sleep(0.2)

    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    killer.start()
    outcomes = grade(course, "correlations", students=sorted(members), scheduler=address,
                     limits=Limits(cell_timeout=120, notebook_timeout=600), progress=False)
    killer.join(5)
    assert killed, "no worker was killed during the batch (the test did not test anything)"
    assert sorted(o.student for o in outcomes) == sorted(members)
    assert scores_by_student(course, "correlations") == expected
    assert len(client.scheduler_info()["workers"]) == 1


@pytest.mark.grading
def test_the_command_line_grades_through_its_local_cluster(tmp_path):
    # `python -m course` is the main module that Dask's spawned workers import again
    from course import classroom
    from course.release import release

    course = copy_course(tmp_path / "course", ["correlations"])
    release(course, "correlations")
    submissions = classroom.class_submissions(course, "correlations")
    for student in ("reference", "blank"):
        folder = course.submitted / student / "correlations"
        folder.mkdir(parents=True)
        for name, notebook in submissions[student].items():
            nbformat.write(notebook, str(folder / name))
    from course.nbgrader_run import nbgrader_env

    done = subprocess.run([sys.executable, "-m", "course", "--root", str(course.root), "grade", "correlations",
                           "--workers", "2"], env=nbgrader_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert ["reference", "ok"] in [line.split() for line in done.stdout.splitlines()], done.stdout
    scores = scores_by_student(course, "correlations")
    assert sum(v or 0 for v in scores["reference"].values()) == 6
    assert sum(v or 0 for v in scores["blank"].values()) == 0
