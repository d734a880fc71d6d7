"""Polars Series that share the memory of a file's bytes, for whole-file scans."""

from __future__ import annotations

import polars as pl
import pyarrow as pa


def byte_series(data: bytes) -> pl.Series:
    """Return the bytes as a UInt8 Series that shares the memory of ``data``."""
    values = pa.Array.from_buffers(pa.uint8(), len(data), [None, pa.py_buffer(data)])
    return series_of(values)


class _ArrowExport:
    """A PyArrow array seen only through the Arrow PyCapsule interface."""

    def __init__(self, array: pa.Array) -> None:
        self.array = array

    def __arrow_c_array__(self, requested_schema: object = None) -> tuple:
        return self.array.__arrow_c_array__(requested_schema)


def series_of(array: pa.Array) -> pl.Series:
    """Wrap a PyArrow array in a Series without copying its buffers.

    ``pl.Series(array)`` would do the same, but Polars 2.1 then imports
    ``pyarrow.compute``, which took 0.07-0.15 s once per process on the
    2-core benchmark machine.
    """
    return pl.Series(_ArrowExport(array))
