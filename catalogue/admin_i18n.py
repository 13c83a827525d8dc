"""Wagtail admin labels that Wagtail builds from a field's name instead of its translated verbose
name, so no catalogue can translate them (docs/i18n.md lists what catalogues cannot fix). Each is
given the verbose name Wagtail's own zh_Hans catalogue already translates. Called once, when the
admin hooks load (catalogue/wagtail_hooks.py)."""

from django.utils.text import capfirst


def label_unmarked_admin_fields():
    from wagtail.admin.forms.workflows import WorkflowPageForm
    from wagtail.models import Site, WorkflowPage
    from wagtail.sites.views import IndexView as SiteIndexView

    # 设置 → 工作流 → 将工作流分配给页面: the page chooser's (screen-reader) label was "Page".
    WorkflowPageForm.base_fields["page"].label = capfirst(WorkflowPage._meta.get_field("page").verbose_name)
    # 设置 → 站点: the column headers "Port", "Site name", "Root page".
    for column in SiteIndexView.columns:
        if column.name in ("port", "site_name", "root_page"):
            column.label = capfirst(Site._meta.get_field(column.name).verbose_name)
