"""Resource admins manage COUNTER API users and see (and resend) the monthly push's deliveries."""

from django.db import migrations

RESOURCE_ADMIN_GROUP = "资源管理员"
PERMISSIONS = {
    "sushiconsumer": ["add", "change", "delete", "view"],
    "pushdelivery": ["change", "view"],
}


def _permissions(apps):
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    found = []
    for model, actions in PERMISSIONS.items():
        content_type, _created = ContentType.objects.get_or_create(app_label="interop", model=model)
        for action in actions:
            permission, _created = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
            found.append(permission)
    return found


def forwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    permissions = _permissions(apps)
    group = Group.objects.filter(name=RESOURCE_ADMIN_GROUP).first()
    if group is not None:
        group.permissions.add(*permissions)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    group = Group.objects.filter(name=RESOURCE_ADMIN_GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("interop", "0001_initial"),
        ("catalogue", "0003_site_and_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
