"""Frames and plain-data values shared by the trusted process and the sandbox.

A frame is `!II` (header length, buffer count), one `!Q` size per buffer, a JSON
header, then the raw buffers. Values are JSON with tagged objects:

- tensors   {"$tensor": i, "dtype": "float32", "shape": [2, 3]} -> buffer i holds the bytes
- ndarrays  {"$ndarray": i, "dtype": "float32", "shape": [...]}
- tuples    {"$tuple": [...]}, dicts {"$dict": [[key, value], ...]} (str keys)
- floats    {"$float": "nan" | "inf" | "-inf"} (JSON has no NaN)

Decoding checks every dtype, shape and size against the bytes received; a value
that is not plain data is refused with `NotPlainData`, never reconstructed.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from typing import Any

MAX_HEADER = 16 * 1024 * 1024
MAX_PAYLOAD = 256 * 1024 * 1024  # a returned value larger than 256 MiB is refused
MAX_DEPTH = 32
MAX_ITEMS = 100_000

DTYPES = {
    "bool": 1, "uint8": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
    "float16": 2, "bfloat16": 2, "float32": 4, "float64": 8,
    "complex64": 8, "complex128": 16,
}


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed frame."""


class NotPlainData(Exception):
    """A value that cannot cross the boundary (an arbitrary object, a tensor subclass...)."""


# --- frames ---------------------------------------------------------------------


def pack(header: dict[str, Any], buffers: list[bytes] = ()) -> list[bytes]:
    head = json.dumps(header, allow_nan=False, ensure_ascii=False).encode("utf-8")
    sizes = struct.pack(f"!{len(buffers)}Q", *(len(b) for b in buffers))
    return [struct.pack("!II", len(head), len(buffers)) + sizes + head, *buffers]


def parse_prefix(prefix: bytes) -> tuple[int, int]:
    head_len, count = struct.unpack("!II", prefix)
    if head_len > MAX_HEADER or count > MAX_ITEMS:
        raise ProtocolError("frame header too large")
    return head_len, count


def parse_sizes(raw: bytes, count: int) -> list[int]:
    sizes = list(struct.unpack(f"!{count}Q", raw))
    if sum(sizes) > MAX_PAYLOAD:
        raise ProtocolError(f"returned data larger than {MAX_PAYLOAD // 2**20} MiB")
    return sizes


def parse_header(raw: bytes) -> dict[str, Any]:
    try:
        header = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as err:  # includes JSON and UTF-8 errors
        raise ProtocolError(f"malformed frame: {err}") from err
    if not isinstance(header, dict):
        raise ProtocolError("malformed frame: header is not an object")
    return header


# --- values ---------------------------------------------------------------------


def encode(value: Any, buffers: list[bytes]) -> Any:
    """Turn a value into JSON-able data, appending tensor bytes to `buffers`."""
    return _encode(value, buffers, 0)


def _encode(value: Any, buffers: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise NotPlainData("nested more than 32 levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"$float": repr(float(value))}
        return float(value)
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise NotPlainData(f"a sequence of {len(value)} items")
        items = [_encode(v, buffers, depth + 1) for v in value]
        return items if type(value) is list else {"$tuple": items}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotPlainData("a dict whose keys are not all strings")
        return {"$dict": [[k, _encode(v, buffers, depth + 1)] for k, v in value.items()]}
    torch = sys.modules.get("torch")
    module = type(value).__module__
    if module.startswith("torch") or (torch is not None and isinstance(value, torch.Tensor)):
        return _encode_tensor(value, buffers)
    if module.startswith("numpy"):
        return _encode_numpy(value, buffers)
    raise NotPlainData(f"an object of type {_type_name(value)}")


def _encode_tensor(value: Any, buffers: list[bytes]) -> Any:
    import torch

    if type(value) not in (torch.Tensor, torch.nn.Parameter):
        if isinstance(value, torch.Tensor):
            raise NotPlainData(f"a torch.Tensor subclass ({_type_name(value)})")
        raise NotPlainData(f"an object of type {_type_name(value)}")
    t = torch.Tensor.detach(value)
    if t.device.type != "cpu":
        t = t.cpu()
    if t.is_sparse or t.layout != torch.strided:
        raise NotPlainData("a sparse tensor")
    t = t.resolve_conj().resolve_neg().contiguous()
    dtype = str(t.dtype).removeprefix("torch.")
    if dtype not in DTYPES:
        raise NotPlainData(f"a tensor of dtype {dtype}")
    data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
    buffers.append(data)
    return {"$tensor": len(buffers) - 1, "dtype": dtype, "shape": list(t.shape)}


def _encode_numpy(value: Any, buffers: list[bytes]) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return _encode(value.item(), buffers, 0)
    if type(value) is not np.ndarray:
        raise NotPlainData(f"an object of type {_type_name(value)}")
    dtype = str(value.dtype)
    if dtype not in DTYPES or dtype == "bfloat16":
        raise NotPlainData(f"a numpy array of dtype {dtype}")
    buffers.append(np.ascontiguousarray(value).tobytes())
    return {"$ndarray": len(buffers) - 1, "dtype": dtype, "shape": list(value.shape)}


def decode(data: Any, buffers: list[bytes]) -> Any:
    """Rebuild a value from plain data; refuses anything malformed."""
    return _decode(data, buffers, 0)


def _decode(data: Any, buffers: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [_decode(v, buffers, depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) == 0:
        raise ProtocolError("malformed value")
    if "$tuple" in data:
        return tuple(_decode(v, buffers, depth + 1) for v in _expect_list(data["$tuple"]))
    if "$dict" in data:
        out = {}
        for pair in _expect_list(data["$dict"]):
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ProtocolError("malformed dict entry")
            out[pair[0]] = _decode(pair[1], buffers, depth + 1)
        return out
    if "$float" in data:
        text = data["$float"]
        if text not in ("nan", "inf", "-inf"):
            raise ProtocolError("malformed float")
        return float(text)
    if "$tensor" in data or "$ndarray" in data:
        return _decode_array(data, buffers)
    raise ProtocolError("unknown tagged value")


def _expect_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ProtocolError("malformed value")
    return value


def _decode_array(data: dict[str, Any], buffers: list[bytes]) -> Any:
    is_tensor = "$tensor" in data
    index = data["$tensor"] if is_tensor else data["$ndarray"]
    dtype, shape = data.get("dtype"), data.get("shape")
    if not (isinstance(index, int) and 0 <= index < len(buffers)):
        raise ProtocolError("tensor refers to a missing buffer")
    if dtype not in DTYPES:
        raise ProtocolError(f"unknown dtype {dtype!r}")
    if not (isinstance(shape, list) and all(isinstance(s, int) and s >= 0 for s in shape)):
        raise ProtocolError("malformed shape")
    if len(shape) > 16:
        raise ProtocolError("too many dimensions")
    numel = math.prod(shape)
    raw = buffers[index]
    if numel * DTYPES[dtype] != len(raw):
        raise ProtocolError(f"shape {shape} and {dtype} do not match {len(raw)} bytes")
    if is_tensor:
        import torch

        tdtype = getattr(torch, dtype)
        if numel == 0:
            return torch.empty(shape, dtype=tdtype)
        return torch.frombuffer(bytearray(raw), dtype=tdtype).reshape(shape)
    import numpy as np

    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _type_name(value: Any) -> str:
    t = type(value)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
