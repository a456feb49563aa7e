"""Kernel launcher that confines a student's code.

Used as the ``argv`` of the grading kernelspec::

    python -m course.sandbox --memory-mb 4096 --max-procs 64 --disk-mb 512 --isolation auto \\
        --allow /path/to/helpers --data /path/to/data.npz --report /private/limit.json -f {connection_file}

Where bubblewrap (``bwrap``) is available, the kernel runs in new user, PID,
IPC, UTS, cgroup, mount and (with the ``ipc`` kernel transport) network
namespaces, as an unprivileged user without capabilities:

* **only an allowlist of the host is visible**, read-only: ``/usr`` (and
  ``/bin``, ``/lib``, ... as on the host), the few files of ``/etc`` that
  Python, numpy, matplotlib and torch read (:data:`ETC_PATHS`; no
  ``/etc/passwd``, no keys), the Python environment (``sys.prefix``,
  ``sys.base_prefix`` and their real paths) and each ``--allow PATH``.
  Everything else (the course, the gradebook, other students, ``/root``,
  ``/home``) does not exist inside;
* **nothing the student writes reaches the host disk**: ``/tmp``,
  ``/dev/shm`` and the working directory are private tmpfs, each at most
  ``--disk-mb``; the working directory holds only the ``--data`` files,
  read-only; all the rest is read-only;
* **no network** when the kernel talks through Unix sockets (the runtime
  folder with the sockets is bound in).

In every mode (also ``--isolation none``) the kernel gets only a whitelisted
environment (no secrets of the grader), per-process limits (address space
``--memory-mb``, file size ``--file-mb``, no core dumps), and this launcher
stays alive as a **supervisor** of the whole submission: every
``--poll-interval`` seconds it sums the memory of all the kernel's processes
and counts them; past ``--memory-mb`` or ``--max-procs`` it writes
``{"limit": "memory"|"processes", "detail": ...}`` to ``--report``, kills
the whole process tree and exits with status :data:`LIMIT_EXIT`. It forwards
SIGTERM/SIGINT/SIGHUP to the kernel and exits with the kernel's status; if
the supervisor is killed, the kernel dies with it (``PR_SET_PDEATHSIG``, and
bwrap's ``--die-with-parent`` for everything in the sandbox).

Without bwrap only the limits, the supervisor and the clean environment
apply; the kernel then reads and writes its real working directory.
"""

import argparse
import ctypes
import errno
import json
import os
import resource
import shutil
import signal
import stat
import sys
import tempfile
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
LIMIT_EXIT = 137             # exit status of the supervisor when it killed the submission for a limit
# The only variables the student's kernel sees: the grader's environment may
# hold secrets (COURSE_DB_URL with a PostgreSQL password, tokens).
KERNEL_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "HOME", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "MKL_NUM_THREADS", "MPLBACKEND", "PYTHONWARNINGS", "COURSE_GRADING")
# Top-level system folders, bound read-only (or re-created as symlinks, as on
# merged-/usr systems such as Debian 12, where /bin -> usr/bin).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
# What of /etc the kernel needs, and nothing more (no passwd, shadow, ssl/private, ...):
# the dynamic linker's cache (libraries in non-default folders, e.g. Debian's BLAS
# alternatives; ctypes.util.find_library), the time zone, the alternatives symlinks
# (/usr/bin/cc, awk, ... -> /etc/alternatives/...) and fontconfig's configuration
# (matplotlib; without it: "Fontconfig error: Cannot load default config file").
ETC_PATHS = ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", "/etc/fonts")
SANDBOX_UID = 65534
FALLBACK_WORKDIR = "/tmp/work"


def kernel_environment(environ):
    """The whitelisted part of ``environ`` (plus the locale's ``LC_*``)."""
    return {key: value for key, value in environ.items() if key in KERNEL_ENV or key.startswith("LC_")}


def _prctl(option, value):
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        return -1


def die_with_parent():
    """Kill this process (and what it execs) when its parent dies."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


MAX_OPEN_FILES = 1024


def apply_limits(memory_mb, file_mb):
    """Per-process limits (inherited by every process of the submission)."""
    if memory_mb:
        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if file_mb:
        limit = int(file_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # open files, and so files kept alive only by descriptors in flight through a Unix socket
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    files = MAX_OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, MAX_OPEN_FILES)
    resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))


# seccomp (classic BPF, as bwrap --seccomp reads it): no SysV shared memory and no memfds. Their
# memory belongs to no process once detached or passed through a socket, so no limit of the
# supervisor could see it; numpy, torch and matplotlib do not need them.
AUDIT_ARCH_X86_64 = 0xC000003E
DENIED_SYSCALLS_X86_64 = {"shmget": 29, "shmat": 30, "shmctl": 31, "memfd_create": 319}
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000


def seccomp_program():
    """The filter as bytes for bwrap's ``--seccomp FD``, or None where it is not written for this machine."""
    import platform
    import struct

    if platform.machine() not in ("x86_64", "AMD64") or sys.byteorder != "little":
        return None
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    denied = sorted(DENIED_SYSCALLS_X86_64.values())
    deny_at = 6 + len(denied)            # index of the final "return EPERM"
    program = [(load, 0, 0, 4),                          # the system call's architecture
               (jeq, 1, 0, AUDIT_ARCH_X86_64),
               (ret, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM),   # another ABI (int 0x80's i386): refused
               (load, 0, 0, 0)]                          # the system call's number
    program.append((jge, deny_at - (len(program) + 1), 0, 0x40000000))   # x32 system calls
    for number in denied:
        program.append((jeq, deny_at - (len(program) + 1), 0, number))  # a jump counts from the next one
    program += [(ret, 0, 0, SECCOMP_RET_ALLOW), (ret, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM)]
    assert len(program) == deny_at + 1
    return b"".join(struct.pack("<HBBI", *instruction) for instruction in program)


def kernel_transport(connection_file):
    """``(transport, ip)`` from a kernel connection file."""
    with open(connection_file) as handle:
        info = json.load(handle)
    return info.get("transport", "tcp"), info.get("ip", "")


def socket_folder(connection_file):
    """The host folder of the kernel's Unix sockets (bound read-write into the sandbox), or None for TCP."""
    transport, ip = kernel_transport(connection_file)
    return os.path.dirname(os.path.abspath(ip)) if transport == "ipc" else None


# --------------------------------------------------------------------------- bwrap

def _depth(path):
    return len([part for part in path.split("/") if part])


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def python_paths():
    """The folders of the Python environment, as used and as resolved.

    In a virtual environment the interpreter lives in ``sys.base_prefix``,
    e.g. ``/root/.pyenv/versions/3.11.7``: exactly that folder is bound, not
    its parents.
    """
    paths = []
    for path in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                 os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))):
        for variant in (os.path.abspath(path), os.path.realpath(path)):
            if variant != "/" and variant not in paths:
                paths.append(variant)
    return paths


def _system_mounts():
    mounts = []
    for path in SYSTEM_PATHS + ETC_PATHS:
        if os.path.islink(path):
            mounts.append((path, ["--symlink", os.readlink(path), path]))
        elif os.path.exists(path):
            mounts.append((path, ["--ro-bind", path, path]))
    return mounts


def _sandbox_workdir(workdir):
    """Where the kernel works inside: its working directory, unless that is ``/``, ``/tmp`` or a system folder."""
    workdir = os.path.abspath(workdir)
    if workdir in ("/", "/tmp") or any(_inside(workdir, path) for path in ("/dev", "/proc", "/etc") + SYSTEM_PATHS):
        return FALLBACK_WORKDIR
    return workdir


MPLCONFIGDIR = "/tmp/.matplotlib"


def bwrap_command(workdir, hide, allow, connection_file, data=(), disk_mb=512, font_cache_fd=None,
                  font_cache_name=None):
    """The bwrap command line (without the kernel command) for a kernel working in ``workdir``.

    ``hide``: folders replaced by an empty read-only one (only useful inside
    an allowed folder: nothing outside the allowlist is visible anyway).
    ``allow``: paths bound read-only. ``data``: files (or folders) bound
    read-only into the working directory, under their names. ``disk_mb``:
    size of each private tmpfs (``/tmp``, ``/dev/shm``, the working directory).
    ``font_cache_fd``: an open descriptor of the grader's matplotlib font list,
    copied read-only into the kernel's (empty) matplotlib folder as
    ``font_cache_name``, so that its first figure does not scan the system's
    fonts again (0.2 s per submission with a few dozen fonts).
    """
    connection_file = os.path.abspath(connection_file)
    sockets = socket_folder(connection_file)
    size = str(int(disk_mb) * 1024 * 1024) if disk_mb else None
    sized = ["--size", size] if size else []
    workdir = _sandbox_workdir(workdir)
    command = [
        shutil.which("bwrap"),
        "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--disable-userns", "--cap-drop", "ALL",
        "--die-with-parent", "--new-session",
        "--setenv", "HOME", "/tmp", "--setenv", "USER", "nobody", "--setenv", "LOGNAME", "nobody",
        "--setenv", "IPYTHONDIR", "/tmp/.ipython", "--setenv", "MPLCONFIGDIR", MPLCONFIGDIR,
        "--setenv", "JUPYTER_RUNTIME_DIR", "/tmp",
    ]
    if sockets:
        # The kernel talks to the grader through Unix sockets next to its
        # connection file (a folder private to this worker), so it needs no
        # network at all: a new, empty network namespace.
        command += ["--unshare-net"]

    # Mounts, applied parents first (a bind inside a tmpfs must come after it).
    mounts = _system_mounts()
    mounts += [("/dev", ["--dev", "/dev"]), ("/proc", ["--proc", "/proc"]),
               ("/tmp", ["--perms", "1777", *sized, "--tmpfs", "/tmp"]),
               ("/dev/shm", ["--perms", "1777", *sized, "--tmpfs", "/dev/shm"])]
    # Host folders already visible (a tmpfs such as /tmp hides the host's: it covers nothing).
    bound = [path for path, args in mounts if "--tmpfs" not in args]
    for path in python_paths():
        if not any(_inside(path, done) for done in bound):
            mounts.append((path, ["--ro-bind", path, path]))
            bound.append(path)
    for path in allow:
        path = os.path.abspath(path)
        if path != "/" and os.path.exists(path) and path not in bound:
            mounts.append((path, ["--ro-bind", path, path]))
            bound.append(path)
    if sockets:
        mounts.append((sockets, ["--bind", sockets, sockets]))
    # Only the connection file itself: its folder may hold other kernels' files.
    mounts.append((connection_file, ["--ro-bind", connection_file, connection_file]))
    mounts.append((workdir, ["--perms", "0777", *sized, "--tmpfs", workdir]))
    if font_cache_fd is not None and font_cache_name:
        mounts.append((MPLCONFIGDIR, ["--perms", "0777", "--dir", MPLCONFIGDIR]))
        cached = f"{MPLCONFIGDIR}/{os.path.basename(font_cache_name)}"
        mounts.append((cached, ["--perms", "0444", "--ro-bind-data", str(font_cache_fd), cached]))
    for path in data:
        path = os.path.abspath(path)
        target = os.path.join(workdir, os.path.basename(path.rstrip("/")))
        mounts.append((target, ["--ro-bind", path, target]))
    hidden = []
    for path in hide:
        path = os.path.abspath(path)
        # Not over a folder mounted above (/tmp, the working directory, an allowed one).
        if path != "/" and path not in {dest for dest, _ in mounts} and path not in hidden:
            hidden.append(path)
    # Inserted first: at the same depth, later mounts win.
    mounts = [(path, ["--perms", "0755", "--size", str(1024 * 1024), "--tmpfs", path]) for path in hidden] + mounts
    for _, args in sorted(mounts, key=lambda mount: _depth(mount[0])):
        command += args
    # The sandbox's root and /dev are tmpfs made by bwrap: read-only once set up.
    for path in ["/", "/dev"] + hidden:
        command += ["--remount-ro", path]
    command += ["--chdir", workdir]
    return command


# --------------------------------------------------------------------------- supervisor

PAGE = os.sysconf("SC_PAGE_SIZE")


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _children_via_task(pid):
    kids = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tasks:
        kids += [int(kid) for kid in _read(f"/proc/{pid}/task/{tid}/children").split()]
    return kids


def _parents_via_scan():
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = _read(f"/proc/{name}/stat")
            if stat:
                parents.setdefault(int(stat.rsplit(b")", 1)[1].split()[1]), []).append(int(name))
    return parents


HAVE_CHILDREN_FILES = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def descendants(root):
    """All processes below ``root`` (pids), parents before children."""
    found, seen, queue = [], {root}, [root]
    parents = None if HAVE_CHILDREN_FILES else _parents_via_scan()
    while queue:
        pid = queue.pop()
        kids = _children_via_task(pid) if parents is None else parents.get(pid, [])
        for kid in kids:
            if kid not in seen:
                seen.add(kid)
                found.append(kid)
                queue.append(kid)
    return found


def thread_count(pid):
    """Threads (tasks) of one process; 0 if it is gone."""
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith(b"Threads:"):
            return int(line.split()[1])
    return 0


def resident_bytes(pid):
    fields = _read(f"/proc/{pid}/statm").split()
    return int(fields[1]) * PAGE if len(fields) > 1 else 0


def proportional_bytes(pid):
    """PSS (shared pages split between the processes sharing them); RSS if unknown."""
    for line in _read(f"/proc/{pid}/smaps_rollup").splitlines():
        if line.startswith(b"Pss:"):
            return int(line.split()[1]) * 1024
    return resident_bytes(pid)


MAX_WATCHED_FILES = 1000


def folder_usage(folders):
    """Bytes on disk and number of entries below ``folders`` (stops counting past a limit)."""
    used = files = 0
    stack = list(folders)
    while stack and files <= MAX_WATCHED_FILES:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            files += 1
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            used += info.st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return used, files


def held_files(pids, watched=()):
    """Bytes of files ``pids`` hold open that no folder shows: ``(memfds, deleted files in watched)``.

    An unlinked file stays on disk while a descriptor holds it, and a memfd
    (``os.memfd_create``) is memory that no process's resident size shows
    until it is mapped: both are counted here, each file once.
    """
    prefixes = tuple(os.path.join(os.path.abspath(folder), "") for folder in watched)
    seen, memfd, deleted = set(), 0, 0
    for pid in pids:
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for descriptor in descriptors:
            path = f"/proc/{pid}/fd/{descriptor}"
            try:
                target = os.readlink(path)
                info = os.stat(path)
            except OSError:
                continue
            key = (info.st_dev, info.st_ino)
            if not stat.S_ISREG(info.st_mode) or info.st_nlink > 0 or key in seen:
                continue
            seen.add(key)
            if target.startswith("/memfd:"):
                memfd += info.st_blocks * 512
            elif prefixes and target.startswith(prefixes):
                deleted += info.st_blocks * 512
    return memfd, deleted


class Supervisor:
    """Watches the process tree below this process and enforces the limits of the whole submission."""

    FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    WATCHED = FORWARDED + (signal.SIGCHLD,)

    def __init__(self, memory_mb, max_procs, report, interval=0.2, helpers=0, watched=(), disk_mb=0, max_threads=0):
        self.memory = int(memory_mb) * 1024 * 1024 if memory_mb else 0
        self.memory_mb, self.max_procs = memory_mb, max_procs
        # Threads are tasks too: each takes a PID of the host's pid_max (and a kernel stack)
        self.max_threads = max_threads
        # host folders the submission can write to that are not a sized tmpfs (the kernel's sockets)
        self.watched, self.disk_mb = list(watched), disk_mb
        self.report, self.interval = report, interval
        self.helpers = helpers          # bwrap's own processes at the top of the tree, not counted
        self.child = None
        self.status = None

    def start(self, command, env, memory_mb, file_mb):
        """Fork and exec ``command`` with the per-process limits; the supervisor keeps running."""
        _prctl(PR_SET_CHILD_SUBREAPER, 1)     # orphans of the submission stay below us
        signal.pthread_sigmask(signal.SIG_BLOCK, self.WATCHED)
        me = os.getpid()
        pid = os.fork()
        if pid == 0:                         # the child: becomes bwrap (or the kernel)
            try:
                die_with_parent()
                if os.getppid() != me:
                    os._exit(1)
                os.setpgid(0, 0)             # signals for the supervisor's group do not hit it twice
                for number in self.WATCHED + (signal.SIGPIPE, signal.SIGXFSZ):
                    signal.signal(number, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                apply_limits(memory_mb, file_mb)
                os.execve(command[0], command, env)
            except BaseException as error:   # never return into the supervisor's code
                try:
                    os.write(2, f"course.sandbox: cannot start {command[0]}: {error}\n".encode())
                finally:
                    os._exit(127)
        self.child = pid
        return pid

    def _reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.child and self.status is None:
                self.status = status

    def processes(self):
        """The submission's processes (without bwrap's own ones)."""
        tree = descendants(os.getpid())
        skip = set()
        if self.helpers and self.child in tree:
            level = [self.child]
            for _ in range(self.helpers):
                skip.update(level)
                level = [kid for pid in level for kid in
                         (_children_via_task(pid) if HAVE_CHILDREN_FILES else
                          _parents_via_scan().get(pid, []))]
        return [pid for pid in tree if pid not in skip], tree

    def check(self):
        """``(kind, detail)`` of a limit the submission exceeds, or None."""
        procs, tree = self.processes()
        if self.max_procs and len(procs) > self.max_procs:
            return "processes", (f"the submission had {len(procs)} processes at the same time "
                                 f"(limit {self.max_procs})")
        if self.max_threads:
            threads = sum(thread_count(pid) for pid in procs)
            if threads > self.max_threads:
                return "threads", (f"the submission's processes had {threads} threads together "
                                   f"(limit {self.max_threads})")
        watch_disk = bool(self.watched and self.disk_mb)
        memfd, deleted = held_files(tree, self.watched) if (watch_disk or self.memory) else (0, 0)
        if watch_disk:
            used, files = folder_usage(self.watched)
            used += deleted
            if used > self.disk_mb * 1024 * 1024 or files > MAX_WATCHED_FILES:
                return "disk", (f"the submission wrote {used // 2**20} MB in {files} files to the kernel's "
                                f"runtime folder (limit {self.disk_mb} MB, {MAX_WATCHED_FILES} files)")
        if self.memory:
            used = sum(resident_bytes(pid) for pid in tree) + memfd
            if used > self.memory:
                # RSS counts the pages forked processes share once per process:
                # confirm with the proportional set size before killing.
                used = sum(proportional_bytes(pid) for pid in tree) + memfd
                if used > self.memory:
                    return "memory", (f"the submission's {len(procs)} processes used {used // 2**20} MB "
                                      f"of memory together (limit {self.memory_mb} MB)")
        return None

    def kill_tree(self, deadline=3.0):
        """SIGKILL every process below the supervisor until none is left."""
        if self.status is None:                   # not reaped yet: the pid is still ours
            try:
                os.kill(self.child, signal.SIGKILL)   # bwrap: takes the whole PID namespace with it
            except OSError:
                pass
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            tree = descendants(os.getpid())
            if not tree:
                break
            for pid in tree:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            self._reap()
            time.sleep(0.01)
        self._reap()

    def write_report(self, kind, detail):
        if not self.report:
            return
        temporary = f"{self.report}.{os.getpid()}.tmp"
        try:
            with open(temporary, "w") as handle:
                handle.write(json.dumps({"limit": kind, "detail": detail}) + "\n")
            os.replace(temporary, self.report)
        except OSError as error:
            print(f"course.sandbox: cannot write {self.report}: {error}", file=sys.stderr)

    def exit_code(self):
        if os.WIFSIGNALED(self.status):
            return 128 + os.WTERMSIG(self.status)
        return os.WEXITSTATUS(self.status)

    def run(self, grace=5.0):
        """Supervise until the child exits; returns the exit status for this process."""
        next_check = time.monotonic()
        kill_at = None
        while True:
            timeout = max(0.0, next_check - time.monotonic())
            if kill_at is not None:
                timeout = min(timeout, max(0.0, kill_at - time.monotonic()))
            received = signal.sigtimedwait(self.WATCHED, timeout)
            if received is not None and received.si_signo in self.FORWARDED:
                try:
                    os.kill(self.child, received.si_signo)
                except OSError:
                    pass
                if received.si_signo != signal.SIGINT and kill_at is None:
                    kill_at = time.monotonic() + grace
            self._reap()
            if self.status is not None:
                self.kill_tree()        # what the kernel left behind (without bwrap: orphans)
                return self.exit_code()
            if kill_at is not None and time.monotonic() >= kill_at:
                self.kill_tree()
                return self.exit_code() if self.status is not None else 128 + signal.SIGKILL
            if time.monotonic() >= next_check:
                exceeded = self.check()
                if exceeded:
                    self.write_report(*exceeded)
                    self.kill_tree()
                    print(f"course.sandbox: killed: {exceeded[1]}", file=sys.stderr, flush=True)
                    return LIMIT_EXIT
                next_check = time.monotonic() + self.interval


def _open_inheritable(path):
    """A descriptor of ``path`` that bwrap inherits (None if it cannot be read)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    os.set_inheritable(fd, True)
    return fd


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--memory-mb", type=int, default=4096,
                        help="memory of all the submission's processes together (and address space per process)")
    parser.add_argument("--max-procs", type=int, default=64, help="processes of the submission at the same time")
    parser.add_argument("--max-threads", type=int, default=1024,
                        help="threads of all the submission's processes together")
    parser.add_argument("--disk-mb", type=int, default=512,
                        help="size of the private /tmp, /dev/shm and working directory, each (bwrap)")
    parser.add_argument("--file-mb", type=int, default=200, help="largest file a process may write")
    parser.add_argument("--isolation", choices=["auto", "bwrap", "none"], default="auto")
    parser.add_argument("--hide", action="append", default=[],
                        help="folder to replace by an empty one (only matters inside an --allow folder)")
    parser.add_argument("--allow", action="append", default=[], help="host path the kernel may read")
    parser.add_argument("--data", action="append", default=[],
                        help="file made available read-only in the kernel's working directory (bwrap)")
    parser.add_argument("--report", help="file to write the limit the submission was killed for (JSON)")
    parser.add_argument("--font-cache", help="the grader's matplotlib font list (fontlist-*.json), given to the "
                                             "kernel read-only (bwrap)")
    parser.add_argument("--poll-interval", type=float, default=0.2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    die_with_parent()
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", args.connection_file,
              "--HistoryManager.hist_file=:memory:"]
    use_bwrap = args.isolation == "bwrap" or (args.isolation == "auto" and shutil.which("bwrap"))
    if use_bwrap:
        if not shutil.which("bwrap"):
            sys.exit("course.sandbox: --isolation bwrap requested but bwrap is not installed")
        for path in args.data:
            if not os.path.exists(path):
                sys.exit(f"course.sandbox: data file {path} does not exist")
        font_cache = _open_inheritable(args.font_cache) if args.font_cache else None
        command = bwrap_command(os.getcwd(), args.hide, args.allow, args.connection_file,
                                data=args.data, disk_mb=args.disk_mb,
                                font_cache_fd=font_cache, font_cache_name=args.font_cache)
        program = seccomp_program()
        if program is not None:
            rules = tempfile.TemporaryFile()     # inherited by bwrap through fork and exec
            rules.write(program)
            rules.flush()
            rules.seek(0)
            os.set_inheritable(rules.fileno(), True)
            command += ["--seccomp", str(rules.fileno())]
        command += kernel
    else:
        command = kernel
    # bwrap runs as two processes above the kernel: its monitor and the PID namespace's init.
    sockets = socket_folder(os.path.abspath(args.connection_file)) if use_bwrap else None
    watched = [sockets] if sockets else []      # bound read-write into the sandbox, on the host's disk
    supervisor = Supervisor(args.memory_mb, args.max_procs, args.report, interval=args.poll_interval,
                            helpers=2 if use_bwrap else 0, watched=watched, disk_mb=args.disk_mb,
                            max_threads=args.max_threads)
    supervisor.start(command, kernel_environment(os.environ), args.memory_mb, args.file_mb)
    sys.exit(supervisor.run())


if __name__ == "__main__":
    main()
