"""Entry point: page setup and navigation. Each page lives in pages/."""

import logging

import streamlit as st

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
st.set_page_config(page_title="CRM KPIs", page_icon=":bar_chart:", layout="wide")
navigation = st.navigation(
    [
        st.Page(
            "pages/sales.py", title="Sales", icon=":material/trending_up:", default=True
        ),
        st.Page("pages/service.py", title="Service", icon=":material/support_agent:"),
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    ]
)
navigation.run()
