"""CRM KPI computations: reading exports, mapping columns, computing KPIs.

This package never imports Streamlit, so the CLI, the tests and the pages
share one implementation.
"""
