"""Back up, wipe, restore: the same resources, accounts, files and counts come back."""

import io
import tarfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from catalogue.models import ResourcePage
from ops.backup import backup_create, backup_read_manifest, row_counts
from tests import factories

pytestmark = pytest.mark.django_db


def _media_snapshot():
    from ops.backup import _media_files

    return {name: default_storage.open(name).read() for name in _media_files()}


def test_round_trip_restores_resources_accounts_files_and_counts(tmp_path, site_pages, client):
    teacher = factories.user(username="zhangmin")
    doc = factories.document("嵖岈山课件", name="chayashan.pdf")
    resource = factories.resource(title="嵖岈山｜花岗岩地貌", owner=teacher, files=[(doc, "document")])
    draft = factories.resource(title="未发布的草稿", publish=False)
    before_counts = row_counts()
    before_media = _media_snapshot()
    assert any(name.startswith("documents/") for name in before_media)
    archive = tmp_path / "backup.tar"

    call_command("backup", str(archive), stdout=io.StringIO())
    manifest = backup_read_manifest(str(archive))
    assert manifest["counts"]["catalogue.resourcepage"] == 2
    assert set(manifest["files"]) == set(before_media)

    # Wipe: the resources, the account and every media file are gone.
    ResourcePage.objects.all().delete()
    get_user_model().objects.all().delete()
    get_document_model().objects.all().delete()
    get_image_model().objects.all().delete()
    for name in before_media:
        default_storage.delete(name)
    assert not ResourcePage.objects.exists()

    out = io.StringIO()
    call_command("restore", str(archive), "--noinput", stdout=out)
    assert "记录数与备份一致" in out.getvalue()

    after = row_counts()
    assert {k: v for k, v in after.items() if k != "wagtailcore.modellogentry"} == {
        k: v for k, v in before_counts.items() if k != "wagtailcore.modellogentry"
    }
    assert after["wagtailcore.modellogentry"] >= before_counts["wagtailcore.modellogentry"]
    assert _media_snapshot() == before_media
    restored = ResourcePage.objects.get(pk=resource.pk)
    assert restored.title == "嵖岈山｜花岗岩地貌" and restored.live and restored.owner.username == "zhangmin"
    assert not ResourcePage.objects.get(pk=draft.pk).live
    assert client.login(username="zhangmin", password="Pass#word123")
    # The public site serves the restored resource and its file again.
    assert client.get(restored.url).status_code == 200
    f = restored.files.get()
    assert client.get(f"/files/{f.pk}/{f.filename}").status_code == 200


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup.tar"
    with tarfile.open(bogus, "w") as tar:
        data = b"hello"
        info = tarfile.TarInfo("readme.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        call_command("restore", str(bogus), "--noinput")


def test_restore_refuses_a_backup_from_a_newer_release(tmp_path, site_pages):
    archive = tmp_path / "b.tar"
    backup_create(path=str(archive))
    # Rewrite the manifest as if the backup came from code with a later catalogue migration.
    import json

    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    manifest = json.loads(members["manifest.json"])
    manifest["migrations"]["catalogue"] = "9999_future"
    members["manifest.json"] = json.dumps(manifest).encode()
    newer = tmp_path / "newer.tar"
    with tarfile.open(newer, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    count = ResourcePage.objects.count()
    with pytest.raises(CommandError, match="更新的程序版本"):
        call_command("restore", str(newer), "--noinput")
    assert ResourcePage.objects.count() == count  # nothing was wiped
