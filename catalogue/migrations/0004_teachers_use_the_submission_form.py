"""Teachers submit through the guided form (/submit/), never through the Wagtail admin, and
reviewers and experts see files only through the review desk's scoped previews.

Wagtail's admin lists every page under a permission's root, and every image and document of a
collection, to anyone holding a permission there: with "add" on the home page a teacher saw the
titles of other teachers' unpublished drafts in the page explorer and the site-history report, and
with "choose" on the root collection reviewers saw other regions' covers and files. So: teachers
lose admin access and their page and collection permissions; reviewers and experts keep admin access
(for their workflow tasks) but lose the collection permissions.
"""

from django.db import migrations

REMOVED = {
    "教师": {"model": ["wagtailadmin.access_admin"], "page": ["add_page"], "collection": True},
    "县区初审员": {"model": [], "page": [], "collection": True},
    "市级评审专家": {"model": [], "page": [], "collection": True},
}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    for name, removed in REMOVED.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for dotted in removed["model"]:
            app_label, codename = dotted.split(".")
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        GroupPagePermission.objects.filter(group=group, permission__codename__in=removed["page"]).delete()
        if removed["collection"]:
            GroupCollectionPermission.objects.filter(group=group).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_site_and_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
