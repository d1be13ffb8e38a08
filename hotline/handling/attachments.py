"""Photos and documents a unit attaches to its reply: checked by content, never by name."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hotline.orgs.models import Unit
from hotline.tickets.models import Attachment, Ticket

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor

# The first bytes of each type we accept. A file's own name and declared type are not trusted.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def sniff(head: bytes) -> str | None:
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


PHOTOS = frozenset({"image/jpeg", "image/png", "image/webp"})


def check(
    files: Sequence[UploadedFile], *, most: int | None = None, photos_only: bool = False, field: str = "attachments"
) -> list[tuple[UploadedFile, str]]:
    """Each file with its real type; a ValidationError naming every refused file otherwise.

    Units attach photos and PDFs, up to ``ATTACHMENT_MAX_FILES``; the public portal passes a
    smaller ``most`` and ``photos_only`` (citizens send photos). The size cap is the same for both."""
    limit = settings.HOTLINE["ATTACHMENT_MAX_BYTES"]
    most = settings.HOTLINE["ATTACHMENT_MAX_FILES"] if most is None else most
    if len(files) > most:
        too_many = _("At most %(n)d photos.") if photos_only else _("At most %(n)d files per reply.")
        raise ValidationError({field: too_many % {"n": most}})
    problems, accepted = [], []
    for upload in files:
        name = (upload.name or "")[:120]
        if not upload.size:  # empty, or of unknown size (Django's upload handlers always set it)
            problems.append(_("%(name)s is empty.") % {"name": name})
            continue
        if upload.size > limit:
            problems.append(_("%(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)})
            continue
        upload.seek(0)
        content_type = sniff(upload.read(16))
        upload.seek(0)
        if photos_only and content_type not in PHOTOS:
            problems.append(_("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": name})
            continue
        if content_type is None:
            problems.append(_("%(name)s is not a JPEG, PNG or WebP photo or a PDF.") % {"name": name})
            continue
        accepted.append((upload, content_type))
    if problems:
        raise ValidationError({field: problems})
    return accepted


def store(
    ticket: Ticket, unit: Unit | None, files: Sequence[tuple[UploadedFile, str]], actor: Actor | None = None
) -> list[Attachment]:
    """Write checked files under MEDIA_ROOT by content hash and record them on the ticket; without
    a ``unit`` they are the citizen's own (sent with the request from the portal)."""
    stored = []
    for upload, content_type in files:
        assert upload.size is not None  # check() refused a file of unknown size
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = Attachment(
            ticket=ticket,
            unit=unit,
            name=(upload.name or "file")[:120],
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
