"""Before and after names the tables it compares when it has none to
compare, so stored orders and spend do not look ignored by mistake."""

from tests.pages.test_period_span import _open, _store_only


def test_undated_tables_name_compared_types(tmp_path, fresh_workspace):
    orders = "Order ID,Customer ID,Created at,Total\n1,c1,2025-01-10,80\n"
    reviews = "Response ID,Score\nr1,9\nr2,4\n"
    files = {"orders.csv": (orders, "orders"), "reviews.csv": (reviews, "nps")}
    _store_only(tmp_path, fresh_workspace, files)
    at = _open("pages/compare.py")
    [error] = at.error
    assert "contain no dates to compare" in error.value
    assert "orders and marketing spend are not compared here" in error.value
