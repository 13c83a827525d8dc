"""Resource admins edit the official denominators (师生基数) in the admin."""

from django.db import migrations

RESOURCE_ADMIN_GROUP = "资源管理员"
CODENAMES = ["add_denominator", "change_denominator", "delete_denominator", "view_denominator"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label="indicators", model="denominator")
    for codename in CODENAMES:
        action = codename.split("_")[0]
        Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": f"Can {action} 师生基数"}
        )
    group = Group.objects.filter(name=RESOURCE_ADMIN_GROUP).first()
    if group is None:
        return
    group.permissions.add(*Permission.objects.filter(content_type__app_label="indicators", codename__in=CODENAMES))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group = Group.objects.filter(name=RESOURCE_ADMIN_GROUP).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="indicators", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("catalogue", "0003_site_and_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
