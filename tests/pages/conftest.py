"""AppTest fixtures: every test gets its own empty workspace and fresh caches."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.conftest import PROJECT

APP = str(PROJECT / "app.py")


@pytest.fixture(autouse=True)
def fresh_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_KPI_WORKSPACE", str(tmp_path / "workspace"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path / "workspace"
    st.cache_resource.clear()
    st.cache_data.clear()
