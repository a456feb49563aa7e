"""Real nbgrader on a copy of the course: the correlated-regressors class is graded fairly."""

from grading_checks import make_grading_tests

globals().update(make_grading_tests("correlated_regressors"))
