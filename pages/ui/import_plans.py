"""The target of an import as the Import button showed it, and what other
sessions changed about it before the click."""

from __future__ import annotations

from dataclasses import dataclass

from kpi_core.formatting import count_noun
from kpi_core.workspace import TableEntry
from pages.ui.workspace_access import workspace


@dataclass(frozen=True)
class Plan:
    """The target of an import: a new table, or a stored table to replace
    (``replace_id``, named ``replaced``)."""

    replace_id: str | None
    name: str
    replaced: str | None = None


@dataclass(frozen=True)
class ShownPlan:
    """The plans an Import button was drawn with, the name box's value, and
    the version of each table the plans replace."""

    name: str
    main: Plan
    paired: Plan | None
    versions: dict[str, int]
    # The file lines of the repeated spend rows that the import leaves out.
    left_out: tuple[int, ...] = ()


def plan_changes(
    shown: ShownPlan,
    main: Plan,
    paired: Plan | None,
    key: str,
    paired_noun: str,
    *,
    typed: bool,
) -> list[str]:
    """Describe how the plans of this run differ from those the user saw on
    the Import button. ``key`` is the content key of the upload, and
    ``typed`` is set when the user changed the name along with the click,
    which makes a new name the user's own choice."""
    stored = {entry.id: entry for entry in workspace().list_tables()}
    check_name = not typed
    changes = [_plan_change(shown.main, main, stored, key, "this file", check_name)]
    if shown.paired is not None and paired is not None:
        what = f"the {paired_noun}"
        changes.append(_plan_change(shown.paired, paired, stored, key, what, True))
    for table_id, version in shown.versions.items():
        entry = stored.get(table_id)
        targeted = table_id in (main.replace_id, paired and paired.replace_id)
        if entry is not None and targeted and entry.version != version:
            # Another session replaced the table since the button was drawn,
            # so this import would overwrite that session's import.
            changes.append(
                f"The table {entry.name!r} was replaced meanwhile (now "
                f"{count_noun(entry.rows, 'row')}), so importing would "
                "overwrite that newer version."
            )
    return [change for change in changes if change]


def _plan_change(
    before: Plan,
    now: Plan,
    stored: dict[str, TableEntry],
    key: str,
    what: str,
    check_name: bool,
) -> str | None:
    """Describe what another session changed between the plan ``before`` and
    the plan ``now`` of one table of an import, or return None. ``what``
    names the data, such as "this file"."""
    if before.replace_id != now.replace_id:
        if before.replace_id is not None and before.replace_id not in stored:
            deleted = (
                f"The table {before.replaced!r} that {what} was to replace was "
                "deleted meanwhile"
            )
            if now.replace_id is None:
                return f"{deleted}."
            return f"{deleted}, so importing would now replace {now.replaced!r}."
        if now.replace_id is None:
            return (
                f"Importing would now store {what} as new table {now.name!r} "
                f"in place of replacing {before.replaced!r}."
            )
        if stored[now.replace_id].source_key == key:
            return (
                f"{what[:1].upper()}{what[1:]} was stored meanwhile as "
                f"{now.replaced!r}, so importing would now replace that table."
            )
        return (
            f"A table {now.replaced!r} was stored meanwhile from a file of the "
            "same name, so importing would now replace it."
        )
    if before.replaced != now.replaced:
        return (
            f"The table {before.replaced!r} was renamed to {now.replaced!r} meanwhile."
        )
    if not check_name or before.name == now.name:
        return None
    name_taken = any(
        entry.name.casefold() == before.name.casefold()
        for entry in stored.values()
        if entry.id != now.replace_id
    )
    if name_taken:
        return (
            f"Another table took the name {before.name!r} meanwhile, so {what} "
            f"would be stored as {now.name!r}."
        )
    return (
        f"The name {now.name!r} was freed meanwhile, so {what} would be stored "
        f"under it in place of {before.name!r}."
    )


def import_action(rows: int, plan: Plan) -> str:
    """Describe one table of an import, as in "3 rows as new table 'orders'"."""
    count = count_noun(rows, "row")
    if plan.replace_id is not None and plan.replaced is not None:
        return f"{count} in place of {plan.replaced!r}"
    return f"{count} as new table {plan.name!r}"
