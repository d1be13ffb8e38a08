"""Photos from citizens on the portal: the same checks as a unit's attachments (content, not name;
size; count), photos only; shown to staff on the ticket page; anything hostile is refused with a
clear error and nothing — no ticket, no attachment row, no file — is saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hotline.publicity import services
from hotline.publicity.tests.test_portal import form
from hotline.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def photo(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files_in(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_citizen_sends_photos_and_staff_see_them_on_the_ticket_page(people, media):
    photos = [photo("井盖.png", PNG), photo("现场.jpg", JPEG, "image/jpeg")]
    response = Client().post("/public/submit/", {**form(nonce="p1"), "photos": photos})
    assert response.status_code == 200
    ticket = Ticket.objects.get(external_id="portal-n-p1")
    stored = list(ticket.attachments.order_by("id"))
    assert [(a.name, a.content_type, a.unit_id) for a in stored] == [
        ("井盖.png", "image/png", None),
        ("现场.jpg", "image/jpeg", None),
    ]
    assert len(files_in(media)) == 2
    staff = Client()
    staff.force_login(people.dispatcher)
    page = staff.get(f"/tickets/{ticket.code}/").content.decode()
    assert f"/tickets/{ticket.code}/attachments/{stored[0].pk}/" in page and "<img" in page
    assert "from-citizen" in page
    image = staff.get(f"/tickets/{ticket.code}/attachments/{stored[0].pk}/")
    assert image["Content-Type"] == "image/png" and b"".join(image.streaming_content) == PNG
    # The form sent again (a double click) keeps one ticket and one set of photos.
    Client().post("/public/submit/", {**form(nonce="p1"), "photos": [photo("井盖.png", PNG)]})
    assert Attachment.objects.count() == 2 and len(files_in(media)) == 2


@pytest.mark.parametrize(
    "photos, said",
    [
        # The page speaks Chinese: "<name> is not a JPEG, PNG or WebP photo", "empty file", "at most 3".
        ([photo("evil.png", b"<script>alert(1)</script>", "image/png")], "evil.png 不是 JPEG、PNG 或 WebP 图片"),
        ([photo("shell.php.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg")], "shell.php.jpg 不是 JPEG"),
        ([photo("report.pdf", b"%PDF-1.4\n%...", "application/pdf")], "report.pdf 不是 JPEG、PNG 或 WebP 图片"),
        ([photo("empty.png", b"", "image/png")], "空文件"),
        ([photo(f"p{n}.png", PNG) for n in range(services.PORTAL_PHOTOS + 1)], "最多上传 3 张照片"),
        ([photo("fine.png", PNG), photo("bad.gif", b"GIF89a" + b"\x00" * 20, "image/gif")], "bad.gif 不是"),
    ],
    ids=["script", "php", "pdf", "empty", "too-many", "one-bad-of-two"],
)
def test_hostile_or_wrong_files_are_refused_and_nothing_is_saved(ref, media, photos, said):
    response = Client().post("/public/submit/", {**form(nonce="bad"), "photos": photos})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not Ticket.objects.exists() and not Attachment.objects.exists() and files_in(media) == []


def test_a_photo_over_the_size_cap_is_refused(ref, media, settings):
    settings.HOTLINE = {**settings.HOTLINE, "ATTACHMENT_MAX_BYTES": 1024}
    big = photo("big.png", PNG + b"\x00" * 2048)
    response = Client().post("/public/submit/", {**form(nonce="big"), "photos": [big]})
    assert response.status_code == 400 and "big.png" in response.content.decode()
    assert not Ticket.objects.exists() and files_in(media) == []


def test_the_submit_form_takes_files(ref):
    page = Client().get("/public/submit/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page and "multiple" in page
