"""Member files of a Mailchimp audience export.

Mailchimp exports an audience as a zip with one CSV per contact status, named
after the status and the audience (list) id, such as
"unsubscribed_email_audience_export_4f2a9b.csv" inside a folder
"audience_export_4f2a9b/", or "unsubscribed_members_export_4f2a9b.csv" in
older exports. The subscribed, unsubscribed and
cleaned files give the list events. Contacts of the other statuses were
never on the list. ``reading`` combines the files of one export, from the
zip or unpacked, and this module finds the status of each file's contacts
and checks whether the files are complete enough for a list growth.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from kpi_core.errors import InvalidValueError
from kpi_core.formatting import count_noun, short_and_list

SUBSCRIBED = "subscribed"
UNSUBSCRIBED = "unsubscribed"
CLEANED = "cleaned"
# The statuses of contacts who are or were on the list.
LIST_STATUSES = (SUBSCRIBED, UNSUBSCRIBED, CLEANED)
# Statuses of contacts who never joined the list, as the Mailchimp Marketing
# API names them: "transactional" contacts are the "non-subscribed" ones of
# the app and its export, who never opted in, and "pending" contacts have
# not confirmed their opt-in yet.
OFF_LIST_STATUSES = ("nonsubscribed", "transactional", "pending")

# The status comes first in a member file's name, followed by one of
# Mailchimp's forms: "_email_audience_export_<audience id>" (current exports),
# "_members_export_<audience id>" (older exports), " members" (as in
# "Subscribed Members.csv") or nothing ("subscribed.csv"). Words may be
# joined by spaces or "_", and a browser adds " (1)" to a second download of
# the same name. Only "non" may precede the status word, joined by a space,
# "_" or "-" as in "non_subscribed", so "resubscribed" or "my_subscribed" is
# never read as "subscribed".
_MEMBER_FILE = re.compile(
    r"(?P<status>(?:non[ _-])?[a-z]+)"
    r"(?:(?P<export>[ _](?:email[ _]audience|members)[ _]export)"
    r"(?:[ _](?P<audience>[0-9a-z]+))?"
    r"|[ _]members)?"
    r"(?: ?\(\d+\))?\.(?:csv|txt|tsv)"
)
# Names of an audience export's zip that carry the audience id, such as
# "members_export_4f2a9b.zip", with " (1)" on a second download.
# NOTE: "audience_export_4f2a9b.zip" follows the folder inside current zips
# and was not seen as a zip name.
_EXPORT_ZIP = re.compile(
    r"(?:members|audience)[ _]export[ _](?P<audience>[0-9a-z]+)(?: ?\(\d+\))?\.zip"
)
# The name ``reading.audience_label`` gives the table of joined member files.
_AUDIENCE_LABEL = re.compile(r"mailchimp audience (?P<audience>[0-9a-z]+)")
# Columns every member file of an audience export has, whatever its merge
# fields: the contact's address and Mailchimp's own time columns.
_MEMBER_COLUMNS = ("Email Address", "OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED")
# Column of the joined member files that names the file each row comes from,
# so that a warning can point to a line of the right file.
MEMBER_FILE = "member_file"
# Columns only the unsubscribed or only the cleaned members' file has.
_STATUS_COLUMNS = {"UNSUB_TIME": UNSUBSCRIBED, "CLEAN_TIME": CLEANED}


@dataclass(frozen=True)
class AudienceMember:
    """One member file of a Mailchimp audience export: its name, the status
    of its contacts, the audience id from its name (None when the name has
    none) and its number of data rows."""

    file: str
    status: str
    audience: str | None
    rows: int

    @property
    def on_list(self) -> bool:
        return self.status in LIST_STATUSES


def parse_member_name(file_name: str) -> tuple[str, str | None] | None:
    """Return the status and audience id that a member file's name gives,
    or None for a name of another form.

    The status is lower case without separators ("nonsubscribed" for
    "non_subscribed"). In a name of an export form it may be a word the app
    does not know, such as "archived"; ``AudienceMember.on_list`` separates
    the list statuses.
    """
    match = _MEMBER_FILE.fullmatch(PurePosixPath(file_name).name.lower())
    if match is None:
        return None
    status = re.sub(r"[ _-]", "", match["status"])
    # Only the export forms are specific enough to take a status the app does
    # not know. A bare or " members" name must give a known status, so that
    # "deals.csv" or "Team Members.csv" is no member file.
    known = (*LIST_STATUSES, *OFF_LIST_STATUSES)
    if match["export"] is None and status not in known:
        return None
    return status, match["audience"]


def names_audience(names: Iterable[str]) -> str | None:
    """Return the audience id that the member file names among ``names``
    give, or None when they give none or several."""
    found = set()
    for name in names:
        parsed = parse_member_name(name)
        if parsed is not None and parsed[1]:
            found.add(parsed[1])
    return found.pop() if len(found) == 1 else None


def source_audience(source_file: str) -> str | None:
    """Return the audience id in the source file name of a table stored from
    a Mailchimp audience export, or None. It is the id in Mailchimp's name of
    the export's zip, or in the label of joined member files."""
    name = PurePosixPath(source_file.replace("\\", "/")).name.lower()
    match = _EXPORT_ZIP.fullmatch(name) or _AUDIENCE_LABEL.fullmatch(name)
    return match["audience"] if match else None


def is_member_export(columns: list[str]) -> bool:
    """Tell whether ``columns`` are those of a member file of a Mailchimp
    audience export."""
    return all(name in columns for name in _MEMBER_COLUMNS)


def has_member_columns(columns: list[str]) -> bool:
    """Tell whether a file that is named like a member file has the columns
    of one: Email Address and at least one of Mailchimp's time columns.

    The name already points to a member file, so this check is looser than
    ``is_member_export``, and zips that a user trimmed to a few columns still
    read as an audience export. A deals export named "cleaned.csv" fails it.
    """
    address, *times = _MEMBER_COLUMNS
    return address in columns and any(name in columns for name in times)


def member_status(file_name: str, columns: list[str]) -> str:
    """Return the status of the contacts of a member file.

    UNSUB_TIME or CLEAN_TIME marks the unsubscribed or cleaned members. The
    other files have the same columns, so their status comes from the name
    (see ``parse_member_name``). A name that contradicts the columns, or a
    file whose columns and name both leave the status open, raises
    ``InvalidValueError``.
    """
    by_columns = {_STATUS_COLUMNS[name] for name in columns if name in _STATUS_COLUMNS}
    named = parse_member_name(file_name)
    by_name = named[0] if named else None
    if len(by_columns) > 1:
        raise InvalidValueError(
            "the file has both UNSUB_TIME and CLEAN_TIME, so it mixes the "
            "unsubscribed and cleaned members of a Mailchimp audience. Export "
            "the audience again",
            file=file_name,
        )
    if by_columns:
        [status] = by_columns
        if by_name is not None and by_name != status:
            column = next(k for k, v in _STATUS_COLUMNS.items() if v == status)
            raise InvalidValueError(
                f"the file name marks {by_name} members, but the {column} column "
                f"belongs to the {status} members of a Mailchimp audience. Give "
                "the file the name Mailchimp gave it, or use the export's zip",
                file=file_name,
                column=column,
            )
        return status
    if by_name is None:
        raise InvalidValueError(
            "the columns are those of a Mailchimp audience member file, but "
            "neither they nor the file name show whether it contains the "
            "subscribed, cleaned or non-subscribed members. Give it the name "
            "Mailchimp gave it, such as subscribed_email_audience_export_"
            "<audience id>.csv, or use the export's zip",
            file=file_name,
        )
    return by_name


def check_members(label: str, members: list[AudienceMember]) -> list[str]:
    """Check that the member files of one audience export give a list growth,
    and return a warning for each list file that is missing.

    The subscribed members and at least one of the unsubscribed or cleaned
    members are needed: without the removals every rate is a plain count of
    new subscribers, and without the subscribed members the list misses
    everyone still on it. Two files of one status would count their
    contacts twice. Each of these raises ``InvalidValueError`` on ``label``.
    """
    by_status: dict[str, list[str]] = {}
    for member in members:
        by_status.setdefault(member.status, []).append(member.file)
    for status in LIST_STATUSES:
        files = by_status.get(status, [])
        if len(files) > 1:
            raise InvalidValueError(
                f"{short_and_list(files)} each contain the {status} members of a "
                "Mailchimp audience, so their contacts would count twice. Give "
                "one of them",
                file=label,
            )
    audience = next((m.audience for m in members if m.audience), None)
    missing = [status for status in LIST_STATUSES if status not in by_status]
    if SUBSCRIBED in missing or set(missing) >= {UNSUBSCRIBED, CLEANED}:
        raise InvalidValueError(
            _incomplete_message(members, missing, audience), file=label
        )
    return [
        f"warning: no {status} members file ({member_file_name(status, audience)}; "
        f"older exports name it {older_member_file_name(status, audience)}) "
        f"was read, so the audience's {status} contacts are missing: the "
        "contacts at the start and the removals may be too low. "
        "Export the audience again and use its zip, or give all its CSV files "
        "together"
        for status in missing
    ]


def member_file_name(status: str, audience: str | None) -> str:
    """Return the name Mailchimp gives the member file of ``status`` in
    current exports."""
    return f"{status}_email_audience_export_{audience or '<audience id>'}.csv"


def older_member_file_name(status: str, audience: str | None) -> str:
    """Return the name older Mailchimp exports give the member file of
    ``status``, which the app reads as well."""
    return f"{status}_members_export_{audience or '<audience id>'}.csv"


def left_out_note(member: AudienceMember) -> str:
    """Explain why the contacts of a member file off the list are not read:
    a note for the known statuses off the list, a warning for the others."""
    contacts = count_noun(member.rows, "contact")
    if member.status == "pending":
        return (
            f"{member.file}: not read, its {contacts} have not confirmed their "
            "opt-in (pending), so they are not on the list and give no list events"
        )
    if member.status in OFF_LIST_STATUSES:
        return (
            f"{member.file}: not read, its {contacts} never opted in "
            "(non-subscribed), so they were never on the list and give no list "
            "events"
        )
    return (
        f"warning: {member.file}: not read, the app does not know the Mailchimp "
        f"status {member.status!r}, so its {contacts} are left out of the list "
        "events. Check in Mailchimp whether they were on the list"
    )


def group_members(members: list[AudienceMember]) -> list[list[int]]:
    """Group the positions of ``members`` by the audience id of their names,
    in the order of each audience's first file. Files whose names give no
    id form one group."""
    groups: dict[str | None, list[int]] = {}
    for position, member in enumerate(members):
        groups.setdefault(member.audience, []).append(position)
    return list(groups.values())


def _incomplete_message(
    members: list[AudienceMember], missing: list[str], audience: str | None
) -> str:
    listed = [m for m in members if m.on_list]
    files = short_and_list([m.file for m in listed or members])
    if listed:
        statuses = " and ".join(m.status for m in listed)
        verb = "contains" if len(listed) == 1 else "contain"
        found = f"{files} {verb} only the {statuses} members of the audience"
    else:
        found = f"{files} contain no subscribed, unsubscribed or cleaned members"
    statuses = " and ".join(missing)
    needed = ", ".join(member_file_name(status, audience) for status in missing)
    older = ", ".join(older_member_file_name(status, audience) for status in missing)
    return (
        f"{found}. The list growth also needs its {statuses} members ({needed}; "
        f"older exports name them {older}). "
        "Export the audience again and use its zip, or give all its CSV files "
        "together (on the Data page, add them all to the upload box)"
    )
