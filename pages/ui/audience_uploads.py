"""The member CSVs of Mailchimp audience exports among the uploads.

Mailchimp exports an audience as a zip of one CSV per contact status, and
macOS unpacks a downloaded zip by default. Those CSVs give a list growth
only together, so the Data page shows the files of one audience as one
table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from streamlit.runtime.uploaded_file_manager import UploadedFile

from kpi_core.audience_members import group_members
from kpi_core.errors import InputError
from kpi_core.importing import FilePreview
from pages.ui.workspace_access import cached_preview, content_key

# Suffixes of the files that the reader reads as text, as it does the
# members of an audience zip.
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class AudienceUpload:
    """The uploaded member files of one audience: the audience id their
    names give, and the content key, name and preview of each file."""

    audience: str | None
    keys: tuple[str, ...]
    names: tuple[str, ...]
    previews: tuple[FilePreview, ...]

    @property
    def key(self) -> str:
        """The content key of the set of files, whatever their upload order."""
        return "audience:" + content_key("\n".join(sorted(self.keys)).encode())


def audience_groups(
    uploads: list[tuple[UploadedFile, str]],
) -> dict[str, AudienceUpload]:
    """Return the Mailchimp member CSVs among ``uploads`` (each an upload and
    its content key), grouped by audience, by the content key of each
    audience's first file. A member file alone is a group too, so that the
    page explains which files it needs."""
    found: list[tuple[str, str, FilePreview]] = []
    for upload, key in uploads:
        if Path(upload.name).suffix.lower() not in _TEXT_SUFFIXES:
            continue
        try:
            preview = cached_preview(key, upload.name, upload.getvalue(), None, None)
        except InputError:
            # The file's own block shows the error.
            continue
        if preview.audience_member is not None:
            found.append((key, upload.name, preview))
    groups = group_members([preview.audience_member for _, _, preview in found])
    audiences = {}
    for group in groups:
        keys, names, previews = zip(*(found[i] for i in group), strict=True)
        audience = previews[0].audience_member.audience
        audiences[keys[0]] = AudienceUpload(audience, keys, names, previews)
    return audiences
