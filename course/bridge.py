"""Trusted side of the grading bridge: tests run in the grader, student code in its kernel.

The hidden tests of a notebook never enter the process that runs the
student's code. For each test cell, the grading worker:

1. opens a Unix socket and asks the student's kernel to run
   :mod:`course.bridge_agent` (which connects back and waits for calls);
2. runs the test cell's code *here*, in a :class:`TrustedNamespace`: the
   instructor's imports, the test's own definitions, and, for each
   function the student writes, a :class:`StudentFunction` stand-in;
3. a call of a stand-in sends the arguments as plain data
   (:mod:`course.bridge_wire`), the kernel calls the student's function and
   sends back its result as plain data;
4. the cell's outputs (what the test printed, its error) are produced here.

So no verdict depends on anything the student's process says about itself,
other than the values its functions return. Expected values and reference
implementations stay in this process. A test may make the student's code
call a reference function instead of its own for the rest of the cell
(:func:`helpers.checks.replace_in_student_code`): the kernel then gets a
stand-in that calls back here, never the reference code itself.
"""

import builtins
import contextlib
import io
import linecache
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path

from course import bridge_wire as wire
from course.bridge_policy import CallInputs

AGENT_SOURCES = [Path(wire.__file__).read_text(), (Path(__file__).parent / "bridge_agent.py").read_text()]
BRIDGE_KEY = "__grading_bridge__"
# Exceptions of the student's code that are raised here under their own type,
# so that tests can check for them (``except ValueError``).
BUILTIN_ERRORS = {name: getattr(builtins, name) for name in (
    "ValueError", "TypeError", "IndexError", "KeyError", "ZeroDivisionError", "ArithmeticError",
    "AssertionError", "NameError", "AttributeError", "RuntimeError", "NotImplementedError",
    "MemoryError", "RecursionError", "OverflowError", "FloatingPointError", "LookupError",
    "UnboundLocalError")}


class StudentCodeError(Exception):
    """The student's function raised an exception that is not a common builtin one."""


class BridgeTimeout(Exception):
    """The student's code did not answer within the cell's time limit."""


class BridgeBroken(Exception):
    """The kernel side stopped following the protocol (or died)."""


def resolve(value):
    """The value of ``value``, awaiting it if it is a coroutine (nbclient's clients are async)."""
    import inspect

    if not inspect.isawaitable(value):
        return value
    from jupyter_core.utils import run_sync

    async def wait():
        return await value

    return run_sync(wait)()


def kernel_code(path, token):
    """Code the kernel runs for one test cell: define the agent in a fresh module, serve."""
    return (
        "def __course_bridge_run(namespace):\n"
        "    import types\n"
        "    agent = types.ModuleType('course_bridge_agent')\n"
        f"    for source in {AGENT_SOURCES!r}:\n"
        "        exec(compile(source, '<grading bridge>', 'exec'), agent.__dict__)\n"
        f"    agent.serve(namespace, {str(path)!r}, {token!r})\n"
        "try:\n"
        "    __course_bridge_run(globals())\n"
        "finally:\n"
        "    del __course_bridge_run\n"
    )


class Bridge:
    """Calls into the student's kernel during one test cell at a time.

    Parameters
    ----------
    kernel_client : jupyter_client.KernelClient
        Client of the sandboxed kernel.
    socket_dir : str or Path
        A folder the sandboxed kernel can reach (the kernel's runtime folder).
    """

    def __init__(self, kernel_client, socket_dir):
        self.kc = kernel_client
        self.socket_dir = Path(socket_dir)
        self.connection = None
        self.server = None
        self.msg_id = None
        self.replied = False
        self.deadline = None
        self.callbacks = {}
        self.overrides = {}
        self._call_inputs = CallInputs((), {})

    # -- one test cell -------------------------------------------------
    def open(self, timeout):
        """Start the kernel's agent and wait until it connects with this cell's token.

        Connections without the token (another process that found the
        socket) are closed; if the kernel finishes the request without
        connecting, the test fails at once instead of at the time limit.
        """
        self.deadline = time.monotonic() + timeout
        token = uuid.uuid4().hex
        path = self.socket_dir / f"bridge-{uuid.uuid4().hex[:12]}.sock"
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        previous = os.umask(0)   # the kernel runs as another user inside the sandbox
        try:
            self.server.bind(str(path))
        finally:
            os.umask(previous)
        self.server.listen(4)
        self.path = path
        self.msg_id = resolve(self.kc.execute(kernel_code(path, token), silent=True, store_history=False,
                                              allow_stdin=False, stop_on_error=False))
        while self.connection is None:
            ready, _, _ = select.select([self.server], [], [], min(0.5, self._remaining()))
            if not ready:
                if self._remaining() <= 0:
                    raise BridgeTimeout("the kernel did not start the test (busy or broken)")
                if self._request_finished():
                    raise BridgeBroken("the kernel finished without answering the grader")
                continue
            connection, _ = self.server.accept()
            self.connection = connection
            try:
                header, _ = self._receive()
            except (BridgeBroken, BridgeTimeout):
                header = {}
            if header.get("op") != "hello" or header.get("token") != token:
                connection.close()
                self.connection = None

    def _request_finished(self):
        """True if the kernel already replied to this cell's request (without connecting)."""
        from queue import Empty

        try:
            msg = resolve(self.kc.get_shell_msg(timeout=0.01))
        except Empty:
            return False
        self.replied = msg.get("parent_header", {}).get("msg_id") == self.msg_id
        return self.replied

    def close(self, wait=10):
        """Tell the agent to stop, wait for the kernel to be idle again; returns True if it is."""
        if self.connection is not None:
            with contextlib.suppress(OSError):
                wire.send(self.connection, {"op": "done"})
            self.connection.close()
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        self.connection = self.server = None
        self.callbacks, self.overrides = {}, {}
        idle = self.replied or not self.msg_id or self._wait_for_reply(wait)
        self.msg_id, self.replied = None, False
        return idle

    def _wait_for_reply(self, wait):
        from queue import Empty

        end = time.monotonic() + wait
        while time.monotonic() < end:
            try:
                msg = resolve(self.kc.get_shell_msg(timeout=min(1.0, max(0.01, end - time.monotonic()))))
            except Empty:
                continue
            if msg.get("parent_header", {}).get("msg_id") == self.msg_id:
                return True
        return False

    def _remaining(self):
        return max(0.0, self.deadline - time.monotonic())

    def _receive(self):
        remaining = self._remaining()
        ready, _, _ = select.select([self.connection], [], [], remaining)
        if not ready:
            raise BridgeTimeout("the student's code did not finish within the time limit")
        try:
            return wire.receive(self.connection, deadline=self.deadline)
        except socket.timeout:
            raise BridgeTimeout("the student's code did not finish within the time limit") from None
        except (ConnectionError, OSError, ValueError, wire.WireError) as error:
            raise BridgeBroken(f"the connection to the kernel broke ({type(error).__name__})") from None

    # -- calls ---------------------------------------------------------
    def override(self, functions):
        """For the rest of this cell, the student's code sees these grader functions instead."""
        self.overrides.update(functions)

    def _register(self, function):
        callback_id = len(self.callbacks)
        self.callbacks[callback_id] = function
        return callback_id

    def _encode_extra(self, value):
        recipe = getattr(value, "__bridge_recipe__", None) if not isinstance(value, type) else None
        if recipe is not None:
            module, name, args, kwargs = recipe
            blobs = self._blobs
            return {"$R": [module, name, wire.encode(tuple(args), blobs, self._encode_extra),
                           wire.encode(dict(kwargs), blobs, self._encode_extra)]}
        if callable(value):
            return {"$F": self._register(value)}
        return None

    def call(self, name, args, kwargs):
        """Call the student's function ``name``; returns its result as plain data."""
        if self.connection is None:
            raise BridgeBroken("no test is running")
        self._blobs = blobs = []
        self._call_inputs = CallInputs(args, kwargs)
        header = {"op": "call", "name": name,
                  "args": wire.encode(tuple(args), blobs, self._encode_extra),
                  "kwargs": wire.encode(dict(kwargs), blobs, self._encode_extra),
                  "overrides": {key: self._register(function) for key, function in self.overrides.items()}}
        self._send(header, blobs)
        while True:
            reply, reply_blobs = self._receive()
            op = reply.get("op")
            if op == "callback":
                self._answer_callback(reply, reply_blobs)
                continue
            if op == "result":
                try:
                    value = wire.decode(reply.get("value"), reply_blobs)
                    grads = wire.decode(reply.get("grads"), reply_blobs)
                except (wire.WireError, ValueError, TypeError, KeyError, IndexError) as error:
                    raise StudentCodeError(f"{name} returned something that cannot be read ({error})") from None
                self._attach_grads(args, kwargs, grads)
                return value
            if op == "error":
                kind = str(reply.get("type", "Exception"))[:100]
                message = str(reply.get("message", ""))[:2000]
                error = BUILTIN_ERRORS.get(kind)
                if error is not None:
                    raise error(message)
                raise StudentCodeError(f"{kind}: {message}")
            raise BridgeBroken(f"unexpected message {op!r} from the kernel")

    def _send(self, header, blobs):
        try:
            wire.send(self.connection, header, blobs)
        except OSError as error:
            raise BridgeBroken(f"the connection to the kernel broke ({type(error).__name__})") from None

    def _answer_callback(self, request, blobs):
        function = self.callbacks.get(request.get("id"))
        try:
            if function is None:
                raise LookupError("unknown function")
            args = wire.decode(request.get("args"), blobs)
            kwargs = wire.decode(request.get("kwargs"), blobs)
            refusal = self._call_inputs.refusal(args, kwargs)
            accepts = getattr(function, "accepts", None)
            if refusal is None and callable(accepts) and not _accepted(accepts, self._call_inputs, args, kwargs):
                # the test's own rule (helpers.checks.Lent): e.g. only the call's data, converted or sliced
                refusal = ("the reference function answers only about the inputs of the function being tested "
                           "(its test allows these arguments only)")
            if refusal is not None:
                # an oracle only for the call under test (course.bridge_policy): not for another
                # test's hidden inputs, not for arguments that would make the grader allocate a lot
                # PermissionError, not ValueError: a test that expects the student's ValueError must
                # not take the grader's refusal for it
                self._send({"op": "callback_error", "type": "PermissionError", "message": refusal}, [])
                return
            with _time_limit(self._remaining()):
                value = function(*args, **kwargs)
            reply_blobs = []
            self._send({"op": "callback_result", "value": wire.encode(value, reply_blobs)}, reply_blobs)
        except (BridgeBroken, BridgeTimeout):
            raise
        except Exception as error:
            # Only the type crosses: the grader's message may quote expected values.
            self._send({"op": "callback_error", "type": type(error).__name__,
                        "message": f"the reference function raised {type(error).__name__}"}, [])

    @staticmethod
    def _attach_grads(args, kwargs, grads):
        """Give the grader's tensors the gradients the kernel computed for its copies."""
        torch = sys.modules.get("torch")
        if torch is None or not grads:
            return
        inputs = [v for v in [*args, *kwargs.values()] if isinstance(v, torch.Tensor) and v.requires_grad]
        for tensor, grad in zip(inputs, grads):
            if isinstance(grad, torch.Tensor) and grad.shape == tensor.shape:
                tensor.grad = grad.to(tensor.dtype)


def _accepted(accepts, call, args, kwargs):
    """The test's predicate on a question about ``call`` (:class:`CallInputs`); an error in it refuses it."""
    try:
        return bool(accepts(call.args, call.kwargs, args, kwargs))
    except Exception:
        return False


class CallbackTimeout(BridgeTimeout):
    """A reference function asked by the student's code ran past the cell's time limit."""


@contextlib.contextmanager
def _time_limit(seconds):
    """Stop the block with :class:`CallbackTimeout` after ``seconds`` (main thread only).

    The student's code chooses a reference function's arguments: badly scaled
    ones can keep an optimiser in the grader busy for minutes, past the cell's
    time limit, which otherwise only bounds the wait for the kernel.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(_signum, _frame):
        raise CallbackTimeout("a reference function asked by the student's code ran past the time limit")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class StudentFunction:
    """Stands for a function the student wrote; calling it calls it in the student's kernel."""

    def __init__(self, bridge, name):
        self._bridge = bridge
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self._bridge.call(self.__name__, args, kwargs)

    def __repr__(self):
        return f"<student function {self.__name__}>"


class TrustedNamespace(dict):
    """Globals of the test cells: unknown names of the student's functions become stand-ins."""

    def __init__(self, bridge, student_names):
        super().__init__(__name__="__grading__", __builtins__=builtins)
        self[BRIDGE_KEY] = bridge
        self._student_names = frozenset(student_names)

    def __missing__(self, name):
        if name in self._student_names and not hasattr(builtins, name):
            return StudentFunction(self[BRIDGE_KEY], name)
        raise KeyError(name)


def new_namespace(bridge, student_names, prelude, workdir):
    """A namespace for a notebook's test cells, with the instructor's imports run in it."""
    namespace = TrustedNamespace(bridge, student_names)
    if prelude:
        with _in_directory(workdir), _captured():
            exec(compile(prelude, "<instructor imports>", "exec"), namespace)
    return namespace


@contextlib.contextmanager
def _in_directory(path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _captured():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def _stream(name, text):
    return {"output_type": "stream", "name": name, "text": text}


def _python_source(source):
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def run_test_cell(bridge, namespace, source, label, timeout, workdir):
    """Run a test cell's code here, calling the student's functions through ``bridge``.

    Returns
    -------
    outputs : list of dict
        nbformat outputs: what the test printed, and an ``error`` output if
        it failed. nbgrader scores the cell from them.
    kernel_ok : bool
        False if the kernel did not become idle again (it is stuck or dead).
    """
    import warnings

    filename = f"<test cell {label}>"
    code_text = _python_source(source)
    linecache.cache[filename] = (len(code_text), None, code_text.splitlines(True), filename)
    outputs, error = [], None
    with _captured() as (out, err), _in_directory(workdir), warnings.catch_warnings():
        warnings.simplefilter("default")
        try:
            bridge.open(timeout)
            exec(compile(code_text, filename, "exec"), namespace)
        except BridgeTimeout as problem:
            error = ("TimeoutError", f"{problem} ({timeout} s per cell)")
        except BridgeBroken as problem:
            error = ("KernelError", str(problem))
        except BaseException as problem:  # the test failed (or the student's function raised)
            if isinstance(problem, KeyboardInterrupt):
                raise
            error = (type(problem).__name__, str(problem),
                     traceback.format_exception(type(problem), problem, problem.__traceback__))
        finally:
            # after a time-out the caller interrupts the kernel if it is still busy a second later
            kernel_ok = bridge.close(wait=1 if error and error[0] == "TimeoutError" else 10)
    if out.getvalue():
        outputs.append(_stream("stdout", out.getvalue()))
    if err.getvalue():
        outputs.append(_stream("stderr", err.getvalue()))
    if error is not None:
        ename, evalue = error[0], error[1]
        lines = error[2][1:] if len(error) > 2 else [f"{ename}: {evalue}"]
        # Keep the test's own frames only (this module's frames say nothing to a reader).
        lines = [line for line in lines if __file__ not in line]
        outputs.append({"output_type": "error", "ename": ename, "evalue": evalue,
                        "traceback": [line.rstrip("\n") for line in lines]})
    return outputs, kernel_ok
