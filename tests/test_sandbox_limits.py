"""The grading sandbox (course.sandbox) with a real kernel: what the student's code can see, and its limits.

Each test starts an IPython kernel through the launcher exactly as the
grading worker does (a private kernelspec, Unix-socket transport, a runtime
folder of its own) and runs code in it.
"""

import json
import os
import shutil
import signal
import socket
import sys
import time
import uuid
from pathlib import Path

import pytest
from jupyter_client import KernelManager

from course.sandbox import seccomp_program

REPO = Path(__file__).resolve().parents[1]
HAVE_BWRAP = shutil.which("bwrap") is not None
needs_bwrap = pytest.mark.skipif(not HAVE_BWRAP, reason="bubblewrap (bwrap) is not installed: no file system sandbox")


def _helpers_folder():
    import helpers

    return str(Path(helpers.__file__).resolve().parent)


class Kernel:
    """A kernel started through ``python -m course.sandbox`` in a private runtime folder."""

    def __init__(self, base, options, monkeypatch, data=()):
        self.base = base
        self.runtime = base / "runtime"
        self.workdir = base / "work"
        self.report = base / "report.json"
        for folder in (self.runtime, self.workdir):
            folder.mkdir(parents=True)
        monkeypatch.setenv("JUPYTER_PATH", str(base))
        monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(self.runtime))
        spec = base / "kernels" / "sandbox-test"
        spec.mkdir(parents=True)
        argv = [sys.executable, "-m", "course.sandbox", *options, "--report", str(self.report),
                *[arg for path in data for arg in ("--data", str(path))], "-f", "{connection_file}"]
        spec.joinpath("kernel.json").write_text(json.dumps({
            "argv": argv, "display_name": "sandbox test", "language": "python", "interrupt_mode": "message",
            "env": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}}))
        self.km = KernelManager(kernel_name="sandbox-test", transport="ipc", ip=str(self.runtime / "kernel"),
                                connection_file=str(self.runtime / "kernel.json"))
        self.km.start_kernel(cwd=str(self.workdir))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    @property
    def supervisor(self):
        return self.km.provisioner.pid

    def run(self, code, timeout=60):
        """Execute ``code``; its stdout, and ``ENAME: evalue`` of an error. Fails early if the kernel dies."""
        from queue import Empty

        msg_id = self.kc.execute(code)
        out, end = [], time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except Empty:
                assert self.km.is_alive(), f"the kernel died; output so far: {''.join(out)!r}"
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)
        raise AssertionError(f"no answer within {timeout} s; output so far: {''.join(out)!r}")

    def run_json(self, code, timeout=60):
        out = self.run(code + "\nimport json as _j; print('@@' + _j.dumps(result))", timeout)
        assert "@@" in out, out
        return json.loads(out.split("@@", 1)[1])

    def wait_dead(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if not self.km.is_alive():
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.kc.stop_channels()
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=True)


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    started = []

    def start(*options, data=()):
        started.append(Kernel(tmp_path / f"k{len(started)}", list(options), monkeypatch, data))
        return started[-1]

    yield start
    for each in started:
        each.close()


def _processes_with(marker):
    """Host pids whose command line contains ``marker``."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{name}/cmdline").read_bytes():
                    found.append(int(name))
            except OSError:
                pass
    return found


def _gone(marker, seconds=5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not _processes_with(marker):
            return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------- what is visible

@needs_bwrap
def test_only_the_allowlist_of_the_host_is_visible(kernel, tmp_path):
    secret = tmp_path / "secret.txt"          # a host file in /tmp, next to the kernel's folders
    secret.write_text("grades")
    k = kernel("--allow", _helpers_folder())
    root_entries = sorted(os.listdir("/root"))
    python_home = os.path.realpath(sys.base_prefix)
    result = k.run_json(f"""
import os
paths = {[str(REPO / "source"), str(REPO / "course" / "sandbox.py"), str(REPO / "pyproject.toml"),
          "/etc/passwd", "/etc/shadow", "/etc/ssl", "/etc/hostname", "/home", "/var", "/opt", "/srv", "/sys",
          str(secret), str(k.report), str(k.base / "kernels")]!r}
result = {{"visible": [p for p in paths if os.path.lexists(p)], "unreadable": []}}
for p in ("/etc/passwd", {str(REPO / "pyproject.toml")!r}, {str(secret)!r}):
    try:
        open(p).read()
    except OSError:
        result["unreadable"].append(p)
result["root"] = sorted(os.listdir("/root")) if os.path.isdir("/root") else []   # absent unless Python lives there
home = {python_home!r}
result["python_versions"] = sorted(os.listdir(os.path.dirname(home))) if home.startswith("/root/") else []
result["repo"] = sorted(os.listdir({str(REPO)!r}))
result["writable"] = []
for d in ("/", "/usr", "/etc", {str(REPO)!r}, {_helpers_folder()!r}, "/dev"):
    try:
        open(os.path.join(d, "probe"), "w").close()
        result["writable"].append(d)
    except OSError:
        pass
""")
    assert result["visible"] == [], result
    assert len(result["unreadable"]) == 3, result
    # /root holds only the path to the interpreter (e.g. .pyenv/versions/3.11.7), nothing else of the host's /root.
    assert set(result["root"]) <= {".pyenv"} and len(root_entries) > len(result["root"]), result
    if python_home.startswith("/root/"):
        assert result["python_versions"] == [os.path.basename(python_home)], result
    # Of the checkout: only the Python environment and the allowed helpers.
    assert set(result["repo"]) <= {".venv", "helpers"}, result
    # A checkout under /tmp (CI) shows up inside the private /tmp, so writes to it stay there.
    private = [str(REPO)] if str(REPO).startswith("/tmp/") else []
    assert [d for d in result["writable"] if d not in private] == [], result
    assert not (REPO / "probe").exists()


@needs_bwrap
def test_the_scientific_stack_and_helpers_import_but_the_course_package_does_not(kernel):
    k = kernel("--allow", _helpers_folder())
    out = k.run("import numpy, scipy, scipy.linalg, matplotlib, matplotlib.pyplot as plt, torch, sklearn, helpers\n"
                "fig = plt.figure(); plt.plot([1, 2]); fig.savefig('/tmp/x.png')\n"
                "print('sum', float(torch.ones(3).sum()) + float(numpy.ones(3) @ numpy.ones(3)))\n"
                "import getpass; print('user', getpass.getuser())\n"
                "import os; print('environment', sorted(os.environ))", timeout=120)
    assert "sum 6.0" in out and "user nobody" in out, out
    assert "Error" not in out and "Fontconfig" not in out, out
    assert "COURSE_DB_URL" not in out
    out = k.run("import course")
    assert out.startswith("ModuleNotFoundError"), out


# --------------------------------------------------------------------------- disk

@needs_bwrap
def test_disk_space_is_capped_and_nothing_reaches_the_host(kernel, tmp_path):
    data = tmp_path / "measurements.csv"
    data.write_text("t,rate\n0,1.5\n")
    marker = f"big-{uuid.uuid4().hex}"
    k = kernel("--disk-mb", "256", data=[data])
    result = k.run_json(f"""
import errno, os
def fill(folder):
    block, written = b"x" * 2**20, 0
    try:
        for n in range(14):                        # 700 MB in files of 50 MB (below the limit per file)
            with open(os.path.join(folder, "{marker}-%d" % n), "wb") as handle:
                for _ in range(50):
                    handle.write(block)
                    written += 1
        return ["no error", written]
    except OSError as error:
        return [errno.errorcode.get(error.errno, str(error)), written]
result = {{"tmp": fill("/tmp"), "cwd": fill("."), "shm": fill("/dev/shm")}}
for name in os.listdir("."):
    if name.startswith("{marker}"):
        os.remove(name)
result["data"] = open("measurements.csv").read()
result["data_write"] = result["data_remove"] = "allowed"
try:
    open("measurements.csv", "a").write("2,3\\n")
except OSError as error:
    result["data_write"] = errno.errorcode[error.errno]
try:
    os.remove("measurements.csv")
except OSError as error:
    result["data_remove"] = errno.errorcode[error.errno]
result["cwd_after"] = os.listdir(".")
""", timeout=120)
    for where in ("tmp", "cwd", "shm"):
        code, megabytes = result[where]
        assert code == "ENOSPC" and 200 <= megabytes <= 256, result
    assert result["data"] == "t,rate\n0,1.5\n" and result["data_write"] == "EROFS", result
    assert result["data_remove"] in ("EBUSY", "EROFS"), result
    assert result["cwd_after"] == ["measurements.csv"], result
    assert data.read_text() == "t,rate\n0,1.5\n"
    # Nothing of it on the host: not in the working folder, not in /tmp, not in /dev/shm.
    assert list(k.workdir.iterdir()) == []
    for folder in ("/tmp", "/dev/shm", str(tmp_path)):
        assert not [name for name in os.listdir(folder) if name.startswith(marker)], folder
    assert k.km.is_alive()


# --------------------------------------------------------------------------- memory and processes

@needs_bwrap
def test_memory_of_all_processes_together_is_limited(kernel):
    k = kernel("--memory-mb", "1200")
    # Each child stays well below the per-process limit (address space); together they do not.
    k.kc.execute("import os, time\n"
                 "for _ in range(4):\n"
                 "    if os.fork() == 0:\n"
                 "        try:\n"
                 "            block = bytearray(b'x') * (350 * 2**20)\n"
                 "        except MemoryError:\n"
                 "            print('MemoryError in a child', flush=True)\n"
                 "            os._exit(1)\n"
                 "        time.sleep(60)\n"
                 "        os._exit(0)\n"
                 "time.sleep(60)\n")
    assert k.wait_dead(20), "the kernel was not killed"
    assert json.loads(k.report.read_text())["limit"] == "memory", k.report.read_text()
    assert k.km.provisioner.process.returncode == 137
    assert _gone(k.km.connection_file)


@needs_bwrap
def test_a_fork_bomb_is_stopped_by_the_process_limit(kernel):
    k = kernel("--max-procs", "32")
    k.kc.execute("import os, time\n"
                 "def bomb(depth):\n"
                 "    for _ in range(2):\n"
                 "        if depth and os.fork() == 0:\n"
                 "            bomb(depth - 1)\n"
                 "            time.sleep(60)\n"
                 "            os._exit(0)\n"
                 "bomb(7)\n"                     # 254 processes
                 "time.sleep(60)\n")
    assert k.wait_dead(20), "the kernel was not killed"
    report = json.loads(k.report.read_text())
    assert report["limit"] == "processes" and "limit 32" in report["detail"], report
    assert _gone(k.km.connection_file), "processes of the fork bomb survived"


@needs_bwrap
def test_the_kernel_reuses_the_graders_font_list_instead_of_scanning_fonts(kernel):
    from course.execute import prepare_font_cache

    cache = prepare_font_cache()
    assert cache and Path(cache).is_file()
    probe = ("import logging, io\n"
             "_log = io.StringIO(); _h = logging.StreamHandler(_log)\n"
             "logging.getLogger('matplotlib.font_manager').addHandler(_h)\n"
             "logging.getLogger('matplotlib.font_manager').setLevel(logging.INFO)\n"
             "import matplotlib.pyplot as plt\n"
             "plt.figure().text(0.5, 0.5, 'x'); plt.gcf().canvas.draw()\n"
             "print('REBUILT' if 'generated new fontManager' in _log.getvalue() else 'REUSED')\n")
    assert "REUSED" in kernel("--font-cache", cache).run(probe)
    assert "REBUILT" in kernel().run(probe)      # without it, every kernel scans the fonts again


@needs_bwrap
def test_a_thread_bomb_is_stopped_by_the_thread_limit(kernel):
    # red team, round 6: 3000 threads in one process passed a limit that counted processes only
    k = kernel("--max-threads", "256")
    k.kc.execute("import threading, time\n"
                 "threading.stack_size(32 * 1024)\n"
                 "_stop = threading.Event()\n"
                 "for _ in range(3000):\n"
                 "    threading.Thread(target=_stop.wait, daemon=True).start()\n"
                 "time.sleep(60)\n")
    assert k.wait_dead(20), "the kernel was not killed"
    report = json.loads(k.report.read_text())
    assert report["limit"] == "threads" and "limit 256" in report["detail"], report
    assert _gone(k.km.connection_file)


@needs_bwrap
def test_forked_workers_sharing_memory_are_not_counted_twice(kernel):
    # 4 processes each with 400 MB resident, but the same 400 MB (copy-on-write after fork):
    # the sum of their RSS is over the limit, the memory they really use is not.
    k = kernel("--memory-mb", "1200", "--max-procs", "16")
    out = k.run("import os, time\n"
                "block = bytearray(b'x') * (400 * 2**20)\n"
                "pids = []\n"
                "for _ in range(3):\n"
                "    pid = os.fork()\n"
                "    if pid == 0:\n"
                "        total = sum(block[::4096]); time.sleep(1.5); os._exit(0)\n"
                "    pids.append(pid)\n"
                "for pid in pids:\n"
                "    os.waitpid(pid, 0)\n"
                "print('done')")
    assert "done" in out and k.km.is_alive() and not k.report.exists(), out


# --------------------------------------------------------------------------- network, signals

@needs_bwrap
def test_the_kernel_has_no_network(kernel):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    try:
        k = kernel()
        out = k.run(f"import socket\n"
                    f"try:\n"
                    f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
                    f"    print('connected')\n"
                    f"except OSError as error:\n"
                    f"    print('refused', error)\n")
        assert out.startswith("refused"), out
        with pytest.raises(socket.timeout):
            server.accept()
    finally:
        server.close()


@needs_bwrap
def test_killing_the_supervisor_takes_the_sandbox_down(kernel):
    k = kernel()
    child = f"import time; time.sleep(60); '{uuid.uuid4().hex}'"
    k.run(f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {child!r}], start_new_session=True)")
    marker = k.km.connection_file
    assert len(_processes_with(marker)) >= 3          # the supervisor, bwrap, the kernel
    assert len(_processes_with(child)) == 1
    os.kill(k.supervisor, signal.SIGKILL)
    assert _gone(marker) and _gone(child)


@needs_bwrap
def test_sigterm_is_forwarded_and_the_supervisor_exits_with_the_kernel(kernel):
    k = kernel()
    marker = k.km.connection_file
    os.kill(k.supervisor, signal.SIGTERM)
    assert k.wait_dead(3)            # well before the supervisor's own 5 s grace
    assert _gone(marker)
    assert not k.report.exists()


# --------------------------------------------------------------------------- without bwrap

def test_without_bwrap_the_supervisor_and_the_clean_environment_still_apply(kernel, monkeypatch):
    monkeypatch.setenv("COURSE_DB_URL", "postgresql://user:password@host/db")
    k = kernel("--isolation", "none", "--max-procs", "16")
    out = k.run("import os, resource\n"
                "print(sorted(os.environ))\n"
                "print(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)")
    assert "COURSE_DB_URL" not in out and "4096" in out, out
    # An orphan (double fork) is still below the supervisor and is counted.
    k.kc.execute("import os, time\n"
                 "if os.fork() == 0:\n"
                 "    for _ in range(40):\n"
                 "        if os.fork() == 0:\n"
                 "            time.sleep(60); os._exit(0)\n"
                 "    os._exit(0)\n"
                 "time.sleep(60)\n")
    assert k.wait_dead(20), "the kernel was not killed"
    assert json.loads(k.report.read_text())["limit"] == "processes"
    assert _gone(k.km.connection_file)


def test_without_bwrap_killing_the_supervisor_kills_the_kernel(kernel):
    k = kernel("--isolation", "none")
    kernel_pid = int(k.run("import os; print(os.getpid())"))
    assert kernel_pid != k.supervisor
    os.kill(k.supervisor, signal.SIGKILL)
    assert _gone(k.km.connection_file), f"the kernel (pid {kernel_pid}) outlived its supervisor"


def test_folder_usage_counts_bytes_and_files_below_the_watched_folders(tmp_path):
    from course.sandbox import MAX_WATCHED_FILES, Supervisor, folder_usage

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "big.bin").write_bytes(b"x" * (3 * 1024 * 1024))
    (tmp_path / "small").write_bytes(b"y")
    used, files = folder_usage([tmp_path])
    assert 3 * 1024 * 1024 <= used < 4 * 1024 * 1024 and files == 3
    supervisor = Supervisor(memory_mb=0, max_procs=0, report=None, watched=[tmp_path], disk_mb=2)
    kind, detail = supervisor.check()
    assert kind == "disk" and "runtime folder" in detail and "limit 2 MB" in detail
    assert Supervisor(memory_mb=0, max_procs=0, report=None, watched=[tmp_path], disk_mb=8).check() is None
    for index in range(MAX_WATCHED_FILES):
        (tmp_path / f"empty-{index}").touch()
    assert Supervisor(memory_mb=0, max_procs=0, report=None, watched=[tmp_path], disk_mb=8).check()[0] == "disk"


def test_held_files_count_memfds_and_unlinked_files_of_watched_folders(tmp_path):
    from course.sandbox import held_files

    watched, elsewhere = tmp_path / "runtime", tmp_path / "other"
    watched.mkdir(), elsewhere.mkdir()
    descriptors = []
    try:
        for folder in (watched, elsewhere):
            path = folder / "hidden.bin"
            descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            descriptors.append(descriptor)
            os.unlink(path)
            os.write(descriptor, b"x" * (2 * 1024 * 1024))
        memfd = os.memfd_create("course-test")
        descriptors.append(memfd)
        os.write(memfd, b"y" * (3 * 1024 * 1024))
        in_memfds, deleted = held_files([os.getpid()], [watched])
        assert 3 * 1024 * 1024 <= in_memfds < 4 * 1024 * 1024
        assert 2 * 1024 * 1024 <= deleted < 3 * 1024 * 1024       # the unlinked file elsewhere is not counted
    finally:
        for descriptor in descriptors:
            os.close(descriptor)
    assert held_files([os.getpid()], [watched]) == (0, 0)


def test_a_reference_function_is_stopped_at_the_cells_time_limit():
    import time

    from course.bridge import CallbackTimeout, _time_limit

    start = time.monotonic()
    with pytest.raises(CallbackTimeout, match="ran past the time limit"):
        with _time_limit(0.3):
            while True:
                sum(range(1000))
    assert time.monotonic() - start < 2
    with _time_limit(5):
        pass
    time.sleep(0.05)                    # the timer is off after the block


@needs_bwrap
def test_sysv_shared_memory_and_memfds_are_refused_in_the_sandbox(kernel):
    # red team, round 3: detached SysV segments and memfds passed through a socket belong to no process
    if seccomp_program() is None:
        pytest.skip("the seccomp filter is written for x86-64 only")
    out = kernel().run(
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "segment = libc.shmget(0, 64 * 1024 * 1024, 0o1600)\n"
        "print('shmget', segment, os.strerror(ctypes.get_errno()))\n"
        "try:\n"
        "    os.memfd_create('x')\n"
        "    print('memfd created')\n"
        "except OSError as error:\n"
        "    print('memfd refused', error.errno)\n"
        "import numpy, torch\n"
        "print('stack works', float(numpy.ones(3).sum() + torch.ones(2).sum()))\n")
    assert "shmget -1 Operation not permitted" in out, out
    assert "memfd refused 1" in out and "stack works 5.0" in out, out


def test_the_seccomp_program_refuses_other_abis_and_the_listed_calls():
    import struct

    program = seccomp_program()
    if program is None:
        pytest.skip("the seccomp filter is written for x86-64 only")
    instructions = [struct.unpack("<HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]

    def run(arch, number):
        """A small interpreter of the classic BPF subset the program uses."""
        data = {0: number, 4: arch}
        accumulator, pc = 0, 0
        while True:
            code, jt, jf, k = instructions[pc]
            if code == 0x20:
                accumulator, pc = data[k], pc + 1
            elif code in (0x15, 0x35):
                taken = accumulator == k if code == 0x15 else accumulator >= k
                pc = pc + 1 + (jt if taken else jf)
            else:
                return k

    allow, eperm = 0x7FFF0000, 0x00050001
    x86_64, i386 = 0xC000003E, 0x40000003
    assert run(x86_64, 0) == allow and run(x86_64, 318) == allow and run(x86_64, 320) == allow
    for number in (29, 30, 31, 319, 0x40000000 + 29, 0x40000000):
        assert run(x86_64, number) == eperm, number
    assert run(i386, 117) == eperm and run(i386, 3) == eperm
