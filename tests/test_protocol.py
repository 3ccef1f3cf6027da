"""Only plain data crosses the sandbox boundary, and malformed data is refused."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_practice.grader.sandbox import protocol


def roundtrip(value):
    buffers: list[bytes] = []
    data = protocol.encode(value, buffers)
    return protocol.decode(data, buffers)


def test_tensors_and_containers_roundtrip() -> None:
    value = (torch.randn(2, 3, dtype=torch.float64), [1, 2.5, float("nan")], {"k": torch.tensor(True)},
             torch.empty(0, 4), torch.arange(6).reshape(2, 3).T, None, "text")
    back = roundtrip(value)
    assert isinstance(back, tuple) and torch.equal(back[0], value[0])
    assert back[1][0] == 1 and np.isnan(back[1][2])
    assert back[2]["k"].item() is True and back[3].shape == (0, 4)
    assert torch.equal(back[4], value[4])


def test_numpy_arrays_stay_numpy() -> None:
    back = roundtrip(np.ones((2, 2), dtype=np.float32))
    assert isinstance(back, np.ndarray) and back.dtype == np.float32


def test_objects_and_tensor_subclasses_are_refused() -> None:
    class Liar(torch.Tensor):
        pass

    with pytest.raises(protocol.NotPlainData):
        protocol.encode(object(), [])
    with pytest.raises(protocol.NotPlainData):
        protocol.encode(torch.randn(2).as_subclass(Liar), [])


@pytest.mark.parametrize("data,buffers", [
    ({"$tensor": 0, "dtype": "float32", "shape": [3]}, [b"\x00" * 8]),
    ({"$tensor": 1, "dtype": "float32", "shape": [1]}, [b"\x00" * 4]),
    ({"$tensor": 0, "dtype": "object", "shape": [1]}, [b"\x00" * 4]),
    ({"$tensor": 0, "dtype": "float32", "shape": [-1]}, [b""]),
    ({"$pickle": "gASV"}, []),
    ({"$float": "1e999"}, []),
])
def test_malformed_values_are_refused(data, buffers) -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(data, buffers)


def test_malformed_header_is_refused() -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_header(b"\xff not json")
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_header(b"[1, 2]")
