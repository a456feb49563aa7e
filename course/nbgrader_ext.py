"""nbgrader preprocessors that split autograding into execute and record.

nbgrader's ``autograde`` sanitizes a submission (restores locked cells and
hidden tests from the gradebook), executes it, and records the grades, all in
one process that writes the gradebook. To run submissions in parallel and in
a sandbox, the course runs ``autograde`` twice per submission (through
nbgrader's Python API, in one thread of the grader: ``course.grading.NbgraderPhase``),
with the Execute step swapped out:

1. ``ExportForExecution`` saves each sanitized notebook for a worker;
2. workers execute them, each in its own sandboxed kernel, with the test
   cells run by the grader itself (``course.execute``, ``course.bridge``);
3. ``ReplayOutputs`` puts the workers' outputs back and nbgrader's own
   ``SaveAutoGrades`` records the grades, from that one writer thread.
"""

import nbformat
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Unicode

from nbgrader.preprocessors import NbGraderPreprocessor

from course.contract import Paths, Result

HIDDEN_NOTE = "# (hidden tests: not shown in feedback)\n"


def _paths(work_dir, resources):
    info = resources["nbgrader"]
    return Paths(work_dir, info["assignment"]), info["student"], f"{info['notebook']}.ipynb"


class ExportForExecution(NbGraderPreprocessor):
    """Save the sanitized notebook where a grading worker will pick it up."""

    work_dir = Unicode("", help="The course's grading scratch folder").tag(config=True)

    def preprocess(self, nb, resources):
        paths, student, name = _paths(self.work_dir, resources)
        path = paths.sanitized(student, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))
        return nb, resources


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class ReplayOutputs(NbGraderPreprocessor):
    """Copy outputs from the worker's result into the notebook being graded.

    Test cells get the outputs the grader produced when it ran them (never
    the kernel's). If the worker could not grade the submission (time
    limit, resource limit, dead kernel), every test cell without a verdict
    gets an error output that says why, so nbgrader records 0 for it and
    the reason reaches the feedback.
    """

    work_dir = Unicode("", help="The course's grading scratch folder").tag(config=True)

    def preprocess(self, nb, resources):
        paths, student, name = _paths(self.work_dir, resources)
        try:
            result = Result.read(paths.result(student, name))
        except (OSError, ValueError, TypeError):
            result = Result(name, status="not-executed", message="the grading worker produced no result")
        executed = nbformat.from_dict(result.notebook) if result.notebook else None
        if executed is not None and len(executed.cells) == len(nb.cells):
            for cell, done in zip(nb.cells, executed.cells):
                if cell.cell_type == "code" and done.cell_type == "code" and cell.source == done.source:
                    cell.outputs = done.get("outputs", [])
                    cell.execution_count = done.get("execution_count")
        # A test cell without the grader's verdict would score full marks (nbgrader counts no
        # output as a pass): every test cell the worker did not run gets an error.
        reason = (f"{result.status}: {result.message}" if result.status != "ok"
                  else "the grader did not run this test")
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not (cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")):
                continue
            has_error = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            if (result.status != "ok" or meta.get("grade_id") not in result.tests_run) and not has_error:
                cell.setdefault("outputs", []).append(error_output("SubmissionNotGraded", reason))
        return nb, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback preprocessor: remove hidden tests and expected values.

    Students see which test cells failed and the first line of the error
    message (our checks put expected values on later lines), never the hidden
    tests' code. Set ``HideHiddenTests.enabled = False`` to show everything.
    """

    enabled = Bool(True, help="Hide hidden tests and tracebacks in feedback").tag(config=True)
    begin = Unicode("### BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("### END HIDDEN TESTS").tag(config=True)

    def hidden_lines(self, nb):
        """Substantial lines of every hidden-test block in the notebook."""
        lines = set()
        for cell in nb.cells:
            hiding = False
            for line in cell.source.splitlines():
                if self.begin in line:
                    hiding = True
                elif self.end in line:
                    hiding = False
                elif hiding and len(line.strip()) >= 20:
                    lines.add(line.strip())
        return lines

    def scrub_outputs(self, cell, secret_lines):
        """Student code can print executed cells (``In``, ``%history``): hide such outputs."""
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [v for v in output.get("data", {}).values() if isinstance(v, str)]
            if any(line in text for text in texts for line in secret_lines):
                output.pop("data", None)
                output.pop("text", None)
                if output.output_type == "stream":
                    output.text = "[output hidden: it contains the code of hidden tests]\n"
                elif output.output_type in ("display_data", "execute_result"):
                    output.data = {"text/plain": "[output hidden: it contains the code of hidden tests]"}

    def preprocess(self, nb, resources):
        if not self.enabled:
            return nb, resources
        secret_lines = self.hidden_lines(nb)
        for cell in nb.cells:
            self.scrub_outputs(cell, secret_lines)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            if self.begin in cell.source:
                kept, hiding = [], False
                for line in cell.source.splitlines(keepends=True):
                    if self.begin in line:
                        hiding = True
                        kept.append(HIDDEN_NOTE)
                    elif self.end in line:
                        hiding = False
                    elif not hiding:
                        kept.append(line)
                cell.source = "".join(kept)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    first_line = (str(output.evalue).strip().splitlines() or [""])[0]
                    output.evalue = first_line
                    output.traceback = [f"{output.ename}: {first_line}"]
        return nb, resources


# -- nbgrader's metadata check, with its JSON schema checked once ----------------------

class _SchemaCheckedOnce:
    """``validate_cell`` of nbgrader's base validator without re-checking the schema each time.

    ``jsonschema.validate`` checks the *schema* before every instance; nbgrader
    calls it for every cell of every notebook, three times per submission
    (sanitize, record and the record's own check), and the schema check is
    nine tenths of that work. Same errors, raised the same way (best match).
    """

    _validators = {}

    def validate_cell(self, cell):
        import jsonschema

        from nbgrader.nbgraderformat.common import SchemaTooNewError, SchemaTooOldError

        if "nbgrader" not in cell.metadata:
            return
        schema = cell.metadata["nbgrader"].get("schema_version", 0)
        if schema < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {schema} (expected {self.schema_version})",
                                    schema, self.schema_version)
        if schema > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {schema} (expected {self.schema_version})",
                                    schema, self.schema_version)
        validator = self._validators.get(self.schema_version)
        if validator is None:
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            validator = self._validators[self.schema_version] = cls(self.schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


def _fast_validator_class():
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import BaseMetadataValidator

    # MetadataValidator (v3) calls super().validate_cell: with this order that is ours, not the base's
    class Base(_SchemaCheckedOnce, BaseMetadataValidator):
        pass

    class FastMetadataValidator(MetadataValidator, Base):
        pass

    return FastMetadataValidator


class CheckCellMetadata(NbGraderPreprocessor):
    """nbgrader's ``CheckCellMetadata``, with the schema checked once per process."""

    _validator_class = None

    def preprocess(self, nb, resources):
        import traceback

        from nbgrader.nbgraderformat import ValidationError

        if CheckCellMetadata._validator_class is None:
            CheckCellMetadata._validator_class = _fast_validator_class()
        try:
            CheckCellMetadata._validator_class().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg)
        return nb, resources
