from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP


def _app_with_password() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["editor_password"] = "s3cret"
    return at


def test_data_page_locked_without_password():
    at = _app_with_password().run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert "editor password" in at.info[0].value
    assert not at.get("file_uploader")
    assert not at.dataframe


def test_wrong_password_keeps_lock():
    at = _app_with_password().run()
    at.switch_page("pages/data.py").run()
    at.sidebar.text_input(key="_password").input("guess").run()
    assert at.sidebar.error[0].value == "Wrong password."
    assert not at.get("file_uploader")


def test_right_password_unlocks_upload_and_share():
    at = _app_with_password().run()
    assert not [b for b in at.sidebar.button if b.key == "share"]
    at.switch_page("pages/data.py").run()
    at.sidebar.text_input(key="_password").input("s3cret").run()
    assert at.get("file_uploader")
    at.switch_page("pages/sales.py").run()
    assert [b for b in at.sidebar.button if b.key == "share"]


def test_no_password_runs_open():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert at.get("file_uploader")
