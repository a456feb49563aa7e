"""Instructor tooling for the course: a small CLI around nbgrader.

Run ``python -m course --help``. nbgrader does the work (generating
assignments, sanitizing submissions, recording grades, feedback, export);
this package adds what a class needs on top: isolated and parallel
execution of submissions, tests decided outside the student's process,
limits, and a grade report.
"""
