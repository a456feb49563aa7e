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
import queue
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

    def batch(self, data_files, label="grade"):
        """A :class:`Batch` of submissions sharing ``data_files``, submitted one by one."""
        # one object for the whole dict (a dict would be scattered value by value)
        [data] = self.client.scatter([data_files], broadcast=True, hash=False)
        return Batch(self, data, label)

    def run(self, jobs, data_files, label="grade"):
        """Run ``{key: [job text, ...]}``; yields ``(key, returned or exception)`` as each finishes.

        ``label`` starts the Dask task keys (``grade-...``, ``self-check-...``).
        """
        if not jobs:
            return
        batch = self.batch(data_files, label)
        for key, texts in jobs.items():
            batch.submit(key, texts)
        batch.close()
        yield from batch


class Batch:
    """Submissions sent to the workers as they become ready; iterate to get them back as they finish.

    One thread may :meth:`submit` (and finally :meth:`close`) while another
    iterates: grading starts on the first sanitized submission instead of
    waiting for the whole class. Iteration yields ``(key, returned or
    exception)`` and ends once the batch is closed and every submission
    came back.
    """

    def __init__(self, engine, data, label):
        self.engine, self.data = engine, data
        self.label = f"{label}-{uuid.uuid4().hex[:8]}"
        self.futures = []
        self.finished = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, key, texts):
        """Send one submission's job texts to a worker."""
        with self._lock:
            if self._closed:
                raise RuntimeError("submit() after close()")
            future = self.engine.client.submit(run_jobs, texts, self.data, self.engine.preload, pure=False,
                                               key=f"{self.label}-{len(self.futures)}")
            self.futures.append(future)
        future.add_done_callback(lambda done, key=key: self.finished.put((key, done, True)))

    def put(self, key, value):
        """Hand back a result that needs no worker (it is yielded like the others)."""
        with self._lock:
            self.futures.append(None)
        self.finished.put((key, value, False))

    def close(self):
        """No more submissions: iteration ends when the submitted ones are back."""
        with self._lock:
            self._closed = True
        self.finished.put(None)

    def cancel(self):
        """Stop what has not run yet (the batch is abandoned)."""
        self.close()
        pending = [future for future in self.futures if future is not None]
        if pending:
            self.engine.client.cancel(pending)

    def __iter__(self):
        returned = closed = 0
        while not (closed and returned == len(self.futures)):
            item = self.finished.get()
            if item is None:
                closed = 1
                continue
            key, done, is_future = item
            returned += 1
            if not is_future:
                yield key, done
                continue
            try:
                value = done.result()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:   # KilledWorker, a lost connection, cancelled: reported for this submission
                value = error
            finally:
                done.release()
            yield key, value


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
