"""Streamlit parts the pages share: workspace access, table choice, shared
views, pickers, cards and downloads.

They sit below pages/ because Streamlit lists every pages/*.py file as a
page until app.py has set up the navigation.
"""
