"""Marketing page: tables without a currency column are named, because
their amounts are read as EUR."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

ORDERS = b"Order ID,Customer,Order date,Total\n1,a,2025-01-10,50\n2,b,2025-02-10,70\n"
ORDERS_USD = (
    b"Order ID,Customer,Order date,Total,Currency\n"
    b"1,a,2025-01-10,50,USD\n2,b,2025-02-10,70,USD\n"
)
SPEND = b"Day,Campaign,Cost\n2025-01-15,Brand,600\n"


def _marketing(files: list[tuple[str, bytes]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    for name, data in files:
        at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
        [button] = [b for b in at.button if b.label.startswith("Import")]
        button.click().run()
        assert not at.exception
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    return at


def _captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


def test_tables_without_currency_named(fresh_workspace):
    at = _marketing([("orders.csv", ORDERS), ("spend.csv", SPEND)])
    assert (
        "'orders' and 'spend' have no currency column, so the amounts are read "
        "as EUR. If they are in another currency, upload the file again on the "
        "Data page and choose its currency there."
    ) in _captions(at)


def test_table_with_currency_not_named(fresh_workspace):
    at = _marketing([("orders.csv", ORDERS_USD)])
    assert not [c for c in _captions(at) if "no currency column" in c]
