"""Kernel side of the grading bridge: calls the student's functions on request.

This source is *sent into* the sandboxed kernel (after
:mod:`course.bridge_wire`, in the same namespace) by the grading worker at
each test cell; the kernel cannot import ``course``. It connects to the
grader's Unix socket, then answers ``call`` messages by calling the named
function of the student's namespace with the decoded arguments, until the
grader says ``done``.

Nothing here is trusted: the student's code may replace or break any of it.
That can only change what the student's own functions appear to return,
which is what the tests judge anyway. The grader decodes replies as plain
data and decides every verdict itself.
"""

try:  # on the grader's side, for reading and testing; in the kernel the wire code is already defined
    from course.bridge_wire import decode, encode, receive, send
except ImportError:  # pragma: no cover - inside the kernel
    pass

MAX_ERROR_MESSAGE = 2000


def _rebuild(tag, tree, connection):
    """Kernel-side objects for the grader's ``$R`` (a helpers call) and ``$F`` (a callback)."""
    import importlib

    if tag == "$F":
        return _callback(connection, tree["$F"])
    module, name, args, kwargs = tree["$R"]
    if not (isinstance(module, str) and module.split(".")[0] == "helpers"):
        raise ValueError(f"objects are rebuilt from helpers only, not {module!r}")
    factory = importlib.import_module(module)
    for part in name.split("."):
        factory = getattr(factory, part)
    rebuild = (lambda t, tr: _rebuild(t, tr, connection))
    return factory(*decode(args, connection["blobs"], rebuild), **decode(kwargs, connection["blobs"], rebuild))


def _callback(connection, callback_id):
    """A stand-in for one of the grader's functions: each call goes back to the grader."""
    import builtins

    def call_grader(*args, **kwargs):
        blobs = []
        send(connection["socket"], {"op": "callback", "id": callback_id, "args": encode(args, blobs),
                                    "kwargs": encode(kwargs, blobs)}, blobs)
        header, reply_blobs = receive(connection["socket"])
        if header.get("op") == "callback_result":
            return decode(header["value"], reply_blobs)
        error = getattr(builtins, str(header.get("type")), None)
        if not (isinstance(error, type) and issubclass(error, Exception)):
            error = RuntimeError
        raise error(str(header.get("message", "the grader's function failed")))

    call_grader.__name__ = "reference_function"
    return call_grader


def _tensors_needing_grad(values):
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        return []
    return [value for value in values if isinstance(value, torch.Tensor) and value.requires_grad]


def _call(namespace, header, blobs, connection):
    """Run one requested call; returns the reply ``(header, blobs)``."""
    import contextlib
    import io

    connection["blobs"] = blobs
    rebuild = (lambda tag, tree: _rebuild(tag, tree, connection))
    missing = object()
    saved = {}
    try:
        args = decode(header["args"], blobs, rebuild)
        kwargs = decode(header["kwargs"], blobs, rebuild)
        for name, callback_id in (header.get("overrides") or {}).items():
            saved[name] = namespace.get(name, missing)
            namespace[name] = _callback(connection, callback_id)
        function = namespace.get(header["name"], missing)
        if function is missing:
            raise NameError(f"name {header['name']!r} is not defined")
        # What the student's code prints while the grader tests it is not shown anywhere.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            result = function(*args, **kwargs)
            inputs = _tensors_needing_grad([*args, *kwargs.values()])
            grads = None
            if inputs and getattr(result, "requires_grad", False) and result.numel() == 1:
                result.backward()
                grads = [tensor.grad for tensor in inputs]
        reply_blobs = []
        reply = {"op": "result", "value": encode(result, reply_blobs),
                 "grads": encode(grads, reply_blobs)}
        return reply, reply_blobs
    except Exception as error:
        return {"op": "error", "type": type(error).__name__,
                "message": str(error)[:MAX_ERROR_MESSAGE]}, []
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def serve(namespace, path, token):
    """Connect to the grader at ``path`` and answer its calls until it is done."""
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    connection = {"socket": sock, "blobs": []}
    try:
        send(sock, {"op": "hello", "token": token})
        while True:
            header, blobs = receive(sock)
            if header.get("op") != "call":
                break
            reply, reply_blobs = _call(namespace, header, blobs, connection)
            send(sock, reply, reply_blobs)
    finally:
        sock.close()
