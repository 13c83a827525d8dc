"""The home page, the default site, and one permission group per role.

Page permissions are granted on the home page (so they cover the whole catalogue tree) and
collection permissions on the root collection. Wagtail's "add" page permission lets a teacher
create pages and edit only the pages they own; only resource admins hold "publish".
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_GROUPS = {
    "教师": {
        "model": ["wagtailadmin.access_admin"],
        "page": ["add_page"],
        "collection": ["add_image", "choose_image", "add_document", "choose_document"],
    },
    "县区初审员": {
        "model": ["wagtailadmin.access_admin"],
        "page": [],
        "collection": ["choose_image", "choose_document"],
    },
    "市级评审专家": {
        "model": ["wagtailadmin.access_admin"],
        "page": [],
        "collection": ["choose_image", "choose_document"],
    },
    "资源管理员": {
        "model": [
            "wagtailadmin.access_admin",
            "auth.add_user",
            "auth.change_user",
            "auth.view_user",
            "wagtailcore.add_workflow",
            "wagtailcore.change_workflow",
            "wagtailcore.add_task",
            "wagtailcore.change_task",
        ]
        + [
            f"catalogue.{action}_{model}"
            for model in ("theme", "topic", "subject", "stage", "grade", "resourcetype", "region", "school", "userprofile")
            for action in ("add", "change", "delete", "view")
        ],
        "page": ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"],
        "collection": [
            "add_image",
            "change_image",
            "delete_image",
            "choose_image",
            "add_document",
            "change_document",
            "delete_document",
            "choose_document",
        ],
    },
    "学生": {"model": [], "page": [], "collection": []},
    "家长": {"model": [], "page": [], "collection": []},
}


def create_site(apps):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("catalogue.HomePage")

    if HomePage.objects.exists():
        return HomePage.objects.get()
    page_ct = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_ct, slug="home", depth=2).delete()
    home_ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="catalogue")
    locale = Locale.objects.first() or Locale.objects.create(language_code="zh-hans")
    root = Page.objects.get(depth=1)
    siblings = Page.objects.filter(depth=2).order_by("-path").values_list("path", flat=True)
    last = siblings.first()
    path = root.path + (f"{int(last[-4:], 36) + 1:04d}" if last else "0001")
    home = HomePage.objects.create(
        title="驻马店特色数字资源库",
        draft_title="驻马店特色数字资源库",
        slug="home",
        content_type=home_ct,
        path=path,
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        intro="汇聚驻马店红色文化、传统文化与自然风貌特色数字教学资源，与国家优质资源一起服务全市师生。",
        live=True,
        has_unpublished_changes=False,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="驻马店特色数字资源库")
    return home


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    home = create_site(apps)
    root_collection = Collection.objects.get(depth=1)
    # Wagtail's sample groups do not match our roles; remove them so nobody is put in them by mistake.
    Group.objects.filter(name__in=["Moderators", "Editors"]).delete()

    for name, perms in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms["model"]:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        for codename in perms["page"]:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page_id=home.pk,
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
            )
        for codename in perms["collection"]:
            app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_initial_taxonomy"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
