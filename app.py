"""Entry point: page setup and navigation. Each page lives in pages/.

A session opened from a shared link (``?view=<token>``) is read-only, so the
Data page with upload, rename and delete is not offered to it.
"""

import logging

import streamlit as st

from pages.common import entry_page, mark_app_entry, shared_view

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
st.set_page_config(page_title="CRM KPIs", page_icon=":bar_chart:", layout="wide")
mark_app_entry()
PAGES = {
    "pages/sales.py": ("Sales", ":material/trending_up:"),
    "pages/marketing.py": ("Marketing", ":material/campaign:"),
    "pages/service.py": ("Service", ":material/support_agent:"),
    "pages/goals.py": ("Goals", ":material/flag:"),
    "pages/compare.py": ("Before and after", ":material/compare:"),
    "pages/whatif.py": ("What if", ":material/tune:"),
    "pages/data.py": ("Data", ":material/upload_file:"),
}
if shared_view() is not None:
    del PAGES["pages/data.py"]
navigation = st.navigation(
    [
        st.Page(path, title=title, icon=icon, default=path == "pages/sales.py")
        for path, (title, icon) in PAGES.items()
    ]
)
requested = entry_page()
if requested in PAGES:
    st.switch_page(requested, query_params=st.query_params.to_dict())
navigation.run()
