"""Moving values between the grader and a student's kernel.

Two directions, two trust levels:

* grader → kernel (:func:`dumps_for_kernel`): pickle, because the kernel is the one that
  unpickles and it is only hurting itself if it misbehaves. Functions written in a test cell
  (``lambda x: x**3``) travel by value (marshalled code), modules by name.
* kernel → grader (:func:`encode` / :func:`decode`): plain JSON with tagged NumPy arrays of
  numbers. Never pickle: whatever the kernel sends is data the grader compares, nothing it
  runs. Sizes are capped.
"""

from __future__ import annotations

import base64
import builtins
import io
import marshal
import math
import pickle
import types

import numpy as np

TEST_MODULE = "__course_test__"
MAX_ARRAY_BYTES = 64 * 2**20
MAX_ITEMS = 10_000
MAX_DEPTH = 20
_NUMERIC_KINDS = "biufc"


class UnsupportedValue:
    """Stands for a value of a type the grader does not compare (a generator, a figure...)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<a {self.type_name} object>"


# --------------------------------------------------------------------------------------
# kernel -> grader: data only
# --------------------------------------------------------------------------------------


def encode(value, _depth: int = 0):
    """A JSON-ready description of ``value`` (numbers, strings, arrays, tuples, lists, dicts)."""
    if _depth > MAX_DEPTH:
        return {"__unsupported__": "deeply nested value"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else {"__float__": repr(float(value))}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, complex):
        return {"__complex__": [encode(value.real), encode(value.imag)]}
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.kind not in _NUMERIC_KINDS or arr.nbytes > MAX_ARRAY_BYTES:
            return {"__unsupported__": f"array of dtype {arr.dtype}, shape {arr.shape}"}
        data = base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii")
        return {
            "__ndarray__": {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": data},
            "scalar": isinstance(value, np.generic),
        }
    if isinstance(value, (tuple, list)):
        items = [encode(v, _depth + 1) for v in list(value)[:MAX_ITEMS]]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        pairs = [[str(k), encode(v, _depth + 1)] for k, v in list(value.items())[:MAX_ITEMS]]
        return {"__dict__": pairs}
    fields = getattr(type(value), "__dataclass_fields__", None)
    if fields is not None:
        pairs = [[name, encode(getattr(value, name, None), _depth + 1)] for name in fields]
        return {"__object__": type(value).__name__, "fields": pairs}
    return {"__unsupported__": type(value).__name__}


def decode(data, _depth: int = 0):
    """Inverse of :func:`encode`, validating everything (the input is untrusted)."""
    if _depth > MAX_DEPTH + 2:
        raise ValueError("value nested too deeply")
    if data is None or isinstance(data, (bool, int, float)):
        return data
    if isinstance(data, str):
        return data[:1_000_000]
    if isinstance(data, list):
        return [decode(v, _depth + 1) for v in data[:MAX_ITEMS]]
    if not isinstance(data, dict) or len(data) > 2:
        raise ValueError("malformed value from the kernel")
    if "__float__" in data:
        return float(str(data["__float__"]))
    if "__complex__" in data:
        re, im = (decode(v, _depth + 1) for v in data["__complex__"][:2])
        return complex(float(re), float(im))
    if "__ndarray__" in data:
        spec = data["__ndarray__"]
        dtype = np.dtype(str(spec["dtype"]))
        if dtype.kind not in _NUMERIC_KINDS:
            raise ValueError("array of a non-numeric dtype")
        shape = tuple(int(n) for n in spec["shape"])
        raw = base64.b64decode(str(spec["data"]), validate=True)
        if len(raw) > MAX_ARRAY_BYTES or any(n < 0 for n in shape):
            raise ValueError("array too large")
        arr = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        return arr[()] if data.get("scalar") else arr
    if "__tuple__" in data:
        return tuple(decode(v, _depth + 1) for v in data["__tuple__"][:MAX_ITEMS])
    if "__dict__" in data:
        return {str(k): decode(v, _depth + 1) for k, v in data["__dict__"][:MAX_ITEMS]}
    if "__object__" in data:
        fields = {str(k): decode(v, _depth + 1) for k, v in data["fields"][:MAX_ITEMS]}
        return types.SimpleNamespace(**fields)
    if "__unsupported__" in data:
        return UnsupportedValue(str(data["__unsupported__"])[:200])
    raise ValueError("malformed value from the kernel")


# --------------------------------------------------------------------------------------
# grader -> kernel: pickle, with test-cell functions by value
# --------------------------------------------------------------------------------------


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _rebuild_function(code_bytes, name, global_values, defaults, kwdefaults, closure, selfs):
    """Kernel side of a function sent by value (see :class:`_KernelPickler`)."""
    namespace = {"__builtins__": builtins, "__name__": TEST_MODULE}
    namespace.update(global_values)
    cells = tuple(types.CellType(v) for v in closure) if closure is not None else None
    fn = types.FunctionType(marshal.loads(code_bytes), namespace, name, defaults, cells)
    fn.__kwdefaults__ = kwdefaults
    for self_name in selfs:
        namespace[self_name] = fn
    return fn


def _import_module(name):
    import importlib

    return importlib.import_module(name)


def _by_value(fn) -> bool:
    module = getattr(fn, "__module__", None)
    return module in (TEST_MODULE, "__main__") or "<locals>" in fn.__qualname__


class _KernelPickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, types.ModuleType):
            return _import_module, (obj.__name__,)
        if isinstance(obj, types.FunctionType) and _by_value(obj):
            names = _global_names(obj.__code__)
            glb = obj.__globals__
            values = {n: glb[n] for n in names if n in glb and glb[n] is not obj}
            selfs = [n for n in names if glb.get(n) is obj]
            closure = None
            if obj.__closure__ is not None:
                closure = tuple(c.cell_contents for c in obj.__closure__)
            args = (marshal.dumps(obj.__code__), obj.__name__, values, obj.__defaults__)
            return _rebuild_function, (*args, obj.__kwdefaults__, closure, selfs)
        return NotImplemented


def dumps_for_kernel(obj) -> str:
    """Pickle ``obj`` for the kernel, as ASCII (base64)."""
    buffer = io.BytesIO()
    _KernelPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def loads_in_kernel(text: str):
    """Kernel side of :func:`dumps_for_kernel`."""
    return pickle.loads(base64.b64decode(text))
