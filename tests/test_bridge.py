"""The grading bridge: test code runs in the grader, student code in its kernel.

These tests use a plain local kernel (no sandbox): what they check is the
protocol and where code runs, not the confinement (tests/test_sandbox_limits.py).
"""

import io
import os
import pickle
import socket
import tempfile

import numpy as np
import pytest
import torch

from course import bridge_wire as wire
from course.bridge import Bridge, StudentCodeError, new_namespace, run_test_cell


def roundtrip(value):
    blobs = []
    tree = wire.encode(value, blobs)
    a, b = socket.socketpair()
    with a, b:
        wire.send(a, {"op": "x", "value": tree}, blobs)
        header, received = wire.receive(b)
    return wire.decode(header["value"], received)


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("inf"), "text", 1 + 2j, [1, [2, 3]], (1, "a"), {"k": (1, 2), 3: None},
    range(2, 9, 3), slice(1, None, 2),
])
def test_plain_values_cross_unchanged(value):
    assert roundtrip(value) == value


def test_arrays_scalars_and_tensors_keep_dtype_shape_and_values():
    array = np.arange(12, dtype=np.int16).reshape(3, 4)
    back = roundtrip({"a": array, "s": np.float32(1.5), "b": np.array([True, False])})
    assert back["a"].dtype == np.int16 and np.array_equal(back["a"], array)
    assert isinstance(back["s"], np.float32) and back["s"] == 1.5
    tensor = roundtrip(torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True))
    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.float64 and tensor.requires_grad


def test_unknown_objects_cross_as_their_type_name_only():
    class Secret:
        password = "hunter2"

    back = roundtrip(Secret())
    assert isinstance(back, wire.Opaque) and back.type_name == "Secret"
    assert "hunter2" not in repr(back)


def test_object_arrays_and_pickles_never_cross():
    assert isinstance(roundtrip(np.array([object()], dtype=object)), wire.Opaque)
    # a hand-made message whose "array" is a pickle: refused, nothing runs
    evil = pickle.dumps(np.array([1, 2], dtype=object))
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    for blob in (evil, buffer.getvalue()):
        with pytest.raises((ValueError, wire.WireError)):
            wire.decode({"$a": 0}, [blob])


def test_the_grader_side_refuses_callbacks_and_recipes_from_the_kernel():
    for tree in ({"$F": 0}, {"$R": ["helpers.mei.toy_models", "ConstantModel", None, None]}, {"$zz": 1}):
        with pytest.raises(wire.WireError):
            wire.decode(tree, [])


def test_messages_over_the_size_limit_are_refused():
    a, b = socket.socketpair()
    with a, b:
        wire.send(a, {"op": "x"}, [b"0" * 1000])
        with pytest.raises(wire.WireError):
            wire.receive(b, limit=500)


def test_nesting_is_limited():
    value = []
    for _ in range(wire.MAX_DEPTH + 5):
        value = [value]
    with pytest.raises(wire.WireError):
        wire.encode(value, [])


STUDENT_CODE = '''
import numpy as np, sys, torch
def scale(x, factor=1):
    return np.asarray(x) * factor
def uses_helper(n):
    return helper(n) + 1
def helper(n):
    return n
def loss(p, y):
    return torch.mean(p - y * torch.log(p))
def refuses(x):
    raise ValueError("x must be positive")
def odd_error():
    class Weird(Exception):
        pass
    raise Weird("strange")
def frames():
    names, frame = [], sys._getframe()
    while frame is not None:
        names.append((frame.f_code.co_name, sorted(frame.f_globals)[:50]))
        frame = frame.f_back
    return repr(names)
def slow():
    import time
    while True:
        time.sleep(0.05)
SEEN = []
def record(info):
    SEEN.append(info.raw_cell)
get_ipython().events.register("pre_run_cell", record)
get_ipython().input_transformers_cleanup.append(lambda lines: SEEN.append("".join(lines)) or lines)
'''
NAMES = ["scale", "uses_helper", "loss", "refuses", "odd_error", "frames", "slow", "SEEN_COPY"]


@pytest.fixture(scope="module")
def kernel():
    from jupyter_client import KernelManager

    folder = tempfile.mkdtemp(prefix="bridge-test-")
    manager = KernelManager(transport="ipc", ip=os.path.join(folder, "kernel"))
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    client.execute_interactive(STUDENT_CODE, timeout=60)
    client.execute_interactive("def SEEN_COPY():\n    return list(SEEN)", timeout=30)
    bridge = Bridge(client, folder)
    namespace = new_namespace(bridge, NAMES, "import numpy as np\nimport torch", folder)
    yield manager, client, bridge, namespace, folder
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(kernel, source, timeout=30):
    _, _, bridge, namespace, folder = kernel
    return run_test_cell(bridge, namespace, source, "t", timeout, folder)


def stdout(outputs):
    return "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")


def test_a_test_cell_calls_the_students_functions_and_prints_here(kernel):
    outputs, ok = run(kernel, "print(scale(np.arange(3), factor=2).tolist(), scale(range(2)).tolist())")
    assert ok and stdout(outputs) == "[0, 2, 4] [0, 1]\n"


def test_a_failing_assertion_becomes_an_error_output(kernel):
    outputs, ok = run(kernel, "assert scale([1]) == 3, 'scale is wrong'")
    assert ok and outputs[-1]["output_type"] == "error" and outputs[-1]["evalue"] == "scale is wrong"


def test_the_students_exceptions_keep_common_builtin_types(kernel):
    outputs, _ = run(kernel, "try:\n    refuses(-1)\nexcept ValueError as e:\n    print('caught', e)")
    assert stdout(outputs) == "caught x must be positive\n"
    outputs, _ = run(kernel, "odd_error()")
    assert outputs[-1]["ename"] == StudentCodeError.__name__ and "Weird: strange" in outputs[-1]["evalue"]


def test_the_student_code_can_be_made_to_call_a_reference_function_for_one_cell(kernel):
    outputs, _ = run(kernel, "from helpers.checks import replace_in_student_code\n"
                             "replace_in_student_code(globals(), helper=lambda n: 10 * n)\n"
                             "print(uses_helper(3))")
    assert stdout(outputs) == "31\n"
    outputs, _ = run(kernel, "print(uses_helper(3))")   # the next cell sees the student's own again
    assert stdout(outputs) == "4\n"


def test_gradients_computed_in_the_kernel_reach_the_graders_tensors(kernel):
    outputs, _ = run(kernel, "_p = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)\n"
                             "_loss = loss(_p, torch.tensor([0.0, 2.0], dtype=torch.float64))\n"
                             "_loss.backward()\n"
                             "print(round(float(_loss.detach()), 6), _p.grad.tolist())")
    assert stdout(outputs) == f"{round((1 + 2 - 2 * np.log(2)) / 2, 6)} [0.5, 0.0]\n"


def test_models_are_rebuilt_in_the_kernel_from_their_helpers_recipe(kernel):
    outputs, _ = run(kernel, "from helpers.mei.toy_models import TemplateModel\n"
                             "_m = TemplateModel(np.ones((1, 2, 3)))\n"
                             "print(type(scale(_m)).__name__)")
    # the student's function got a real model (numpy cannot multiply it): an error, not a crash
    assert outputs[-1]["output_type"] == "error"


def test_hidden_test_code_and_expected_values_never_reach_the_kernel(kernel):
    secret = "SECRET_EXPECTED_VALUE_31415"
    run(kernel, f"def _expected_answer():\n    return '{secret}'\nassert scale([1])[0] == 1\n")
    outputs, _ = run(kernel, "print(SEEN_COPY())")
    seen = stdout(outputs)
    assert secret not in seen and "_expected_answer" not in seen


def test_the_students_function_cannot_walk_up_to_the_tests_frame(kernel):
    outputs, _ = run(kernel, "def _expected_thing():\n    return 42\nprint(frames())")
    text = stdout(outputs)
    assert "_expected_thing" not in text and "frames" in text


def test_a_hanging_function_times_out_and_the_kernel_recovers(kernel):
    from course.bridge import resolve
    from course.execute import _kernel_responds

    manager, client, *_ = kernel
    outputs, ok = run(kernel, "slow()", timeout=2)
    assert not ok and outputs[-1]["ename"] == "TimeoutError"
    resolve(manager.interrupt_kernel())
    assert _kernel_responds(client, wait=10)
    outputs, ok = run(kernel, "print(scale([2]).tolist())")
    assert ok and stdout(outputs) == "[2]\n"


def test_names_that_are_not_the_students_functions_are_not_looked_up_in_the_kernel(kernel):
    outputs, _ = run(kernel, "print(SEEN)")
    assert outputs[-1]["ename"] == "NameError"


def test_a_small_message_cannot_become_a_huge_object():
    with pytest.raises(wire.WireError):
        wire.decode({"$r": [0, 10 ** 9, 1]}, [])
    with pytest.raises(wire.WireError):
        wire.decode({"$l": [0] * (wire.MAX_ITEMS + 1)}, [])


def test_a_sender_that_dribbles_cannot_hold_the_receiver_past_its_deadline():
    import threading
    import time

    a, b = socket.socketpair()

    def dribble():
        for _ in range(40):
            try:
                a.send(b"\0")
            except OSError:
                return
            time.sleep(0.1)

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    started = time.monotonic()
    with pytest.raises(socket.timeout):
        wire.receive(b, deadline=time.monotonic() + 0.5)
    assert time.monotonic() - started < 1.5
    a.close(), b.close()


def test_a_connection_without_the_cells_token_is_turned_away(kernel):
    """Another process that finds the bridge socket cannot answer in the kernel's place."""
    import threading
    import time

    _, _, bridge, namespace, folder = kernel
    stop = threading.Event()

    def impostor():
        while not stop.is_set():
            for path in os.listdir(folder):
                if path.startswith("bridge-"):
                    try:
                        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                            sock.connect(os.path.join(folder, path))
                            wire.send(sock, {"op": "hello", "token": "guess"})
                            wire.send(sock, {"op": "result", "value": 3})
                    except OSError:
                        pass
            time.sleep(0.001)

    thread = threading.Thread(target=impostor, daemon=True)
    thread.start()
    try:
        outputs, ok = run_test_cell(bridge, namespace, "print(scale([5]).tolist())", "t", 30, folder)
    finally:
        stop.set()
    assert ok and stdout(outputs) == "[5]\n"
