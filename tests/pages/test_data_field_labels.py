"""Data page: the column mapping and its messages name each field by its
label, such as "Created date", and keep the field name in widget keys."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

DEALS = (
    "Deal ID,Deal Stage,Amount,Create Date,First contact\n"
    "D1,Closed Won,100,2024-01-02,2023-12-20\n"
    "D2,Closed Lost,200,2024-01-03,2023-12-21\n"
)


def _upload(tmp_path, name: str, text: str) -> tuple[AppTest, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    data = path.read_bytes()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    return at, hashlib.sha256(data).hexdigest()[:16]


def test_mapping_boxes_show_labels(tmp_path):
    at, key = _upload(tmp_path, "deals.csv", DEALS)

    created = at.selectbox(key=f"{key}:deals:created_at")
    assert created.label == "Created date *"
    assert created.value == "Create Date"
    assert "Field name: `created_at`." in created.help
    assert created.help.startswith("Date the deal entered the pipeline")
    assert at.selectbox(key=f"{key}:deals:deal_id").label == "Deal ID"
    first_contact = at.selectbox(key=f"{key}:deals:first_contact_at")
    assert first_contact.label == "First contact date"
    assert at.selectbox(key=f"{key}:deals:stage").label == "Stage *"
    labels = [box.label for box in at.selectbox]
    for name in ("created_at", "deal_id", "first_contact_at", "closed_at"):
        assert not any(label.startswith(name) for label in labels)


def test_missing_column_error_names_label(tmp_path):
    text = DEALS.replace(",Create Date", ",Notes")
    at, key = _upload(tmp_path, "deals.csv", text)

    assert at.selectbox(key=f"{key}:deals:created_at").value == "(not in the file)"
    errors = [error.value for error in at.error]
    assert len(errors) == 1
    assert "no column found for Created date (for example" in errors[0]
    assert "created\\_at" not in errors[0]
    assert "created_at" not in errors[0]


def test_shared_column_warning_names_labels(tmp_path):
    at, key = _upload(tmp_path, "deals.csv", DEALS)

    at.selectbox(key=f"{key}:deals:closed_at").set_value("Create Date").run()

    warnings = [warning.value for warning in at.warning]
    shared = [text for text in warnings if "feeds several fields" in text]
    assert len(shared) == 1
    assert "(Created date, Close date)" in shared[0]
