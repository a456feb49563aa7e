"""A student who keeps every input the grader gives their functions and asks every reference about them.

Its answers are the model answers, each wrapped: a call first records its
arguments, then asks every reference function that a test put in place of one
of the student's functions (``helpers.checks.replace_in_student_code``) about
all the inputs that function was given before. A reference that answered
would hand over the expected values of another test (course.bridge_policy).
The last cell prints how many questions were answered and refused.
"""

import ast

import nbformat

from course import notebooks as nbtools

STUDENT = "oracle_keeper"
PRELUDE = '''
import functools as _functools
_KEPT_INPUTS, _ORACLE = {}, {"answered": [], "refused": 0, "failed": 0}

def _ask_references(current):
    for _name, _value in list(globals().items()):
        if not (callable(_value) and getattr(_value, "__name__", "") == "reference_function"):
            continue
        for _inputs in _KEPT_INPUTS.get(_name, []):
            try:
                _value(*_inputs[0], **_inputs[1])
                _shapes = [getattr(_v, "shape", type(_v).__name__) for _v in [*_inputs[0], *_inputs[1].values()]]
                _ORACLE["answered"].append(f"{_name}{_shapes} asked in {len(current[0])}-argument call")
            except Exception as _error:
                if "answers only about" in str(_error):
                    _ORACLE["refused"] += 1
                else:
                    _ORACLE["failed"] += 1

def _keep(name, function):
    @_functools.wraps(function)
    def kept(*args, **kwargs):
        _KEPT_INPUTS.setdefault(name, []).append((args, kwargs))
        _ask_references((args, kwargs))
        return function(*args, **kwargs)
    return kept
'''
REPORT = ('print("ORACLE answered", len(_ORACLE["answered"]), sorted(set(map(str, _ORACLE["answered"]))), '
          '"refused", _ORACLE["refused"], "failed", _ORACLE["failed"])')


def _functions(code):
    return [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]


def keeper_notebook(source, release):
    """The oracle keeper's notebook for one assignment notebook."""
    answers = nbtools.reference_answers(source)
    code_cells = {nbtools.grade_id(c) for c in source.cells if c.cell_type == "code" and nbtools.is_answer(c)}
    first = True
    for grade_id in [gid for gid in answers if gid in code_cells]:
        names = _functions(answers[grade_id])
        wrapped = answers[grade_id] + "".join(f"\n{name} = _keep({name!r}, {name})" for name in names)
        answers[grade_id] = (PRELUDE + wrapped) if first else wrapped
        first = False
    notebook = nbtools.fill_answers(release, answers)
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT))
    return notebook
