"""The records of the file intake, below the services and the tasks (both call down into it).

- `intake_record`: the FileIntake row of a file just stored, from what the intake found while it
  streamed in (SHA-256, content, measurement).
- `check_row`: the FileCheck of one use of a file (role, resource type, standard version), bound to
  the bytes of the intake; computed from the stored measurement, so a new standard version or a
  changed resource type needs no new measurement.
- `intake_measure`: measure a stored file again (a check that could not run at upload time).
"""

import contextlib
import logging

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ops import uploads

from . import checks as tech
from .models import FileCheck, FileIntake, QualityStandard

logger = logging.getLogger(__name__)


def intake_record(*, inspection: uploads.Inspection, document=None, image=None) -> FileIntake:
    stored = (document or image).file
    measured = inspection.measurement is not None
    return FileIntake.objects.create(
        document=document,
        image=image,
        stored_name=stored.name,
        size=inspection.size,
        sha256=inspection.sha256,
        content=inspection.kind,
        status=FileIntake.Status.MEASURED if measured else FileIntake.Status.PENDING,
        measurement=inspection.measurement or {},
        warnings=inspection.warnings,
        error=inspection.unmeasured[:300],
        measured_at=timezone.now() if measured else None,
    )


def intake_of(*, document=None, image=None) -> FileIntake:
    """The intake row describing the file now stored for `document` or `image`. A file that did not
    come through the intake (or was replaced since) gets a new pending row: it is measured (and
    hashed) by the background task before any check can pass."""
    owner = document or image
    intake = FileIntake.objects.filter(document=document, image=image).first()
    if intake is not None and intake.describes(owner.file):
        return intake
    if intake is not None:
        intake.delete()  # it described bytes that are no longer there
    return FileIntake.objects.create(
        document=document,
        image=image,
        stored_name=owner.file.name,
        size=owner.file.size,
        sha256="",
        content="",
        status=FileIntake.Status.PENDING,
    )


def check_row(intake: FileIntake, *, name: str, role: str, resource_type_code: str, standard) -> FileCheck:
    row, created = FileCheck.objects.get_or_create(
        intake=intake,
        sha256=intake.sha256,
        role=role,
        resource_type=resource_type_code,
        standard_version=standard.version,
    )
    if created or (row.state == FileCheck.State.PENDING and intake.status == FileIntake.Status.MEASURED):
        _evaluate(row, intake, name=name, standard=standard)
    return row


def _evaluate(row: FileCheck, intake: FileIntake, *, name: str, standard):
    if intake.status == FileIntake.Status.PENDING:
        row.state, row.results, row.checked_at = FileCheck.State.PENDING, [tech.pending_check(name).as_dict()], None
    else:
        results = tech.evaluate(
            name=name,
            role=row.role,
            content=intake.content,
            size=intake.size,
            measurement=intake.measurement,
            standard=standard,
            resource_type_code=row.resource_type,
        )
        failed = any(c.level == tech.HARD and not c.passed for c in results)
        row.state = FileCheck.State.FAILED if failed else FileCheck.State.PASSED
        row.results = [c.as_dict() for c in results]
        row.checked_at = timezone.now()
    row.save(update_fields=["state", "results", "checked_at"])


def display_name(intake: FileIntake) -> str:
    owner = intake.document or intake.image
    return getattr(owner, "filename", None) or intake.stored_name.rsplit("/", 1)[-1]


class _StoredUpload(File):
    """A stored file seen as an upload by the intake rules (they read it from its path)."""

    def __init__(self, fieldfile):
        super().__init__(fieldfile.open("rb"), name=fieldfile.name.rsplit("/", 1)[-1])
        self._path = getattr(fieldfile, "path", None)
        self.size = fieldfile.size

    def temporary_file_path(self):
        return self._path


def intake_measure(intake_id: int) -> bool:
    """Measure a pending intake from storage; True when it is measured now (its checks then have
    results). A tool still missing leaves it pending, with the reason and one more attempt."""
    intake = FileIntake.objects.select_related("document", "image").filter(pk=intake_id).first()
    if intake is None or intake.status == FileIntake.Status.MEASURED:
        return intake is not None
    owner = intake.document or intake.image
    stored = owner.file
    try:
        upload = _StoredUpload(stored)
    except OSError as exc:
        FileIntake.objects.filter(pk=intake.pk).update(attempts=intake.attempts + 1, error=f"storage: {exc}"[:300])
        return False
    with contextlib.closing(upload):
        accept = {intake.content} if intake.content else set(uploads.KINDS)
        try:
            inspection = uploads.inspect_upload(upload, accept=accept)
        except ValidationError as refused:
            measurement, content, sha256, measured = (
                {"refused": refused.messages[0]},
                intake.content,
                intake.sha256,
                True,
            )
            if not sha256:
                sha256 = uploads._hashes(upload)[0]
            reason = ""
        else:
            measurement, content, sha256 = inspection.measurement, inspection.kind, inspection.sha256
            measured, reason = measurement is not None, inspection.unmeasured
    with transaction.atomic():
        intake = FileIntake.objects.select_for_update().get(pk=intake.pk)
        intake.attempts += 1
        intake.content, intake.sha256 = content or intake.content, sha256 or intake.sha256
        if measured:
            intake.status, intake.measurement, intake.error = FileIntake.Status.MEASURED, measurement, ""
            intake.measured_at = timezone.now()
        else:
            intake.error = reason[:300]
        intake.save()
        if measured:
            name = display_name(intake)
            for row in intake.checks.all():
                if row.sha256 != intake.sha256:  # made before the bytes were hashed: bind it now
                    FileCheck.objects.filter(pk=row.pk).delete()
                    continue
                standard = QualityStandard.objects.filter(version=row.standard_version).first()
                if standard is not None:
                    _evaluate(row, intake, name=name, standard=standard)
    if not measured:
        logger.warning("File intake %s still pending: %s", intake.pk, reason)
    return measured
