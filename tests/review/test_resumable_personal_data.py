"""A teacher's unfinished resumable uploads are personal data: the export lists them, and erasing
the account removes their rows and the bytes already received on the server."""

import io
import os

import pytest

from catalogue.models import Role
from ops.personal_data import personal_data_erase, personal_data_export
from review.models import ResumableUpload
from review.services import resumable
from tests import factories

pytestmark = pytest.mark.django_db


def test_unfinished_uploads_are_exported_and_erased_with_their_bytes(settings, tmp_path):
    settings.UPLOAD_RESUMABLE_DIR = str(tmp_path / "partials")
    teacher = factories.user(Role.TEACHER, username="t-resume")
    other = factories.user(Role.TEACHER, username="t-other")
    data = b"%PDF-1.7\n" + b"x" * 9000
    mine = resumable.resumable_upload_create(
        owner=teacher, length=len(data) * 2, metadata={"filename": "教学设计.pdf", "field": "main_file"}
    )
    resumable.resumable_upload_append(upload=mine, offset=0, length=len(data), stream=io.BytesIO(data))
    theirs = resumable.resumable_upload_create(
        owner=other, length=len(data), metadata={"filename": "别人的.pdf", "field": "main_file"}
    )
    assert os.path.getsize(resumable.partial_path(mine)) == len(data)

    exported = personal_data_export(user=teacher)["resumable_uploads"]
    assert [(u["file_name"], u["bytes"], u["received"]) for u in exported] == [
        ("教学设计.pdf", len(data) * 2, len(data))
    ]

    personal_data_erase(user=teacher)
    assert not ResumableUpload.objects.filter(pk=mine.pk).exists()
    assert not os.path.exists(resumable.partial_path(mine))
    # Someone else's upload is untouched.
    assert ResumableUpload.objects.filter(pk=theirs.pk).exists()
    assert os.path.exists(resumable.partial_path(theirs))
