"""Activity attachments are fetched through a scoped view with their type and name, never from a public /media/."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesu.collection import services

from .test_activities import PDF, PNG, data

pytestmark = pytest.mark.django_db


@pytest.fixture
def attached(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity = services.activity_create(actor=world.filler, unit=world.edu, data=data())
    photo = services.attachment_add(actor=world.filler, activity=activity,
                                    uploaded_file=SimpleUploadedFile("现场照片.png", PNG))
    notice = services.attachment_add(actor=world.filler, activity=activity,
                                     uploaded_file=SimpleUploadedFile("活动通知.pdf", PDF))
    return activity, photo, notice


def test_the_unit_and_its_offices_download_with_type_and_name(client, world, attached):
    _, photo, notice = attached
    for user in (world.filler, world.office, world.city_office):
        client.force_login(user)
        response = client.get(f"/collection/attachments/{photo.pk}/")
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/png"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and quote("现场照片.png") in disposition
        assert b"".join(response.streaming_content) == PNG
    pdf = client.get(f"/collection/attachments/{notice.pk}/")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content) == PDF


def test_the_activity_page_links_to_the_scoped_download(client, world, attached):
    activity, photo, _ = attached
    client.force_login(world.filler)
    page = client.get(f"/collection/activities/{activity.pk}/").content.decode()
    assert f"/collection/attachments/{photo.pk}/" in page and "/media/" not in page


def test_others_are_refused_and_media_is_not_public(client, world, attached):
    _, photo, _ = attached
    client.force_login(world.filler2)  # another unit's filler
    assert client.get(f"/collection/attachments/{photo.pk}/").status_code == 404
    client.force_login(world.viewer)  # a viewer does not see an unapproved unit's drafts
    assert client.get(f"/collection/attachments/{photo.pk}/").status_code == 404
    client.force_login(world.filler)
    assert client.get(f"/media/{photo.file.name}").status_code == 404
    client.logout()
    assert client.get(f"/collection/attachments/{photo.pk}/").status_code == 302


def test_a_missing_file_is_a_chinese_404(client, world, attached):
    _, photo, _ = attached
    photo.file.storage.delete(photo.file.name)
    client.force_login(world.filler)
    response = client.get(f"/collection/attachments/{photo.pk}/")
    assert response.status_code == 404 and "附件文件已不存在" in response.content.decode()


def test_a_posted_next_to_another_host_is_not_followed(client, world):
    """submission_action redirects only within the site (no open redirect through a crafted form)."""
    from .conftest import YEAR

    sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.edu)
    client.force_login(world.filler)
    response = client.post(f"/collection/submissions/{sub.pk}/submit/", {"next": "https://evil.example/phish"})
    assert response.status_code == 302 and response["Location"] == f"/collection/submissions/{sub.pk}/"
    response = client.post(f"/collection/submissions/{sub.pk}/submit/", {"next": "/collection/review/"})
    assert response["Location"] == "/collection/review/"
