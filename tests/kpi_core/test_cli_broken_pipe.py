"""The command line ends quietly when the reader of its output closes the
pipe early, as ``python -m kpi_core report FILE | head -c 100`` does."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import PROJECT

CAMPAIGNS = 4000
# The status a shell reports for a command ended by SIGPIPE: 128 + 13.
SIGPIPE_STATUS = 141


def _orders_csv() -> str:
    """Return an orders CSV of ``CAMPAIGNS`` campaigns, one order each. The
    report lists the revenue of every campaign, about 125 KB of JSON, which
    is more than a Linux pipe buffer (64 KiB by default) takes in."""
    lines = ["Order ID,Order date,Customer ID,Total,Currency,Channel,utm_campaign"]
    for index in range(CAMPAIGNS):
        day = 1 + index % 28
        lines.append(
            f"O{index},2025-01-{day:02d},C{index},10.00,EUR,Email,Campaign {index:04d}"
        )
    return "\n".join(lines) + "\n"


def test_reader_closing_early_ends_quietly(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(_orders_csv(), encoding="utf-8")

    process = subprocess.Popen(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    head = process.stdout.read(100)
    process.stdout.close()
    errors = process.stderr.read().decode()
    process.stderr.close()
    status = process.wait(timeout=120)

    assert head.startswith(b"{")
    assert errors == ""
    # The status shows that the report was cut off by the closed pipe,
    # rather than written in full into the pipe buffer.
    assert status == SIGPIPE_STATUS
