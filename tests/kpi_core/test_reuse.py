import polars as pl

from kpi_core.reuse import reuse_last_result


def _counting(calls: list[str]):
    @reuse_last_result
    def compute(frame: pl.DataFrame, label: str):
        calls.append(label)
        return frame.height, {"left out": 1}

    return compute


def test_reuse_same_frame_once():
    calls: list[str] = []
    compute = _counting(calls)
    rows = pl.DataFrame({"x": [1, 2]})
    compute(rows, "a")
    compute(rows, "a")
    assert calls == ["a"]


def test_reuse_other_settings_again():
    calls: list[str] = []
    compute = _counting(calls)
    rows = pl.DataFrame({"x": [1, 2]})
    compute(rows, "a")
    compute(rows, "b")
    assert calls == ["a", "b"]


def test_reuse_equal_new_frame_again():
    calls: list[str] = []
    compute = _counting(calls)
    compute(pl.DataFrame({"x": [1, 2]}), "a")
    compute(pl.DataFrame({"x": [1, 2]}), "a")
    assert calls == ["a", "a"]


def test_reuse_keeps_only_last():
    calls: list[str] = []
    compute = _counting(calls)
    rows = pl.DataFrame({"x": [1, 2]})
    for label in ("a", "b", "a"):
        compute(rows, label)
    assert calls == ["a", "b", "a"]


def test_reuse_returns_counts_copy():
    compute = _counting([])
    rows = pl.DataFrame({"x": [1, 2]})
    _height, excluded = compute(rows, "a")
    excluded["added by a caller"] = 2
    assert compute(rows, "a") == (2, {"left out": 1})
