"""course.bridge_policy: a reference function lent to the student's code answers only about the call under test."""

import numpy as np
import pytest
import torch

from course.bridge_policy import CallInputs


def test_rows_of_the_call_and_fewer_rows_like_them_are_answered():
    X = np.random.RandomState(0).normal(size=(8, 300))
    inputs = CallInputs((4, X, np.eye(8)), {})
    group_means = X.reshape(4, 2, 300).mean(axis=1)
    for question in [(X, 3), (X[2:5], 0), (group_means, 1), (X[0], 0), (np.zeros(8), None)]:
        assert inputs.refusal(question, {}) is None, [np.shape(q) for q in question]
    assert inputs.refusal((), {"X": torch.as_tensor(X[:3]), "label": "short"}) is None


@pytest.mark.parametrize("question, what", [
    ((np.ones((9, 300)), 0), "shape (9, 300)"),                  # more rows than the call's X
    ((np.ones((8, 301)), 0), "shape (8, 301)"),                  # rows of another length: another test's input
    ((np.ones((1, 300), dtype=np.int8), np.zeros(100000, dtype=np.int8)), "shape (100000,)"),   # amplification
    (([[1.0] * 300] * 9,), "shape (9, 300)"),                    # the same as a nested list
    ((object(),), "a object, not a number or an array"),
    (("x" * 201,), "longer than 200"),
])
def test_other_shapes_and_other_kinds_of_argument_are_refused(question, what):
    X = np.random.RandomState(0).normal(size=(8, 300))
    refusal = CallInputs((4, X), {}).refusal(question, {})
    assert refusal is not None and what in refusal
    assert "answers only about the inputs of the function being tested" in refusal
    assert str(X[0, 0])[:6] not in refusal          # no values in the message


def test_a_shape_passed_to_the_call_allows_new_arrays_of_that_shape():
    inputs = CallInputs((None, 1, 120), {"image_shape": (20, 30), "cutoff": 0.25})
    assert inputs.refusal((np.zeros((20, 30)), 0.25), {}) is None
    assert inputs.refusal((torch.zeros(20, 30), 0.25), {}) is None
    assert "shape (36, 64)" in inputs.refusal((np.zeros((36, 64)), 0.05), {})
    assert "shape (30, 20)" in inputs.refusal((np.zeros((30, 20)), 0.25), {})


def test_a_call_without_arrays_lends_no_arrays():
    inputs = CallInputs((3, 0.5, "name"), {})
    assert inputs.refusal((1, 2.0, None, True), {}) is None
    assert inputs.refusal((np.zeros(2),), {}) is not None


def test_lists_count_as_the_arrays_the_reference_would_make_of_them():
    # red team: nested lists of 0-d arrays passed item by item, and lists of allowed rows without the row bound
    X = np.random.RandomState(0).normal(size=(24, 3000))
    inputs = CallInputs((4, X), {})
    hidden = np.random.RandomState(1).normal(size=(7, 400))
    zero_d = [[np.array(v) for v in row] for row in hidden]
    assert "shape (7, 400)" in inputs.refusal((zero_d, 0), {})
    assert "shape (7, 400)" in inputs.refusal(([[torch.tensor(v) for v in row] for row in hidden], 0), {})
    mixed = [[float(v) for v in row[:-1]] + [np.array(row[-1])] for row in hidden]
    assert "shape (7, 400)" in inputs.refusal((mixed, 0), {})
    many_rows = [np.zeros(3000) for _ in range(30)]
    assert "shape (30, 3000)" in inputs.refusal((many_rows, 0), {})
    assert inputs.refusal(([np.zeros(3000) for _ in range(3)], 0), {}) is None
    assert inputs.refusal(({"X": zero_d[:2]},), {}) is not None


def test_numbers_written_as_strings_or_padded_with_none_are_judged_as_numbers():
    # red team, round 3: np.asarray(x, dtype=float) in a reference parses "0.1" and turns None into nan
    X = np.random.RandomState(0).normal(size=(24, 3000))
    inputs = CallInputs((4, X), {})
    hidden = np.random.RandomState(1).normal(size=(13, 400))
    as_strings = [[repr(float(v)) for v in row] for row in hidden]
    assert "shape (13, 400)" in inputs.refusal((as_strings, 0), {})
    padded = [list(row) + [None] for row in hidden]
    assert "shape (13, 401)" in inputs.refusal((padded, 0), {})
    one_string_per_row = [[*row[:-1], str(row[-1])] for row in hidden]
    assert "shape (13, 400)" in inputs.refusal((one_string_per_row, 0), {})
    assert "inside a list" in inputs.refusal((["ab", ["cd"]],), {})
    assert inputs.refusal(("L-BFGS-B", X[:2]), {"method": "short"}) is None
