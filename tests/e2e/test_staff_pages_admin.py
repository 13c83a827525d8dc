"""Every page the resource admin (资源管理员) and the superuser use, at 390×844 and 1366×768: their
pages on the site (review desk, 遴选发布, 公示 management, teacher confirmations) and every Wagtail
admin page type their menus lead to: the page explorer and the editors of resource, campaign, theme
and topic pages, page history, the snippets (分类体系, 征集评审, 用户角色, 统一身份认证, 师生基数, 搜索同义词)
lists and forms, images and documents, the reports (site history = the audit log, workflows, aging
and locked pages, page types), workflows and tasks, users, 平台互联, 应用成效监测, 征集评审报表, and
the superuser's 设置 (groups, sites, collections, redirects, resetting someone's two-factor).
Checks and data set: staff_pages.py. Screenshots go to $E2E_SHOTS (default /tmp/shots/e2e-staff)."""

import pytest

from tests.e2e.staff_pages import ANY_WORD, login, visit, world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVE = "footer button[type=submit], .footer__container button[type=submit]"
ADD = "header a:has-text('添加'), header a:has-text('增加'), header a:has-text('新建')"
POST = "#main form[method=post] button[type=submit]"


# NOT FIXED: the superuser's group editor shows Django's permission names for every model ("Can add
# group", "Can view push delivery", Wagtail's page permission labels built from them), which Django
# stores in English in the database when it creates the permissions, after every migration, so
# neither a catalogue nor a data migration reaches them. Only superusers see this page; its layout,
# overflow and primary action are still checked (docs/i18n.md).
KNOWN_ENGLISH = {"superuser-group-edit": ANY_WORD}


def _snippet(app, model, pk, name, *, add=True):
    rows = [(f"/admin/snippets/{app}/{model}/", f"admin-{name}-list", ADD if add else None)]
    if pk is not None:
        rows.append((f"/admin/snippets/{app}/{model}/edit/{pk}/", f"admin-{name}-edit", SAVE))
    return rows


def test_every_resource_admin_page_fits_both_screens(live_server, browser, site_pages):
    from wagtail.models import Workflow

    from catalogue.models import School, Theme, Topic
    from indicators.models import Denominator
    from interop.models import PushDelivery, PushStatus, SushiConsumer
    from review.models import CampaignReview, ExpertProfile, QualityStandard
    from search.models import Synonym

    people = world()
    resource, campaign = people.resource, people.campaign
    theme = Theme.objects.select_related("page").get(name="红色文化")
    topic = Topic.objects.select_related("page").get(name="嵖岈山")
    denominator = Denominator.objects.create(
        year=2026, region=people.reviewer.profile.region, teachers=120, students=2400
    )
    synonym = Synonym.objects.create(terms="红色文化、革命传统", note="主题别名")
    consumer = SushiConsumer.objects.create(name="河南省智慧教育平台", contact="王老师 0396-1234567")
    delivery = PushDelivery.objects.create(
        month="2026-10-01",
        unit_kind="county",
        region=people.reviewer.profile.region,
        body="{}",
        status=PushStatus.FAILED,
        attempts=3,
        last_error="连接超时",
    )
    expert_profile = ExpertProfile.objects.get_or_create(user=people.expert1)[0]
    workflow = Workflow.objects.get(name="征集评审流程")
    task = workflow.tasks.first()
    page = login(browser, live_server, "ziyuan")
    problems = visit(
        page,
        live_server,
        [
            # their pages on the site
            ("/review/", "admin-desk", None),
            (f"/review/{people.noticed.pk}/", "admin-detail", None),
            ("/review/selection/", "admin-selection", "text=发起公示"),
            ("/review/selection/published/", "admin-published", None),
            (f"/review/publicity/{people.publicity.pk}/", "admin-publicity-manage", "text=提交处理结果"),
            ("/accounts/confirmations/", "admin-confirmations", "button[value=confirm]"),
            ("/notifications/", "admin-notifications", None),
            ("/accounts/security/", "admin-security", None),
            # Wagtail: dashboard, explorer, page editors, history
            ("/admin/", "admin-dashboard", None),
            (f"/admin/pages/{campaign.get_parent().pk}/", "admin-explorer-home", None),
            (f"/admin/pages/{campaign.pk}/", "admin-explorer-campaign", None),
            (f"/admin/pages/{resource.pk}/edit/", "admin-edit-resource", "button:has-text('保存草稿')"),
            (f"/admin/pages/{campaign.pk}/edit/", "admin-edit-campaign", "button:has-text('保存草稿')"),
            (f"/admin/pages/{theme.page.pk}/edit/", "admin-edit-theme", "button:has-text('保存草稿')"),
            (f"/admin/pages/{topic.page.pk}/edit/", "admin-edit-topic", "button:has-text('保存草稿')"),
            (
                f"/admin/pages/add/catalogue/resourcepage/{campaign.pk}/",
                "admin-new-resource",
                "button:has-text('保存草稿')",
            ),
            (f"/admin/pages/{campaign.get_parent().pk}/add_subpage/", "admin-add-subpage", None),
            (f"/admin/pages/{resource.pk}/history/", "admin-page-history", None),
            # snippets
            *_snippet("catalogue", "theme", theme.pk, "theme"),
            *_snippet("catalogue", "topic", topic.pk, "topic"),
            *_snippet("catalogue", "subject", None, "subject"),
            *_snippet("catalogue", "stage", None, "stage"),
            *_snippet("catalogue", "grade", None, "grade"),
            *_snippet("catalogue", "resourcetype", None, "resourcetype"),
            *_snippet("catalogue", "region", None, "region"),
            *_snippet("catalogue", "school", School.objects.first().pk, "school"),
            *_snippet("catalogue", "userprofile", people.teacher.profile.pk, "userprofile", add=False),
            *_snippet("review", "qualitystandard", QualityStandard.objects.first().pk, "qualitystandard"),
            *_snippet("review", "campaignreview", CampaignReview.objects.first().pk, "campaignreview"),
            *_snippet("review", "expertprofile", expert_profile.pk, "expertprofile"),
            *_snippet("indicators", "denominator", denominator.pk, "denominator"),
            *_snippet("accounts", "regionmapping", None, "regionmapping"),
            *_snippet("accounts", "schoolmapping", None, "schoolmapping"),
            *_snippet("search", "synonym", synonym.pk, "synonym"),
            ("/admin/snippets/catalogue/theme/add/", "admin-theme-add", SAVE),
            # images and documents
            ("/admin/images/", "admin-images", ADD),
            (f"/admin/images/{people.image.pk}/", "admin-image-edit", SAVE),
            ("/admin/images/multiple/add/", "admin-image-add", None),
            ("/admin/documents/", "admin-documents", ADD),
            (f"/admin/documents/edit/{people.video.pk}/", "admin-document-edit", SAVE),
            ("/admin/documents/multiple/add/", "admin-document-add", None),
            # reports, the audit log among them
            ("/admin/reports/site-history/", "admin-report-site-history", None),
            ("/admin/reports/workflow/", "admin-report-workflow", None),
            ("/admin/reports/workflow_tasks/", "admin-report-workflow-tasks", None),
            ("/admin/reports/aging-pages/", "admin-report-aging-pages", None),
            ("/admin/reports/locked/", "admin-report-locked", None),
            ("/admin/reports/page-types-usage/", "admin-report-page-types", None),
            # workflows and their tasks
            ("/admin/workflows/list/", "admin-workflows", ADD),
            (f"/admin/workflows/edit/{workflow.pk}/", "admin-workflow-edit", SAVE),
            ("/admin/workflows/tasks/index/", "admin-workflow-tasks", ADD),
            (f"/admin/workflows/tasks/edit/{task.pk}/", "admin-workflow-task-edit", SAVE),
            # users
            ("/admin/users/", "admin-users", ADD),
            ("/admin/users/new/", "admin-user-new", SAVE),
            (f"/admin/users/edit/{people.teacher.pk}/", "admin-user-edit", SAVE),
            ("/admin/account/", "admin-account", None),
            # 征集评审报表, 应用成效监测, 平台互联
            ("/admin/review-report/", "admin-review-report", "#main a.button:has-text('遴选发布')"),
            ("/admin/indicators/", "admin-indicators", "#main a:has-text('下载月度监测')"),
            ("/admin/sushi_consumers/", "admin-sushi-consumers", ADD),
            ("/admin/sushi_consumers/new/", "admin-sushi-consumer-new", SAVE),
            (f"/admin/sushi_consumers/edit/{consumer.pk}/", "admin-sushi-consumer-edit", SAVE),
            ("/admin/push_deliveries/", "admin-push-deliveries", None),
            (f"/admin/push_deliveries/inspect/{delivery.pk}/", "admin-push-delivery", None),
            (f"/admin/push_deliveries/resend/{delivery.pk}/", "admin-push-resend", POST),
        ],
    )
    page.context.close()

    page = login(browser, live_server, "admin")
    problems += visit(
        page,
        live_server,
        [
            ("/admin/groups/", "superuser-groups", ADD),
            (f"/admin/groups/edit/{people.admin.groups.first().pk}/", "superuser-group-edit", SAVE),
            ("/admin/sites/", "superuser-sites", ADD),
            ("/admin/collections/", "superuser-collections", ADD),
            ("/admin/redirects/", "superuser-redirects", ADD),
            ("/admin/users/", "superuser-users", ADD),
            (f"/admin/users/edit/{people.admin.pk}/", "superuser-user-edit", SAVE),
            (f"/admin/accounts/2fa-reset/{people.reviewer.pk}/", "superuser-2fa-reset", POST),
        ],
        known_english=KNOWN_ENGLISH,
    )
    assert problems == [], "\n".join(problems)
