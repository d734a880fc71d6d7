"""Entry point: page setup and navigation. Each page lives in pages/.

A session opened from a shared link (``?view=<token>``) is read-only, so the
Data page with upload, rename and delete is not offered to it.
"""

import logging

import streamlit as st

from pages.common import shared_view

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
st.set_page_config(page_title="CRM KPIs", page_icon=":bar_chart:", layout="wide")
pages = [
    st.Page(
        "pages/sales.py", title="Sales", icon=":material/trending_up:", default=True
    ),
    st.Page("pages/marketing.py", title="Marketing", icon=":material/campaign:"),
    st.Page("pages/service.py", title="Service", icon=":material/support_agent:"),
    st.Page("pages/goals.py", title="Goals", icon=":material/flag:"),
    st.Page("pages/compare.py", title="Before and after", icon=":material/compare:"),
    st.Page("pages/whatif.py", title="What if", icon=":material/tune:"),
]
if shared_view() is None:
    pages.append(st.Page("pages/data.py", title="Data", icon=":material/upload_file:"))
st.navigation(pages).run()
