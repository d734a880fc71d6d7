import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.sharing import ViewStore


def test_create_and_get_view(tmp_path):
    store = ViewStore(tmp_path)
    view = store.create(
        "service", "Service", {"period": "this_year", "grain": "quarter"}
    )
    assert len(view.token) == 32
    loaded = ViewStore(tmp_path).get(view.token)
    assert loaded.page == "service"
    assert loaded.settings == {"period": "this_year", "grain": "quarter"}


def test_tokens_are_unique(tmp_path):
    store = ViewStore(tmp_path)
    tokens = {store.create("", "Sales", {}).token for _ in range(20)}
    assert len(tokens) == 20


def test_revoked_view_rejected(tmp_path):
    store = ViewStore(tmp_path)
    view = store.create("", "Sales", {})
    store.revoke(view.token)
    with pytest.raises(InvalidSettingError, match="this link was revoked on"):
        store.get(view.token)
    assert store.list()[0].active is False


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "x" * 31, "a" * 32])
def test_bad_tokens_rejected(tmp_path, token):
    with pytest.raises(InvalidSettingError, match="ask for a new one"):
        ViewStore(tmp_path).get(token)
