"""Real nbgrader on a copy of the course: the LNP class is graded fairly."""

from grading_checks import make_grading_tests

globals().update(make_grading_tests("lnp"))
