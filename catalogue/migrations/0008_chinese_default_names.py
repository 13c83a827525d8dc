"""Wagtail's migrations store a few English names as data, which the admin then shows as they are:
the root collection "Root" (every image and document form's 集合 list) and the default workflow and
task "Moderators approval" (设置 → 工作流, the workflow reports). Give them Chinese names, unless an
administrator has renamed them already."""

from django.db import migrations

NAMES = {
    ("wagtailcore", "Collection"): ("Root", "默认集合"),
    ("wagtailcore", "Workflow"): ("Moderators approval", "管理员审核"),
    ("wagtailcore", "Task"): ("Moderators approval", "管理员审核"),
}


def forwards(apps, schema_editor):
    for (app_label, model), (old, new) in NAMES.items():
        apps.get_model(app_label, model).objects.filter(name=old).update(name=new)


def backwards(apps, schema_editor):
    for (app_label, model), (old, new) in NAMES.items():
        apps.get_model(app_label, model).objects.filter(name=new).update(name=old)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0007_readable_resource_slugs"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
