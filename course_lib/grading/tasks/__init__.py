"""Public cases of the graded tasks, one module per notebook (``nNN.py``).

Each module registers its tasks with :func:`course_lib.grading.checker.register`. Expected
values come from an independent reference (an analytic derivative, ``numpy.polyfit``,
``numpy.linalg.lstsq``, a formula written out here), never from the ``course_lib`` function a
task switches off. Functions passed to a student's function are module-level, so the grader
can send them to the student's kernel by name. Students may read these cases; the hidden
tests live only in ``solutions/``.
"""
