"""Reusable science for the neural data analysis course.

Each tutorial has its own subpackage (``helpers.correlations``, ...), split by
concern into simulation, estimation, plotting and widget modules. Nothing in
here solves a graded exercise: students may call every function freely.
"""

__version__ = "0.1.0"
