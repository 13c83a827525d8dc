"""Services behind `import_resources` and `import_users`: validate every row, then write all or nothing."""

import csv
import re
import secrets
import string
from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from .importing import RowErrors, split_list
from .models import Grade, Region, ResourcePage, ResourceType, Role, School, Stage, Subject, Theme, Topic
from .services import (
    campaign_ensure,
    national_index_ensure,
    plain_text_to_rich_text,
    profile_set,
    taxonomy_pages_sync,
)

RESOURCE_REQUIRED = ["external_id", "title", "description", "theme", "subjects", "stage", "resource_type", "region", "year", "authors"]
USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")


class Lookup:
    """Name -> object maps for the taxonomy, loaded once per import."""

    def __init__(self):
        self.themes = {t.name: t for t in Theme.objects.all()}
        self.topics = {t.name: t for t in Topic.objects.all()}
        self.subjects = {s.name: s for s in Subject.objects.all()}
        self.stages = {s.name: s for s in Stage.objects.all()}
        self.grades = {g.name: g for g in Grade.objects.all()}
        self.types = {t.name: t for t in ResourceType.objects.all()}
        self.type_codes = {t.code: t for t in ResourceType.objects.all()}
        self.regions = {r.name: r for r in Region.objects.all()}
        self.schools = {(s.region_id, s.name): s for s in School.objects.all()}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _resolve_resource_row(row: dict, lookup: Lookup) -> tuple[dict | None, list[str]]:
    problems = []
    for key in RESOURCE_REQUIRED:
        if not row.get(key):
            problems.append(_("缺少必填字段 %s") % key)
    if problems:
        return None, problems
    data = {"external_id": row["external_id"][:80], "title": row["title"], "authors": row["authors"]}
    if len(row["title"]) > 255:
        problems.append(_("标题超过 255 个字符"))
    theme = lookup.themes.get(row["theme"])
    if theme is None:
        problems.append(_("未知主题“%s”") % row["theme"])
    data["theme"] = theme
    data["topic"] = None
    if row.get("topic"):
        topic = lookup.topics.get(row["topic"])
        if topic is None:
            problems.append(_("未知专题“%s”") % row["topic"])
        elif theme is not None and topic.theme_id != theme.pk:
            problems.append(_("专题“%(topic)s”不属于主题“%(theme)s”") % {"topic": topic.name, "theme": theme.name})
        data["topic"] = topic
    subjects = []
    for name in split_list(row["subjects"]):
        if name not in lookup.subjects:
            problems.append(_("未知学科“%s”") % name)
        else:
            subjects.append(lookup.subjects[name])
    data["subjects"] = subjects
    stage = lookup.stages.get(row["stage"])
    if stage is None:
        problems.append(_("未知学段“%s”") % row["stage"])
    data["stage"] = stage
    grades = []
    for name in split_list(row.get("grades", "")):
        grade = lookup.grades.get(name)
        if grade is None:
            problems.append(_("未知年级“%s”") % name)
        elif stage is not None and grade.stage_id != stage.pk:
            problems.append(_("年级“%(grade)s”不属于学段“%(stage)s”") % {"grade": name, "stage": stage.name})
        else:
            grades.append(grade)
    data["grades"] = grades
    resource_type = lookup.types.get(row["resource_type"]) or lookup.type_codes.get(row["resource_type"])
    if resource_type is None:
        problems.append(_("未知资源类型“%s”") % row["resource_type"])
    data["resource_type"] = resource_type
    region = lookup.regions.get(row["region"])
    if region is None:
        problems.append(_("未知县（区）“%s”") % row["region"])
    data["region"] = region
    data["school"] = None
    if row.get("school") and region is not None:
        school = lookup.schools.get((region.pk, row["school"]))
        if school is None:
            problems.append(_("%(region)s 没有学校“%(school)s”") % {"region": region.name, "school": row["school"]})
        data["school"] = school
    try:
        year = int(row["year"])
        if not 2000 <= year <= 2100:
            raise ValueError
        data["year"] = year
    except ValueError:
        problems.append(_("年度“%s”不是有效年份") % row["year"])
    data["external_url"] = row.get("url", "")
    if data["external_url"]:
        try:
            URLValidator(schemes=["http", "https"])(data["external_url"])
        except ValidationError:
            problems.append(_("链接“%s”不是有效的网址") % data["external_url"])
    source = row.get("source", "")
    data["source"] = ResourcePage.Source.NATIONAL if source in {"national", "国家", "国家优质资源"} else ResourcePage.Source.LOCAL
    data["description"] = plain_text_to_rich_text(row["description"])
    return (None if problems else data), problems


def resources_validate(rows) -> tuple[list[dict], RowErrors]:
    lookup = Lookup()
    errors = RowErrors()
    resolved = []
    seen = {}
    for number, row in rows:
        data, problems = _resolve_resource_row(row, lookup)
        ext = row.get("external_id")
        if ext and ext in seen:
            problems.append(_("external_id “%(id)s” 与第 %(row)s 行重复") % {"id": ext, "row": seen[ext]})
        elif ext:
            seen[ext] = number
        for problem in problems:
            errors.add(number, problem)
        if not problems:
            resolved.append(data)
    return resolved, errors


SCALAR_FIELDS = [
    "title", "description", "theme", "topic", "stage", "resource_type", "region", "school", "year", "authors",
    "external_url", "source",
]


@transaction.atomic
def resources_import(rows) -> tuple[ImportResult | None, RowErrors]:
    """Create or update one published resource per row, keyed on external_id; nothing on any bad row."""
    resolved, errors = resources_validate(rows)
    if errors:
        return None, errors
    taxonomy_pages_sync()
    result = ImportResult()
    for data in resolved:
        page = ResourcePage.objects.filter(external_id=data["external_id"]).first()
        if page is None:
            parent = national_index_ensure() if data["source"] == ResourcePage.Source.NATIONAL else campaign_ensure(year=data["year"])
            page = ResourcePage(
                external_id=data["external_id"],
                slug=_slug_for(data["external_id"]),
                licence=ResourcePage.Licence.NATIONAL
                if data["source"] == ResourcePage.Source.NATIONAL
                else ResourcePage.Licence.PLATFORM,
                licence_confirmed=True,
                **{k: data[k] for k in SCALAR_FIELDS},
            )
            page.subjects = data["subjects"]
            page.grades = data["grades"]
            parent.add_child(instance=page)
            page.save_revision().publish()
            result.created += 1
            continue
        page = page.get_latest_revision_as_object()
        changed = any(getattr(page, k) != data[k] for k in SCALAR_FIELDS) or (
            {s.pk for s in page.subjects.all()} != {s.pk for s in data["subjects"]}
            or {g.pk for g in page.grades.all()} != {g.pk for g in data["grades"]}
        )
        if not changed and page.live:
            result.unchanged += 1
            continue
        for key in SCALAR_FIELDS:
            setattr(page, key, data[key])
        page.subjects = data["subjects"]
        page.grades = data["grades"]
        page.save_revision().publish()
        result.updated += 1
    return result, errors


def _slug_for(external_id: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", external_id.lower()).strip("-")
    return f"r-{slug}"[:80] or f"r-{secrets.token_hex(4)}"


# --- users ---------------------------------------------------------------------------------

ROLE_BY_NAME = {str(label): value for value, label in Role.choices} | {value: value for value, _label in Role.choices}
ROLE_BY_NAME |= {"县（区）初审员": Role.COUNTY_REVIEWER, "县区初审员": Role.COUNTY_REVIEWER, "评审专家": Role.CITY_EXPERT}


def random_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(12))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            return pw


def users_validate(rows):
    from .models.accounts import ROLES_NEEDING_REGION, ROLES_NEEDING_SCHOOL

    User = get_user_model()
    lookup = Lookup()
    errors = RowErrors()
    resolved = []
    seen = {}
    for number, row in rows:
        problems = []
        username = row.get("username", "")
        if not username:
            problems.append(_("缺少用户名 username"))
        elif not USERNAME_RE.match(username):
            problems.append(_("用户名“%s”只能包含字母、数字和 @ . + - _") % username)
        elif username in seen:
            problems.append(_("用户名“%(u)s”与第 %(row)s 行重复") % {"u": username, "row": seen[username]})
        else:
            seen[username] = number
        role = ROLE_BY_NAME.get(row.get("role", ""))
        if role is None:
            problems.append(_("未知角色“%s”") % row.get("role", ""))
        region = None
        if row.get("region"):
            region = lookup.regions.get(row["region"])
            if region is None:
                problems.append(_("未知县（区）“%s”") % row["region"])
        elif role in ROLES_NEEDING_REGION:
            problems.append(_("角色“%s”必须填写县（区）") % Role(role).label)
        school = None
        if row.get("school") and region is not None:
            school = lookup.schools.get((region.pk, row["school"]))
            if school is None:
                problems.append(_("%(region)s 没有学校“%(school)s”") % {"region": region.name, "school": row["school"]})
        elif not row.get("school") and role in ROLES_NEEDING_SCHOOL:
            problems.append(_("角色“%s”必须填写学校") % Role(role).label)
        password = row.get("password", "")
        if password:
            try:
                password_validation.validate_password(password, User(username=username))
            except ValidationError as exc:
                problems.append(_("密码不符合要求：%s") % "；".join(exc.messages))
        for problem in problems:
            errors.add(number, problem)
        if not problems:
            resolved.append(
                {"username": username, "name": row.get("name", ""), "role": role, "region": region, "school": school, "password": password}
            )
    return resolved, errors


@transaction.atomic
def users_import(rows):
    """Create or update accounts; returns (created, updated, generated passwords) or the row errors."""
    User = get_user_model()
    resolved, errors = users_validate(rows)
    if errors:
        return None, errors
    created = updated = 0
    generated = []
    for data in resolved:
        user = User.objects.filter(username=data["username"]).first()
        if user is None:
            user = User(username=data["username"])
            password = data["password"] or random_password()
            if not data["password"]:
                generated.append((data["username"], data["name"], password))
            user.set_password(password)
            created += 1
        else:
            if data["password"]:
                user.set_password(data["password"])
            updated += 1
        user.first_name = data["name"][:150]
        user.save()
        profile_set(user=user, role=data["role"], region=data["region"], school=data["school"], display_name=data["name"])
    return (created, updated, generated), errors


def write_passwords(path, generated):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["username", "name", "password"])
        writer.writerows(generated)
