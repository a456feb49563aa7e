"""Kernel launcher that confines a student's code.

Used as the ``argv`` of the grading kernelspec::

    python -m course.sandbox --memory-mb 4096 --hide /course --allow /course/helpers -f {connection_file}

It sets resource limits, gives the kernel only a whitelisted environment
(no secrets of the grader), asks the kernel to die with its parent, and,
where bubblewrap (``bwrap``) is available, starts the kernel in new user,
PID, IPC, UTS, mount and (with the ``ipc`` kernel transport) network
namespaces as an unprivileged user: the file system is read-only, the course
directory is replaced by an empty one except for the paths the notebook
needs (``--allow``), only the working directory and a private ``/tmp`` are
writable, and there is no network. Without bwrap only the limits and the
clean environment apply (the report says so).
"""

import argparse
import ctypes
import json
import os
import resource
import shutil
import signal
import sys

PR_SET_PDEATHSIG = 1
# The only variables the student's kernel sees: the grader's environment may
# hold secrets (COURSE_DB_URL with a PostgreSQL password, tokens).
KERNEL_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "HOME", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "MKL_NUM_THREADS", "MPLBACKEND", "PYTHONWARNINGS", "COURSE_GRADING")


def kernel_environment(environ):
    """The whitelisted part of ``environ`` (plus the locale's ``LC_*``)."""
    return {key: value for key, value in environ.items() if key in KERNEL_ENV or key.startswith("LC_")}


def die_with_parent():
    """Kill this process (and what it execs) when the grading worker dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def apply_limits(memory_mb, file_mb):
    if memory_mb:
        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if file_mb:
        limit = int(file_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def kernel_transport(connection_file):
    """``(transport, ip)`` from a kernel connection file."""
    with open(connection_file) as handle:
        info = json.load(handle)
    return info.get("transport", "tcp"), info.get("ip", "")


def bwrap_command(workdir, hide, allow, connection_file):
    connection_file = os.path.abspath(connection_file)
    transport, ip = kernel_transport(connection_file)
    command = [
        shutil.which("bwrap"), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
        "--perms", "1777", "--tmpfs", "/tmp", "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--uid", "65534", "--gid", "65534", "--die-with-parent", "--new-session",
        "--setenv", "HOME", "/tmp", "--setenv", "IPYTHONDIR", "/tmp/.ipython",
        "--setenv", "MPLCONFIGDIR", "/tmp/.matplotlib", "--setenv", "JUPYTER_RUNTIME_DIR", "/tmp",
    ]
    for path in hide:
        command += ["--tmpfs", path]
    for path in allow:
        if os.path.exists(path):
            command += ["--ro-bind", path, path]
    if transport == "ipc":
        # The kernel talks to the grader through Unix sockets next to its
        # connection file (a folder private to this worker), so it needs no
        # network at all: a new, empty network namespace.
        sockets = os.path.dirname(os.path.abspath(ip))
        command += ["--unshare-net", "--bind", sockets, sockets]
    # Only the connection file itself: its folder may hold other kernels' files.
    command += ["--ro-bind", connection_file, connection_file]
    command += ["--bind", workdir, workdir, "--chdir", workdir]
    return command


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--file-mb", type=int, default=200)
    parser.add_argument("--isolation", choices=["auto", "bwrap", "none"], default="auto")
    parser.add_argument("--hide", action="append", default=[], help="directory to replace by an empty one")
    parser.add_argument("--allow", action="append", default=[], help="path inside a hidden one to keep, read-only")
    args = parser.parse_args(argv)

    die_with_parent()
    apply_limits(args.memory_mb, args.file_mb)
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", args.connection_file,
              "--HistoryManager.hist_file=:memory:"]
    use_bwrap = args.isolation == "bwrap" or (args.isolation == "auto" and shutil.which("bwrap"))
    if use_bwrap:
        if not shutil.which("bwrap"):
            sys.exit("course.sandbox: --isolation bwrap requested but bwrap is not installed")
        command = bwrap_command(os.getcwd(), args.hide, args.allow, args.connection_file) + kernel
    else:
        command = kernel
    os.execve(command[0], command, kernel_environment(os.environ))


if __name__ == "__main__":
    main()
