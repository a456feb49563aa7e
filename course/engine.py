"""Where submissions execute: Dask workers, on this machine or on a cluster.

``course grade`` prepares every submission's jobs on the grading machine
(plain data: :class:`course.contract.Job`), sends them to Dask workers, and
records the returned :class:`course.contract.Result` s into the gradebook in
one process. The same code path runs

- locally: a :class:`distributed.LocalCluster` of ``--workers`` processes;
- on a cluster: ``--scheduler tcp://HOST:8786``, with workers started by
  ``dask worker``, ``dask-jobqueue`` (Slurm, PBS) or ``dask-kubernetes``.

Nothing but plain data crosses: the job texts, the assignment's data files
(broadcast once per batch) and the result texts. Workers need the course's
Python environment and bubblewrap, not the course directory.

On each worker process a :class:`course.forkserver.ForkServer` forks one
fresh grading worker per notebook; a worker that dies has its submissions
rescheduled by Dask on another worker, and a submission that still cannot
be run is reported with a reason, never dropped.
"""

import logging
import tempfile
import threading
import time
import uuid
from pathlib import Path

from course.contract import Job, Result

# Dask gives up on a task after this many of its workers died while running it
# (a submission that kills every worker it lands on is reported, not retried forever).
ALLOWED_FAILURES = 2

_servers = threading.local()


def _fork_server(preload):
    """This worker thread's fork server (started on first use, replaced if it died)."""
    from course.forkserver import ForkServer, ForkServerError

    server = getattr(_servers, "server", None)
    if server is not None and (server.preload != preload or server.process.poll() is not None):
        server.close()
        server = None
    if server is None:
        try:
            server = ForkServer(preload)
        except (OSError, ForkServerError):
            return None
        _servers.server = server
    return server


def run_jobs(job_texts, data_files, preload):
    """Run one submission's jobs (on a Dask worker); returns ``[{"result": text, "log": text}]``.

    ``data_files`` (name -> base64) are the assignment's data, sent once to
    every worker and put back into each job here.
    """
    from course.grading import run_job

    returned = []
    with tempfile.TemporaryDirectory(prefix="course-jobs-") as folder:
        folder = Path(folder)
        for index, text in enumerate(job_texts):
            job = Job.from_json(text)
            job.data_files = data_files
            log = folder / f"{index}.log"
            result = run_job(job, folder / f"{index}.job.json", folder / f"{index}.result.json", log,
                             job.limits.notebook_timeout + 60, server=_fork_server(preload))
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            returned.append({"result": result.to_json(), "log": tail})
    return returned


class Engine:
    """A Dask client for one grading batch (a context manager).

    Parameters
    ----------
    workers : int
        Worker processes of the local cluster (ignored with ``scheduler``).
    scheduler : str, optional
        Address of a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    preload : str
        The instructor's test imports, imported once per worker before forking.
    """

    def __init__(self, workers=2, scheduler=None, preload=""):
        self.workers = max(1, int(workers))
        self.scheduler = scheduler
        self.preload = preload
        self.cluster = self.client = self._config = None

    def __enter__(self):
        import dask
        from distributed import Client, LocalCluster

        self._config = dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES})
        self._config.__enter__()
        if self.scheduler:
            self.client = Client(self.scheduler, timeout="30s")
        else:
            # One thread per process: each process runs one submission at a time,
            # and our own sandbox limits the submission's memory (not Dask's nanny).
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        memory_limit=0, dashboard_address=":0",
                                        silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc):
        for closable in (self.client, self.cluster):
            if closable is not None:
                try:
                    closable.close()
                except Exception:   # closing a cluster that lost workers may complain; nothing to keep
                    pass
        self._config.__exit__(None, None, None)

    def run(self, jobs, data_files, label="grade"):
        """Run ``{key: [job text, ...]}``; yields ``(key, returned or exception)`` as each finishes.

        ``label`` starts the Dask task keys (``grade-...``, ``self-check-...``).
        """
        from distributed import as_completed

        if not jobs:
            return
        # one object for the whole dict (a dict would be scattered value by value)
        [data] = self.client.scatter([data_files], broadcast=True, hash=False)
        batch = uuid.uuid4().hex[:8]
        futures = {}
        for key, texts in jobs.items():
            future = self.client.submit(run_jobs, texts, data, self.preload, pure=False,
                                        key=f"{label}-{batch}-{len(futures)}")
            futures[future] = key
        for future in as_completed(futures):
            key = futures[future]
            try:
                yield key, future.result()
            except Exception as error:   # KilledWorker, a lost connection: reported for this submission
                yield key, error
            finally:
                future.release()


def results_from(returned, notebook_names):
    """Turn what :func:`run_jobs` returned (or the exception) into Results, one per notebook."""
    if isinstance(returned, BaseException):
        why = f"{type(returned).__name__}: {str(returned)[:300]}"
        return [(Result(name, status="crashed", message=f"the grading worker was lost ({why})"), "")
                for name in notebook_names]
    return [(Result.from_json(item["result"]), item.get("log", "")) for item in returned]


def wait_for_workers(client, n, timeout=60):
    """Block until ``n`` workers are connected (for tests and scripts)."""
    deadline = time.monotonic() + timeout
    while len(client.scheduler_info().get("workers", {})) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {n} Dask workers after {timeout} s")
        time.sleep(0.2)
