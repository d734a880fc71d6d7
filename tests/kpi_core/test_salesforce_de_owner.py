"""The German Salesforce opportunity report names the owner
"Verkaufschancen-Inhaber", which maps to the deal owner."""

from __future__ import annotations

from kpi_core.importing import load_file


def test_german_owner_header_mapped(tmp_path):
    path = tmp_path / "opps.csv"
    path.write_text(
        '"Verkaufschancenname","Phase","Betrag","Erstelldatum",'
        '"Verkaufschancen-Inhaber"\n'
        '"SF-1","Geschlossen und gewonnen","EUR 1.200,00","01.02.2025","Anna Groß"\n',
        encoding="utf-8",
    )
    table = load_file(path.name, path.read_bytes())
    assert table.mapping.columns["owner"] == "Verkaufschancen-Inhaber"
    assert table.frame["owner"].to_list() == ["Anna Groß"]
