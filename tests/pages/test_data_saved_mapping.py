"""Data page: a mapping the user corrects is saved for files with the same
headers, and going back to the app's guess drops it again."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

# Two won deals created in January and closed in March.
DEALS = b"""Deal ID,Deal Stage,Amount,Create Date,Close Date
D1,Closed Won,100,2024-01-02,2024-03-02
D2,Closed Won,200,2024-01-03,2024-03-03
"""


def _upload(data: bytes) -> tuple[AppTest, str]:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([("deals.csv", data, "text/csv")]).run()
    return at, hashlib.sha256(data).hexdigest()[:16]


def _captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


def test_guess_again_forgets_saved_mapping():
    at, key = _upload(DEALS)
    assert at.selectbox(key=f"{key}:deals:created_at").value == "Create Date"
    at.selectbox(key=f"{key}:deals:created_at").set_value("Close Date").run()
    at.button(key=f"{key}:import").click().run()

    # The next upload of these headers starts from the saved correction.
    at, key = _upload(DEALS.replace(b"D2,", b"D3,"))
    assert at.selectbox(key=f"{key}:deals:created_at").value == "Close Date"
    assert "Using the mapping you saved for files with these columns." in (
        _captions(at)
    )
    at.selectbox(key=f"{key}:deals:created_at").set_value("Create Date").run()
    at.button(key=f"{key}:import").click().run()

    # Back at the guess, the saved mapping is gone.
    at, key = _upload(DEALS.replace(b"D2,", b"D4,"))
    assert at.selectbox(key=f"{key}:deals:created_at").value == "Create Date"
    assert "Using the mapping you saved for files with these columns." not in (
        _captions(at)
    )
