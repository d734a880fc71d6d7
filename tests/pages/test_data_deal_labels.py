"""Data page: the warning for deals whose labels give no won and no lost
deal, shown with the upload and still after its import."""

import hashlib

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_deal_labels import RENAMED_STAGES, RENAMED_WARNING
from tests.pages.conftest import APP

SHOWN = RENAMED_WARNING[:1].upper() + RENAMED_WARNING[1:]


def _upload(at: AppTest, name: str, data: bytes) -> str:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def test_unknown_labels_warned_on_upload(tmp_path):
    path = tmp_path / "hubspot_deals.csv"
    path.write_bytes(RENAMED_STAGES.encode("cp1252"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, path.name, path.read_bytes())
    assert not at.exception
    assert SHOWN in [warning.value for warning in at.warning]

    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert at.success[0].value == "Imported 7 rows as 'hubspot_deals'."
    assert SHOWN in [warning.value for warning in at.warning]


def test_known_labels_not_warned(tmp_path):
    text = RENAMED_STAGES.replace("Zusage", "Gewonnen").replace("Absage", "Verloren")
    path = tmp_path / "hubspot_deals.csv"
    path.write_bytes(text.encode("cp1252"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, path.name, path.read_bytes())
    assert not at.exception
    assert not [w.value for w in at.warning if "reads as won or lost" in w.value]
