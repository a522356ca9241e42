"""The grader's agent inside a student's kernel.

The grader starts the kernel, runs ``import course_lib.grading._agent`` as the first cell
(before any student code) and then, for each test cell, asks the agent to call a student's
function on arguments the grader sends (:meth:`Agent.call`) or to describe a name
(:meth:`Agent.describe`). Answers go back as display data of type :data:`MIME`, encoded as
plain data (:func:`course_lib.grading._values.encode`).

Nothing here is trusted by the grader: a student can replace or break the agent, which only
changes the data the grader receives. Expected values never enter the kernel.
"""

from __future__ import annotations

import traceback
import types
from pathlib import Path

from course_lib.grading._blocking import blocking
from course_lib.grading._values import encode, loads_in_kernel

MIME = "application/x-course-grading+json"
_INTERNAL = (str(Path(__file__).resolve()), str(Path(__file__).resolve().parent / "_blocking.py"))
_MAX_TRACEBACK = 6000


def describe_exception(exc: BaseException) -> dict:
    """Type, message and the student's traceback (the agent's own frames removed)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename in _INTERNAL:
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    bases = [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"]
    return {
        "type": type(exc).__name__,
        "builtin_bases": bases,
        "message": str(exc)[:2000],
        "traceback": text[-_MAX_TRACEBACK:],
    }


class Agent:
    """Calls student functions for the grader and publishes the results as data."""

    def __init__(self, shell):
        self.shell = shell
        from IPython.display import publish_display_data

        self._publish = publish_display_data

    def _reply(self, payload: dict) -> None:
        self._publish({MIME: payload})

    def call(self, name: str, payload: str) -> None:
        """Call ``name(*args, **kwargs)`` with the library functions in ``block`` switched off."""
        fn = self.shell.user_ns.get(name)
        if fn is None:
            self._reply(
                {
                    "error": {
                        "type": "NameError",
                        "builtin_bases": ["NameError"],
                        "message": f"name {name!r} is not defined",
                        "traceback": "",
                    }
                }
            )
            return
        try:
            args, kwargs, block = loads_in_kernel(payload)
            with blocking(block):
                value = fn(*args, **kwargs)
            answer = {"ok": encode(value)}
        except BaseException as exc:  # noqa: BLE001 - reported to the grader
            answer = {"error": describe_exception(exc)}
        self._reply(answer)

    def describe(self, name: str) -> None:
        """What ``name`` is in the student's namespace: callable, module, data or missing."""
        if name not in self.shell.user_ns:
            self._reply({"kind": "missing"})
            return
        value = self.shell.user_ns[name]
        if isinstance(value, types.ModuleType):
            self._reply({"kind": "module", "module": value.__name__})
        elif callable(value):
            self._reply({"kind": "callable"})
        else:
            self._reply({"kind": "value", "value": encode(value)})


def install(shell) -> Agent:
    """Put the agent into the kernel's namespace as ``__course_agent__``."""
    agent = Agent(shell)
    shell.user_ns["__course_agent__"] = agent
    shell.user_ns_hidden["__course_agent__"] = agent
    return agent
