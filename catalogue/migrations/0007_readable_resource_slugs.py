"""Resources published before readable addresses keep working: each live resource still under a
draft slug (s2026-75bdb814add5) gets its pinyin slug (catalogue.naming), and the old address
becomes a permanent redirect (wagtail.contrib.redirects) to the page."""

import re

from django.db import migrations

DRAFT_SLUG = re.compile(r"^s\d{4}-[0-9a-f]{12}$")
STEPLEN = 4  # treebeard's path step for Wagtail pages


def forwards(apps, schema_editor):
    from catalogue.naming import readable_slug

    ResourcePage = apps.get_model("catalogue", "ResourcePage")
    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    Redirect = apps.get_model("wagtailredirects", "Redirect")
    Site = apps.get_model("wagtailcore", "Site")
    site_roots = [site.root_page.url_path for site in Site.objects.select_related("root_page")]
    for page in ResourcePage.objects.filter(live=True).order_by("path"):
        if not DRAFT_SLUG.match(page.slug):
            continue
        parent_path = page.path[:-STEPLEN]
        taken = set(
            Page.objects.filter(path__startswith=parent_path, depth=page.depth)
            .exclude(pk=page.pk)
            .values_list("slug", flat=True)
        )
        slug = readable_slug(page.title, taken, fallback=f"resource-{page.pk}")
        old_url_path = page.url_path
        new_url_path = old_url_path[: -(len(page.slug) + 1)] + slug + "/"
        Page.objects.filter(pk=page.pk).update(slug=slug, url_path=new_url_path)
        revision = Revision.objects.filter(pk=page.latest_revision_id).first()
        if revision is not None:
            revision.content["slug"] = slug
            revision.content["url_path"] = new_url_path
            revision.save(update_fields=["content"])
        for root in site_roots:
            if old_url_path.startswith(root):
                old_path = "/" + old_url_path[len(root) :].rstrip("/")
                Redirect.objects.get_or_create(
                    old_path=old_path,
                    site=None,
                    defaults={"redirect_page_id": page.pk, "is_permanent": True, "automatically_created": True},
                )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_reader_library_and_previews"),
        ("wagtailcore", "0094_alter_page_locale"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
