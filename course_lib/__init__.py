"""course_lib: the numerics behind the course on gradient-based optimization.

One module per idea of the lectures (see ``shared/design.md``):

``objectives``     functions to minimise, with exact gradient and Hessian
``derivatives``    finite differences
``descent``        gradient descent, line search, momentum, Newton
``stochastic``     minibatches and SGD
``curvature``      Hessian eigenvalues, condition number, stability limits
``closed_form``    normal equations and friends

Importing the package is light: it pulls in NumPy only. ``plots`` and ``widgets``
(matplotlib, ipywidgets) are imported explicitly by the lectures that use them.
"""

from course_lib.trajectory import Trajectory

__all__ = ["Trajectory"]
__version__ = "0.1.0"
