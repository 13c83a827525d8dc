"""The default quality standard (version 1) and the resource admins' permissions on review data.

Afterwards the standard is data edited in the admin (征集评审 → 质量标准); each save is a new version.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VETO_ITEMS = [
    ("政治性/导向性问题", "存在政治性错误或价值导向问题，如地图、国旗国徽使用不规范，违背社会主义核心价值观等。"),
    ("侵犯著作权", "抄袭、盗用他人作品，或使用未获授权的素材（音乐、图片、视频片段等）。"),
    ("含有广告（违反公益性）", "出现商业广告、商品推销、机构招生宣传、二维码引流等内容。"),
    ("严重科学性错误", "存在严重的知识性、科学性错误，可能误导学生。"),
]

CRITERIA = [
    ("科学性/准确性", 25, "内容正确无误，概念、原理、史实、数据准确；引用规范，注明出处；语言文字规范。"),
    ("教育性/适用性", 25, "符合课程标准和学生认知规律，教学目标明确，重点突出，可直接用于课堂教学或课后学习。"),
    ("规范性/技术性", 20, "画面清晰、声音清楚、字幕准确；格式、时长、分辨率等符合技术要求；结构完整，导航清楚。"),
    ("创新性/艺术性", 15, "设计新颖，表现形式生动，有创意；画面美观，配乐得当，富有感染力。"),
    ("地方特色", 15, "充分挖掘驻马店本地红色文化、传统文化、自然风貌资源，特色鲜明，体现地域文化价值。"),
]

ADMIN_MODELS = ["qualitystandard", "campaignreview", "expertprofile"]


def forwards(apps, schema_editor):
    QualityStandard = apps.get_model("review", "QualityStandard")
    Criterion = apps.get_model("review", "Criterion")
    VetoItem = apps.get_model("review", "VetoItem")
    if not QualityStandard.objects.exists():
        standard = QualityStandard.objects.create(version=1, notes="初始版本：依据市教育局征集活动通知制定。")
        for order, (name, description) in enumerate(VETO_ITEMS):
            VetoItem.objects.create(standard=standard, name=name, description=description, sort_order=order)
        for order, (name, points, description) in enumerate(CRITERIA):
            Criterion.objects.create(standard=standard, name=name, max_points=points, description=description, sort_order=order)

    app_config = apps.get_app_config("review")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group = Group.objects.filter(name="资源管理员").first()
    if group is not None:
        for model in ADMIN_MODELS:
            for action in ("add", "change", "view", "delete"):
                permission = Permission.objects.filter(content_type__app_label="review", codename=f"{action}_{model}").first()
                if permission is not None and not (model == "qualitystandard" and action == "delete"):
                    group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial"), ("catalogue", "0003_site_and_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
