"""Entry point: page setup and navigation. Each page lives in pages/.

A session opened from a shared link (``?view=<token>``) is read-only, so the
Data page with upload, rename and delete is not offered to it.
"""

import logging

import streamlit as st

from pages.ui.navigation import entry_page, mark_app_entry
from pages.ui.shared_views import shared_view

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


def _query_params() -> dict[str, list[str]]:
    """Return the URL parameters with every value of a repeated key."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _open_sales() -> None:
    """Serve /sales by switching to the Sales page with the same parameters,
    because Streamlit serves the default page at / only."""
    st.switch_page("pages/sales.py", query_params=_query_params())


def _page(path: str, title: str, icon: str) -> st.Page:
    if path != "pages/sales.py":
        return st.Page(path, title=title, icon=icon)
    # The default page still reserves a pathname, which is "sales" when none
    # is given, so it gets one that nothing links to and /sales is free for
    # the alias above.
    return st.Page(path, title=title, icon=icon, default=True, url_path="home")


navigation = st.navigation(
    [
        *(_page(path, title, icon) for path, (title, icon) in PAGES.items()),
        st.Page(_open_sales, title="Sales", url_path="sales", visibility="hidden"),
    ]
)
requested = entry_page()
if requested in PAGES:
    st.switch_page(requested, query_params=_query_params())
navigation.run()
