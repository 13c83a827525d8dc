"""Idempotent review demo on top of `seed_demo`: expert profiles for expert1-3, the workflow and the
2026 campaign's review settings, and six submissions in different states (draft, waiting for county
review, returned for revision, in city expert review, awaiting selection, in the public notice 公示).
Media are generated with ffmpeg and Pillow."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image

from catalogue.models import CampaignPage, Grade, ResourcePage, ResourceType, Stage, Subject, Theme, Topic
from review import services
from review.models import ExpertProfile, ExpertReview, Submission

EXPERT_SUBJECTS = {
    "expert1": (["地理", "科学", "生物"], ["自然风貌"]),
    "expert2": (["语文", "历史", "道德与法治"], ["红色文化", "传统文化"]),
    "expert3": (["美术", "音乐", "劳动教育"], ["传统文化"]),
}

# title, teacher, topic, subject, stage, colour, target state
DEMO = [
    ("嵖岈山｜石猴仙洞里的地质密码（草稿）", "teacher", "嵖岈山", "地理", "初中", "3b7a57", "draft"),
    ("嵖岈山｜四季植被观察微课", "teacher", "嵖岈山", "生物", "初中", "4a6fa5", "county"),
    ("老乐山｜森林里的二十四节气", "teacher2", "老乐山", "科学", "小学", "8a5a44", "returned"),
    ("嵖岈山｜花岗岩球状风化实验", "teacher", "嵖岈山", "科学", "初中", "a34a28", "expert"),
    ("嵖岈山｜山石间的植物群落", "teacher", "嵖岈山", "生物", "初中", "2f6b3a", "selected"),
    ("老乐山｜一片树叶的旅行", "teacher2", "老乐山", "科学", "小学", "6b4f2f", "publicity"),
]


def _video(colour: str, workdir: Path) -> bytes:
    if shutil.which("ffmpeg") is None:
        raise CommandError("需要 ffmpeg 生成演示视频（apt-get install ffmpeg）。")
    clip, out = workdir / f"{colour}-clip.mp4", workdir / f"{colour}.mp4"
    base = ["ffmpeg", "-v", "error", "-y"]
    subprocess.run(
        base
        + [
            "-f",
            "lavfi",
            "-i",
            f"color=c=0x{colour}:s=1280x720:r=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=44100",
        ]
        + [
            "-t",
            "10",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "stillimage",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            str(clip),
        ],
        check=True,
    )
    subprocess.run(
        base + ["-stream_loop", "36", "-i", str(clip), "-c", "copy", "-t", "361", "-movflags", "+faststart", str(out)],
        check=True,
    )
    return out.read_bytes()


def _cover(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 720), tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))).save(buffer, format="PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "加载征集评审演示数据（在 seed_demo 之后运行，可重复执行）。"

    def handle(self, *args, **options):
        campaign = CampaignPage.objects.filter(year=2026).first()
        if campaign is None:
            raise CommandError("请先运行 python manage.py seed_demo")
        User = get_user_model()
        services.review_workflow_ensure()
        services.campaign_review_ensure(campaign=campaign)
        for username, (subjects, themes) in EXPERT_SUBJECTS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            profile, _ = ExpertProfile.objects.get_or_create(user=user)
            profile.subjects.set(Subject.objects.filter(name__in=subjects))
            profile.themes.set(Theme.objects.filter(name__in=themes))
        created = 0
        with tempfile.TemporaryDirectory() as tmp:
            for title, username, topic_name, subject, stage_name, colour, target in DEMO:
                if (
                    ResourcePage.objects.filter(title=title).exists()
                    or Submission.objects.filter(page__draft_title=title).exists()
                ):
                    continue
                with transaction.atomic():
                    self._one(
                        User, Path(tmp), campaign, title, username, topic_name, subject, stage_name, colour, target
                    )
                created += 1
        self.stdout.write(self.style.SUCCESS(f"征集评审演示数据已就绪：本次新增 {created} 件申报。"))

    def _one(self, User, tmp, campaign, title, username, topic_name, subject, stage_name, colour, target):
        teacher = User.objects.get(username=username)
        topic = Topic.objects.select_related("theme").get(name=topic_name)
        stage = Stage.objects.get(name=stage_name)
        data = {
            "title": title,
            "resource_type": ResourceType.objects.get(code="video"),
            "theme": topic.theme,
            "topic": topic,
            "subjects": list(Subject.objects.filter(name=subject)),
            "stage": stage,
            "grades": list(Grade.objects.filter(stage=stage)[:1]),
            "description": f"{topic.name}主题微课：{title.split('｜')[-1]}。",
            "authors": teacher.profile.display_name or username,
            "co_authors": "",
            "external_url": "",
            "licence": ResourcePage.Licence.PLATFORM,
            "licence_confirmed": True,
        }
        files = {
            "main_file": SimpleUploadedFile(f"demo-{colour}.mp4", _video(colour, tmp), content_type="video/mp4"),
            "cover": SimpleUploadedFile(f"cover-{colour}.png", _cover(colour), content_type="image/png"),
        }
        submission = services.submission_save(teacher=teacher, data=data, files=files, campaign=campaign)
        if target == "draft":
            return
        services.submission_submit(submission=submission, user=teacher)
        reviewer = User.objects.filter(profile__role="county_reviewer", profile__region=submission.region).first()
        if target == "returned" and reviewer:
            services.county_decide(
                submission=submission,
                user=reviewer,
                decision="reject",
                reason="请在片头补充课题名称和适用年级，并添加字幕。",
            )
        elif target in ("expert", "selected", "publicity") and reviewer:
            services.county_decide(
                submission=submission, user=reviewer, decision="approve", reason="内容准确，同意推荐。"
            )
        if target not in ("selected", "publicity"):
            return
        standard = campaign.review_settings.standard
        for review, gap in zip(
            ExpertReview.objects.filter(submission=submission, status=ExpertReview.Status.ASSIGNED),
            (1, 2),
            strict=False,
        ):
            services.expert_score(
                review=review,
                user=review.expert,
                scores={c.pk: (c.max_points - gap, "") for c in standard.criteria.all()},
                comment="选题贴近本地资源，讲解清楚，画面可再精致一些。",
            )
        admin = User.objects.filter(profile__role="resource_admin").first()
        if target == "publicity" and admin:
            submission.refresh_from_db()
            services.publicity_open(campaign=campaign, submissions=[submission], days=7, user=admin)
