"""Real nbgrader on a copy of the course: the MEIs vs Gabors class is graded fairly."""

from grading_checks import make_grading_tests

globals().update(make_grading_tests("mei_vs_gabor"))
