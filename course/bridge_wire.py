"""The bridge's wire format: plain data between the grader and a student's kernel.

This file is used on both sides. The trusted grader imports it; the
grading worker sends its source text into the sandboxed kernel (which
cannot import ``course``) together with :mod:`course.bridge_agent`.
It must therefore depend on nothing but the standard library, numpy and
(optionally) torch.

A message is ``8-byte header length | JSON header | blobs``; the header
lists the length of each blob. Values are JSON trees in which containers
and arrays are tagged objects:

==========  ========================================================
``$l``      list;  ``$t`` tuple;  ``$d`` dict as ``[[key, value], ...]``
``$c``      complex ``[re, im]``;  ``$r`` range;  ``$s`` slice
``$a``      numpy array: index of a blob in ``.npy`` format (no pickle)
``$g``      numpy scalar (a 0-d ``.npy`` blob)
``$T``      torch tensor: ``.npy`` blob plus ``grad`` (requires_grad)
``$R``      grader to kernel only: an object rebuilt by a ``helpers`` call
``$F``      grader to kernel only: a function of the grader (a callback)
``$o``      anything else: only its type name crosses
==========  ========================================================

Arrays are read with ``allow_pickle=False``: nothing that crosses can run
code on the receiving side.
"""

import io
import json
import struct

import numpy as np

MAX_MESSAGE = 64 * 1024 * 1024    # bytes; a larger message is refused
MAX_HEADER = 16 * 1024 * 1024     # bytes of JSON structure in one message (arrays travel as blobs)
MAX_DEPTH = 64
MAX_ITEMS = 1_000_000             # decoded values per message (a list of a million zeros is 2 MB of JSON)
HEADER = struct.Struct(">Q")
NUMERIC_KINDS = "biufc"


class WireError(Exception):
    """A message that does not follow the format (or is too large)."""


class Opaque:
    """A value that could not cross the bridge; only its type name is known."""

    def __init__(self, type_name):
        self.type_name = str(type_name)[:100]

    def __repr__(self):
        return f"<{self.type_name} object from the student's kernel>"


def _torch():
    import sys

    return sys.modules.get("torch")


def _array_blob(array, blobs):
    buffer = io.BytesIO()
    array = np.asarray(array)
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one)
    np.save(buffer, array if array.flags.c_contiguous else array.copy(order="C"), allow_pickle=False)
    blobs.append(buffer.getvalue())
    return len(blobs) - 1


def encode(value, blobs, extra=None, depth=0):
    """The JSON tree of ``value``; arrays are appended to ``blobs``.

    ``extra(value)`` may return a tagged dict for values this module does
    not know (the grader's side uses it for callbacks and recipes).
    """
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if -2 ** 63 <= value < 2 ** 63 else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, complex):
        return {"$c": [value.real, value.imag]}
    nested = (lambda item: encode(item, blobs, extra, depth + 1))
    if isinstance(value, list):
        return {"$l": [nested(item) for item in value]}
    if isinstance(value, tuple):
        return {"$t": [nested(item) for item in value]}
    if isinstance(value, dict):
        return {"$d": [[nested(key), nested(item)] for key, item in value.items()]}
    if isinstance(value, range):
        return {"$r": [value.start, value.stop, value.step]}
    if isinstance(value, slice):
        return {"$s": [nested(value.start), nested(value.stop), nested(value.step)]}
    if isinstance(value, np.ndarray) and value.dtype.kind in NUMERIC_KINDS:
        return {"$a": _array_blob(value, blobs)}
    if isinstance(value, np.generic) and np.dtype(type(value)).kind in NUMERIC_KINDS:
        return {"$g": _array_blob(np.asarray(value), blobs)}
    torch = _torch()
    if torch is not None and isinstance(value, torch.Tensor):
        array = value.detach().cpu().numpy()
        return {"$T": _array_blob(array, blobs), "grad": bool(value.requires_grad)}
    if extra is not None:
        tagged = extra(value)
        if tagged is not None:
            return tagged
    return {"$o": type(value).__name__}


def decode(tree, blobs, extra=None, depth=0, budget=None):
    """The value of a JSON tree made by :func:`encode`.

    ``extra(tag, tree)`` decodes the tags ``$R`` and ``$F`` (kernel side
    only); without it they are refused. At most :data:`MAX_ITEMS` values
    are decoded, and a range may not be longer: a small message must not
    become a huge object on the receiving side.
    """
    budget = [MAX_ITEMS] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise WireError(f"more than {MAX_ITEMS} values in one message")
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if not isinstance(tree, dict) or not tree:
        raise WireError(f"unexpected {type(tree).__name__} in a message")
    nested = (lambda item: decode(item, blobs, extra, depth + 1, budget))
    tag = next(iter(tree))
    body = tree[tag]
    if tag == "$l":
        return [nested(item) for item in body]
    if tag == "$t":
        return tuple(nested(item) for item in body)
    if tag == "$d":
        return {nested(key): nested(item) for key, item in body}
    if tag == "$c":
        return complex(float(body[0]), float(body[1]))
    if tag == "$r":
        value = range(int(body[0]), int(body[1]), int(body[2]))
        if len(value) > MAX_ITEMS:
            raise WireError(f"a range of more than {MAX_ITEMS} values")
        return value
    if tag == "$s":
        return slice(*(nested(item) for item in body))
    if tag in ("$a", "$g", "$T"):
        array = _read_array(blobs, body)
        if tag == "$g":
            return array[()]
        if tag == "$T":
            torch = _torch()
            if torch is None:
                import torch
            tensor = torch.from_numpy(array.copy())
            return tensor.requires_grad_(True) if tree.get("grad") and tensor.is_floating_point() else tensor
        return array
    if tag == "$o":
        return Opaque(body)
    if tag in ("$R", "$F") and extra is not None:
        return extra(tag, tree)
    raise WireError(f"unknown tag {tag!r} in a message")


def _read_array(blobs, index):
    if not isinstance(index, int) or not 0 <= index < len(blobs):
        raise WireError("bad array reference")
    # the .npy format only (np.load would also open zip archives)
    array = np.lib.format.read_array(io.BytesIO(blobs[index]), allow_pickle=False)
    if array.dtype.kind not in NUMERIC_KINDS:
        raise WireError(f"arrays of dtype {array.dtype} cannot cross")
    return array


def send(sock, header, blobs=()):
    """Send one message: a JSON-able ``header`` dict and binary ``blobs``."""
    header = dict(header, blobs=[len(blob) for blob in blobs])
    data = json.dumps(header).encode()
    sock.sendall(HEADER.pack(len(data)) + data)
    for blob in blobs:
        sock.sendall(blob)


def _read_exactly(sock, size, deadline=None):
    import socket
    import time

    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("the other side did not send its message in time")
            sock.settimeout(left)
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise ConnectionError("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive(sock, limit=MAX_MESSAGE, deadline=None):
    """Read one message; returns ``(header, blobs)``.

    ``deadline`` (``time.monotonic()`` seconds) bounds the whole message, so
    a sender that dribbles bytes cannot hold the receiver past it.
    """
    (length,) = HEADER.unpack(_read_exactly(sock, HEADER.size, deadline))
    if length > min(limit, MAX_HEADER):
        raise WireError(f"message header of {length} bytes is too large")
    header = json.loads(_read_exactly(sock, length, deadline))
    sizes = header.get("blobs", []) if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise WireError("malformed message header")
    if length + sum(sizes) > limit:
        raise WireError(f"message of {length + sum(sizes)} bytes is larger than the limit of {limit} bytes")
    return header, [_read_exactly(sock, size, deadline) for size in sizes]
