"""Idempotent demo data: taxonomy pages, schools, accounts for every role, 2025/2026 campaigns and
60+ resources across every theme and topic, with generated covers, clips and documents."""

import datetime
import hashlib
import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from catalogue.demo import content
from catalogue.demo.media import SAMPLE_AUDIO, SAMPLE_VIDEO, cover_png, document_pdf
from catalogue.models import (
    CampaignPage,
    Grade,
    Region,
    ResourceFile,
    ResourceGalleryImage,
    ResourcePage,
    ResourceType,
    Role,
    School,
    Stage,
    Subject,
    Theme,
    Topic,
)
from catalogue.services import (
    campaign_ensure,
    national_index_ensure,
    plain_text_to_rich_text,
    profile_set,
    taxonomy_pages_sync,
)
from catalogue.signals import demo_seeded

DEMO_PASSWORD = "Zmd#demo2026"

# username, display name, role, region, school, superuser
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", Role.RESOURCE_ADMIN, None, None, True),
    ("ziyuan", "资源中心 周老师", Role.RESOURCE_ADMIN, None, None, False),
    ("teacher", "遂平 王静老师", Role.TEACHER, "遂平县", "遂平县第一初级中学", False),
    ("teacher2", "驿城 李华老师", Role.TEACHER, "驿城区", "驿城区实验小学", False),
    ("reviewer", "遂平县初审员", Role.COUNTY_REVIEWER, "遂平县", None, False),
    ("reviewer2", "驿城区初审员", Role.COUNTY_REVIEWER, "驿城区", None, False),
    ("expert1", "评审专家一", Role.CITY_EXPERT, "市直", "驻马店市第一高级中学", False),
    ("expert2", "评审专家二", Role.CITY_EXPERT, "市直", "驻马店市实验小学", False),
    ("expert3", "评审专家三", Role.CITY_EXPERT, "确山县", "确山县第一高级中学", False),
    ("student", "遂平学生 小明", Role.STUDENT, "遂平县", "遂平县第一初级中学", False),
    ("parent", "遂平家长 王女士", Role.PARENT, "遂平县", "遂平县第一初级中学", False),
]


class Command(BaseCommand):
    help = "加载演示数据（可重复执行，不会重复创建）。"

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self.seed()
        demo_seeded.send(sender=self.__class__, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：本次新增 {created} 条资源，共 {ResourcePage.objects.count()} 条。"))

    def seed(self) -> int:
        taxonomy_pages_sync()
        self.collection = self._collection()
        self.schools = self._schools()
        self.users = self._accounts()
        open_campaign = self._campaign_2026()
        closed_campaign = campaign_ensure(year=2025)
        self.video_doc = self._shipped_document("演示视频：天中风光", SAMPLE_VIDEO)
        self.audio_doc = self._shipped_document("演示音频：诵读配乐", SAMPLE_AUDIO)
        created = 0
        number = 0
        for topic_name, (region_name, angles) in content.TOPICS.items():
            topic = Topic.objects.select_related("theme").get(name=topic_name)
            for slot, angle in enumerate(angles):
                number += 1
                year = 2025 if slot == 3 else 2026  # one angle per topic from last year's campaign
                parent = closed_campaign if year == 2025 else open_campaign
                if self._resource(number, topic, slot, angle, region_name, parent, year):
                    created += 1
        for i, (title, theme_name, subject, stage, url) in enumerate(content.NATIONAL, start=1):
            if self._national(i, title, theme_name, subject, stage, url):
                created += 1
        return created

    # --- pieces ---------------------------------------------------------------------------

    def _collection(self):
        root = Collection.get_first_root_node()
        existing = root.get_children().filter(name="演示数据").first()
        return existing or root.add_child(name="演示数据")

    def _schools(self):
        schools = {}
        for region_name, names in content.SCHOOLS.items():
            region = Region.objects.get(name=region_name)
            for order, name in enumerate(names, start=1):
                school, _ = School.objects.get_or_create(region=region, name=name, defaults={"sort_order": order * 10})
                schools[name] = school
        return schools

    def _accounts(self):
        User = get_user_model()
        users = {}
        for username, name, role, region_name, school_name, superuser in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=name, email=f"{username}@demo.zmd-edu.local")
                user.set_password(DEMO_PASSWORD)
                user.is_superuser = superuser
                user.is_staff = superuser
                user.save()
            region = Region.objects.get(name=region_name) if region_name else None
            school = self.schools.get(school_name) if school_name else None
            profile_set(user=user, role=role, region=region, school=school, display_name=name)
            users[username] = user
        return users

    def _campaign_2026(self):
        campaign = CampaignPage.objects.filter(year=2026).first()
        if campaign is None:
            campaign = campaign_ensure(year=2026)
            # The demo's current campaign is open now, so teachers can try submitting.
            campaign.opens_on = datetime.date(2026, 9, 1)
            campaign.closes_on = datetime.date(2026, 12, 31)
            campaign.intro = (
                "<p>围绕红色文化、传统文化、自然风貌三大主题，面向全市中小学教师征集特色数字资源。"
                "经县区初审、市级专家评审后，优秀资源分类入库，供全市师生使用。</p>"
            )
            campaign.save_revision().publish()
        return campaign

    def _image(self, title, png_bytes):
        Image = get_image_model()
        image = Image.objects.filter(title=title, collection=self.collection).first()
        if image is None:
            name = f"{hashlib.sha1(title.encode()).hexdigest()[:12]}.png"
            image = Image.objects.create(title=title, collection=self.collection, file=ImageFile(io.BytesIO(png_bytes), name=name))
        return image

    def _document(self, title, filename, data: bytes):
        Document = get_document_model()
        document = Document.objects.filter(title=title, collection=self.collection).first()
        if document is None:
            document = Document(title=title, collection=self.collection)
            document.file.save(filename, ContentFile(data), save=False)
            document.save()
        return document

    def _shipped_document(self, title, path):
        return self._document(title, path.name, path.read_bytes())

    def _resource(self, number, topic, slot, angle, region_name, parent, year) -> bool:
        external_id = f"demo-{topic.slug}-{slot + 1}"
        if ResourcePage.objects.filter(external_id=external_id).exists():
            return False
        phrase, sentence = angle[0], angle[1]
        subject_name, stage_name, type_code = angle[2] if len(angle) > 2 else content.ANGLES[topic.theme.name][slot]
        resource_type = ResourceType.objects.get(code=type_code)
        stage = Stage.objects.get(name=stage_name)
        region = Region.objects.get(name=region_name)
        school = School.objects.filter(region=region).order_by("sort_order").first()
        owner = self.users["teacher"] if region_name == "遂平县" else self.users["teacher2"]
        authors = "、".join(content.AUTHORS[(number + k) % len(content.AUTHORS)] for k in range(1 + number % 2))
        title = f"{topic.name}｜{phrase}"
        description = (
            f"{sentence}\n{topic.description}"
            f"本资源为{stage_name}{subject_name}{resource_type.name}，由{school.name if school else region_name}教师团队原创制作，"
            f"可用于课堂教学、课后拓展与研学活动。"
        )
        colours = content.THEME_COLOURS.get(topic.theme.name, ((60, 60, 120), (140, 140, 200)))
        cover = self._image(f"封面：{title}", cover_png(phrase, f"{topic.name} · {resource_type.name}", colours, seed=number))
        page = ResourcePage(
            title=title,
            slug=f"demo-{topic.slug}-{slot + 1}",
            external_id=external_id,
            description=plain_text_to_rich_text(description),
            theme=topic.theme,
            topic=topic,
            stage=stage,
            resource_type=resource_type,
            cover_image=cover,
            authors=authors,
            region=region,
            school=school,
            year=year,
            licence=ResourcePage.Licence.PLATFORM,
            licence_confirmed=True,
            owner=owner,
        )
        page.subjects = [Subject.objects.get(name=subject_name)]
        page.grades = list(Grade.objects.filter(name__in=content.GRADES[stage_name]))
        files = []
        if type_code == "video":
            files.append(ResourceFile(document=self.video_doc, kind=ResourceFile.Kind.VIDEO, caption="微课视频"))
        elif type_code == "audio":
            files.append(ResourceFile(document=self.audio_doc, kind=ResourceFile.Kind.AUDIO, caption="音频"))
        if type_code in {"courseware", "design", "worksheet", "video"}:
            pdf = document_pdf(title, [sentence, topic.description])
            label = {"courseware": "课件", "design": "教学设计", "worksheet": "学案"}.get(type_code, "配套学习单")
            doc = self._document(f"{label}：{title}", f"{external_id}.pdf", pdf)
            files.append(ResourceFile(document=doc, kind=ResourceFile.Kind.DOCUMENT, caption=label))
        page.files = files
        if type_code == "gallery":
            page.gallery_images = [
                ResourceGalleryImage(
                    image=self._image(
                        f"图集{k}：{title}", cover_png(f"{topic.name} 之{'一二三'[k - 1]}", phrase, colours, seed=number * 7 + k)
                    ),
                    caption=f"{topic.name} 图{k}",
                )
                for k in (1, 2, 3)
            ]
        parent.add_child(instance=page)
        page.save_revision(user=owner).publish()
        return True

    def _national(self, number, title, theme_name, subject, stage_name, url) -> bool:
        external_id = f"demo-national-{number}"
        if ResourcePage.objects.filter(external_id=external_id).exists():
            return False
        theme = Theme.objects.get(name=theme_name)
        colours = content.THEME_COLOURS.get(theme_name)
        page = ResourcePage(
            title=title,
            slug=external_id,
            external_id=external_id,
            source=ResourcePage.Source.NATIONAL,
            description=plain_text_to_rich_text(
                f"{title}。国家级平台的优质资源，与本地{theme_name}特色资源配合使用。点击“访问资源”在新窗口打开。"
            ),
            theme=theme,
            stage=Stage.objects.get(name=stage_name),
            resource_type=ResourceType.objects.get(code="link"),
            external_url=url,
            cover_image=self._image(f"封面：{title}", cover_png(title, "国家优质资源", colours, seed=100 + number)),
            authors="国家中小学智慧教育平台",
            year=2026,
            licence=ResourcePage.Licence.NATIONAL,
            licence_confirmed=True,
        )
        page.subjects = [Subject.objects.get(name=subject)]
        national_index_ensure().add_child(instance=page)
        page.save_revision().publish()
        return True
