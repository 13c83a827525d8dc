"""Factories for the test suite: build realistic objects in one call, never copy setup code."""

import datetime
import io
import itertools

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from catalogue.models import (
    CampaignPage,
    Region,
    ResourceFile,
    ResourcePage,
    ResourceType,
    Role,
    School,
    Stage,
    Subject,
    Theme,
    Topic,
)
from catalogue.services import campaign_ensure, profile_set

_seq = itertools.count(1)


def user(
    role: str = Role.TEACHER,
    *,
    username: str | None = None,
    region: str = "遂平县",
    school: str | None = None,
    password: str = "Pass#word123",
    **extra,
):
    User = get_user_model()
    username = username or f"{role}-{next(_seq)}"
    account = User.objects.create_user(username=username, password=password, **extra)
    region_obj = Region.objects.get(name=region) if region else None
    school_obj = None
    if role in (Role.TEACHER, Role.STUDENT, Role.PARENT, Role.CITY_EXPERT) and region_obj:
        school_obj = school_(region=region, name=school or f"{region}测试学校")
    profile_set(user=account, role=role, region=region_obj, school=school_obj, display_name=username)
    return account


def school_(*, region: str = "遂平县", name: str = "遂平县测试学校"):
    return School.objects.get_or_create(region=Region.objects.get(name=region), name=name)[0]


def campaign(*, year: int = 2026, open_now: bool = True):
    page = campaign_ensure(year=year)
    today = datetime.date.today()
    if open_now:
        page.opens_on, page.closes_on = today - datetime.timedelta(days=30), today + datetime.timedelta(days=30)
    else:
        page.opens_on, page.closes_on = today - datetime.timedelta(days=90), today - datetime.timedelta(days=1)
    page.save_revision().publish()
    return page


def png_bytes(size=(1280, 720), colour=(40, 120, 80)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def image(title: str = "测试封面"):
    return get_image_model().objects.create(title=title, file=ImageFile(io.BytesIO(png_bytes()), name="cover.png"))


def document(title: str = "测试文件", *, name: str = "file.pdf", data: bytes = b"%PDF-1.4 test document\n" * 50):
    doc = get_document_model()(title=title)
    doc.file.save(name, ContentFile(data), save=False)
    doc.save()
    return doc


def resource(
    *,
    title: str = "嵖岈山｜花岗岩地貌",
    topic: str = "嵖岈山",
    parent=None,
    publish: bool = True,
    owner=None,
    subjects=("地理",),
    stage: str = "初中",
    resource_type: str = "video",
    region: str = "遂平县",
    files=(),
    with_cover: bool = True,
    description: str = "<p>测试资源简介。</p>",
    **fields,
):
    topic_obj = Topic.objects.select_related("theme").get(name=topic)
    # The 2026 campaign as it stands when there is one (publishing it again for every resource
    # would change its dates behind the test's back and costs a revision each time).
    parent = parent or CampaignPage.objects.filter(year=2026, live=True).first() or campaign()
    page = ResourcePage(
        title=title,
        slug=f"r-{next(_seq)}",
        description=description,
        theme=topic_obj.theme,
        topic=topic_obj,
        stage=Stage.objects.get(name=stage),
        resource_type=ResourceType.objects.get(code=resource_type),
        authors="张敏、李华",
        region=Region.objects.get(name=region),
        year=2026,
        licence_confirmed=True,
        owner=owner,
        cover_image=image(f"封面 {title}") if with_cover else None,
        live=False,
        **fields,
    )
    page.subjects = list(Subject.objects.filter(name__in=subjects))
    page.files = [ResourceFile(document=doc, kind=kind) for doc, kind in files]
    parent.add_child(instance=page)
    revision = page.save_revision(user=owner)
    if publish:
        revision.publish()
    return ResourcePage.objects.get(pk=page.pk)


def theme(name: str = "红色文化") -> Theme:
    return Theme.objects.get(name=name)


__all__ = ["CampaignPage", "campaign", "document", "image", "resource", "school_", "theme", "user"]


# --- review: submissions -------------------------------------------------------------------------


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def submission_data(**overrides) -> dict:
    """Cleaned SubmissionForm data for a 嵖岈山 micro-lecture."""
    from catalogue.models import Grade

    topic = Topic.objects.select_related("theme").get(name=overrides.pop("topic", "嵖岈山"))
    stage = Stage.objects.get(name=overrides.pop("stage", "初中"))
    data = {
        "title": "嵖岈山｜花岗岩地貌的形成",
        "resource_type": ResourceType.objects.get(code=overrides.pop("resource_type", "video")),
        "theme": topic.theme,
        "topic": topic,
        "subjects": list(Subject.objects.filter(name__in=overrides.pop("subjects", ("地理",)))),
        "stage": stage,
        "grades": list(Grade.objects.filter(stage=stage)[:1]),
        "description": "带领学生认识嵖岈山花岗岩地貌的成因。",
        "authors": "王静",
        "co_authors": "",
        "external_url": "",
        "licence": ResourcePage.Licence.PLATFORM,
        "licence_confirmed": True,
    }
    data.update(overrides)
    return data


def submission(*, teacher, files: dict | None = None, campaign=None, **data):
    """A teacher's draft saved through the review service (files: name → upload)."""
    from review import services

    return services.submission_save(teacher=teacher, data=submission_data(**data), files=files or {}, campaign=campaign)


# --- indicators: access events ----------------------------------------------------------------

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
)


def access_hit(
    resource,
    *,
    at,
    action: str = "view",
    user=None,
    ip: str = "10.1.2.3",
    user_agent: str = BROWSER_UA,
    session: str = "",
):
    """Record one hit at a given moment through the same processing as a live hit."""
    from indicators.models import Source
    from indicators.recording import access_event
    from indicators.services import access_events_ingest

    event = access_event(
        moment=at,
        resource_id=resource.pk if hasattr(resource, "pk") else resource,
        action=action,
        user=user,
        session_key=session,
        ip=ip,
        user_agent=user_agent,
        source=Source.IMPORT,
    )
    access_events_ingest(events=[event])
    return event


def denominator(*, year: int = 2026, region: str = "遂平县", school=None, teachers=None, students=None):
    from indicators.models import Denominator

    return Denominator.objects.update_or_create(
        year=year,
        region=Region.objects.get(name=region),
        school=school,
        defaults={"teachers": teachers, "students": students},
    )[0]


def daily_rollup(day: str, role: str, total: int, *, region="遂平县", school=None, resource_id=1, action="view"):
    """One roll-up row (totals = uniques) and the derived tables rebuilt, as after a day's recount."""
    import datetime

    from indicators.models import DailyRollup
    from indicators.services import derived_rollups_rebuild

    DailyRollup.objects.create(
        day=datetime.date.fromisoformat(day),
        resource_id=resource_id,
        action=action,
        role=role,
        region=Region.objects.get(name=region),
        school=school,
        total=total,
        uniques=total,
        unique_investigations=total,
    )
    derived_rollups_rebuild(
        date_from=DailyRollup.objects.earliest("day").day, date_to=DailyRollup.objects.latest("day").day
    )
