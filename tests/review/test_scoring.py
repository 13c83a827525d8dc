"""Scoring: veto items, weighted totals, the two-expert mean, the third-expert rule and versioning of
the quality standard."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import TaskState

from review import services
from review.models import CampaignReview, Criterion, CriterionScore, ExpertReview, QualityStandard, Stage, Submission
from tests import factories
from tests.review.conftest import good_files

pytestmark = pytest.mark.django_db


def _to_experts(people, submission):
    services.county_decide(submission=submission, user=people.reviewer, decision="approve")
    submission.refresh_from_db()
    assert submission.status == Stage.EXPERT_REVIEW
    return list(
        ExpertReview.objects.filter(submission=submission, status=ExpertReview.Status.ASSIGNED).select_related("expert")
    )


def _scores(standard, total: int) -> dict:
    """Criterion scores that add up to `total`, spread in proportion to the weights."""
    criteria = list(standard.criteria.all())
    scores = {c.pk: Decimal(c.max_points) * total / 100 for c in criteria}
    return {pk: (value.quantize(Decimal("0.01")), "") for pk, value in scores.items()}


def _score(review, total, vetoes=()):
    standard = review.submission.campaign.review_settings.standard
    return services.expert_score(
        review=review, user=review.expert, scores=_scores(standard, total), vetoes=vetoes, comment="评语"
    )


def test_default_standard_weights_total_100_with_descriptions():
    standard = QualityStandard.current()
    criteria = {c.name: c.max_points for c in standard.criteria.all()}
    assert criteria == {
        "科学性/准确性": 25,
        "教育性/适用性": 25,
        "规范性/技术性": 20,
        "创新性/艺术性": 15,
        "地方特色": 15,
    }
    assert all(c.description for c in standard.criteria.all())
    assert {v.name for v in standard.veto_items.all()} == {
        "政治性/导向性问题",
        "侵犯著作权",
        "含有广告（违反公益性）",
        "严重科学性错误",
    }
    assert (standard.pass_mark, standard.excellence_mark, standard.third_expert_gap) == (60, 85, 15)


def test_weighted_total_is_the_sum_of_criterion_scores(people, submitted):
    first, _second = _to_experts(people, submitted)
    standard = submitted.campaign.review_settings.standard
    by_name = {c.name: c.pk for c in standard.criteria.all()}
    scores = {
        by_name["科学性/准确性"]: (24, "准确"),
        by_name["教育性/适用性"]: (22, ""),
        by_name["规范性/技术性"]: (18.5, ""),
        by_name["创新性/艺术性"]: (12, ""),
        by_name["地方特色"]: (14, ""),
    }
    review = services.expert_score(review=first, user=first.expert, scores=scores, comment="整体较好")
    assert review.total == Decimal("90.50")
    assert CriterionScore.objects.filter(review=review).count() == 5


def test_a_score_above_the_criterion_weight_is_refused(people, submitted):
    first, _second = _to_experts(people, submitted)
    standard = submitted.campaign.review_settings.standard
    scores = {c.pk: (c.max_points, "") for c in standard.criteria.all()}
    scores[standard.criteria.get(name="地方特色").pk] = (16, "")
    with pytest.raises(ValidationError) as refused:
        services.expert_score(review=first, user=first.expert, scores=scores, comment="好")
    assert "“地方特色”的得分应在 0 到 15 分之间。" in refused.value.messages
    assert ExpertReview.objects.get(pk=first.pk).status == ExpertReview.Status.ASSIGNED


def test_final_score_is_the_mean_of_two_experts(people, submitted):
    first, second = _to_experts(people, submitted)
    _score(first, 90)
    submitted.refresh_from_db()
    assert submitted.status == Stage.EXPERT_REVIEW and submitted.final_score is None
    _score(second, 80)
    submitted.refresh_from_db()
    assert submitted.final_score == Decimal("85.00")
    assert submitted.status == Stage.SELECTED
    assert submitted.award == "second"  # 85 ≥ the default 二等奖 line


def test_a_gap_over_15_brings_a_third_expert_and_the_closest_two_count(people, submitted):
    first, second = _to_experts(people, submitted)
    _score(first, 92)
    _score(second, 70)  # gap 22 > 15
    submitted.refresh_from_db()
    assert submitted.status == Stage.EXPERT_REVIEW and submitted.final_score is None
    third = ExpertReview.objects.get(submission=submitted, is_third=True)
    assert third.expert == people.expert3
    _score(third, 88)
    submitted.refresh_from_db()
    assert submitted.final_score == Decimal("90.00")  # mean of 92 and 88; 70 is the outlier
    assert submitted.status == Stage.SELECTED


def test_a_gap_of_exactly_15_needs_no_third_expert(people, submitted):
    first, second = _to_experts(people, submitted)
    _score(first, 90)
    _score(second, 75)
    submitted.refresh_from_db()
    assert not ExpertReview.objects.filter(submission=submitted, is_third=True).exists()
    assert submitted.final_score == Decimal("82.50")


def test_the_gap_is_configurable(people, submitted):
    standard = submitted.campaign.review_settings.standard
    QualityStandard.objects.filter(pk=standard.pk).update(third_expert_gap=5)
    first, second = _to_experts(people, submitted)
    _score(first, 90)
    _score(second, 84)
    assert ExpertReview.objects.filter(submission=submitted, is_third=True).exists()


def test_final_score_rule():
    assert services.final_score([Decimal(90), Decimal(80)]) == Decimal("85.00")
    assert services.final_score([Decimal(60), Decimal(90), Decimal(85)]) == Decimal("87.50")
    assert services.final_score([Decimal(70), Decimal(80), Decimal(90)]) == Decimal("85.00")  # tie: the higher pair
    assert services.final_score([Decimal("77.25"), Decimal("80.5")]) == Decimal("78.88")


def test_any_veto_rejects(people, submitted):
    first, second = _to_experts(people, submitted)
    standard = submitted.campaign.review_settings.standard
    advertising = standard.veto_items.get(name="含有广告（违反公益性）")
    _score(first, 95, vetoes=[advertising.pk])
    submitted.refresh_from_db()
    assert submitted.status == Stage.REJECTED
    assert submitted.reason == "一票否决：含有广告（违反公益性）"
    assert submitted.page.current_workflow_state is None  # workflow cancelled
    # The other expert's pending assignment is closed: nothing left to do.
    assert ExpertReview.objects.get(pk=second.pk).status == ExpertReview.Status.CLOSED


def test_below_the_pass_mark_is_not_passed(people, submitted):
    first, second = _to_experts(people, submitted)
    _score(first, 55)
    _score(second, 58)
    submitted.refresh_from_db()
    assert submitted.status == Stage.REJECTED
    assert submitted.reason == "最终得分 56.50 分，低于合格线 60 分"


def test_experts_are_balanced_by_load_and_matched_by_subject(people):
    from review.models import ExpertProfile

    geography = factories.Subject.objects.get(name="地理")
    ExpertProfile.objects.create(user=people.expert3).subjects.add(geography)
    first = factories.submission(teacher=people.teacher, files=good_files("一", "aa3322"), title="一")
    first = services.submission_submit(submission=first, user=people.teacher)
    experts = {r.expert for r in _to_experts(people, first)}
    assert people.expert3 in experts  # the geography expert is matched first


def test_load_balancing_prefers_the_least_busy_expert(people, submitted):
    from review.models import ExpertProfile

    ExpertProfile.objects.create(user=people.expert1, accepts_assignments=True)
    reviews = _to_experts(people, submitted)
    busy = {r.expert_id for r in reviews}
    idle = ({people.expert1.pk, people.expert2.pk, people.expert3.pk} - busy).pop()
    candidates = services.expert_candidates(submission=submitted)
    assert candidates[0].pk == idle


def test_editing_the_standard_creates_a_new_version_and_keeps_closed_scores(people, submitted, client):
    first, second = _to_experts(people, submitted)
    _score(first, 90)
    _score(second, 80)
    old = submitted.campaign.review_settings.standard
    old_criteria = list(old.criteria.values_list("pk", "name", "max_points"))

    admin = factories.user(
        factories.Role.RESOURCE_ADMIN, username="std-admin", region=None, is_superuser=True, is_staff=True
    )
    client.force_login(admin)
    response = client.get(f"/admin/snippets/review/qualitystandard/edit/{old.pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    data = _post_data(form)
    # Re-weight: 地方特色 20, 创新性/艺术性 10.
    for prefix, name, _points in _criteria_rows(form):
        if name == "地方特色":
            data[f"{prefix}-max_points"] = "20"
        if name == "创新性/艺术性":
            data[f"{prefix}-max_points"] = "10"
    data["notes"] = "提高地方特色权重"
    response = client.post(f"/admin/snippets/review/qualitystandard/edit/{old.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    new = QualityStandard.current()
    assert new.version == old.version + 1
    assert {c.name: c.max_points for c in new.criteria.all()}["地方特色"] == 20
    # The old version and the campaign bound to it are untouched.
    assert list(Criterion.objects.filter(standard=old).values_list("pk", "name", "max_points")) == old_criteria
    assert CampaignReview.objects.get(campaign=submitted.campaign).standard == old
    submitted.refresh_from_db()
    assert submitted.final_score == Decimal("85.00")
    # A campaign with scores cannot be moved to another version.
    settings_row = CampaignReview.objects.get(campaign=submitted.campaign)
    settings_row.standard = new
    with pytest.raises(ValidationError):
        settings_row.full_clean()


def test_weights_must_total_100_in_the_admin(client):
    admin = factories.user(
        factories.Role.RESOURCE_ADMIN, username="std-admin2", region=None, is_superuser=True, is_staff=True
    )
    client.force_login(admin)
    old = QualityStandard.current()
    response = client.get(f"/admin/snippets/review/qualitystandard/edit/{old.pk}/")
    form = response.context["form"]
    data = _post_data(form)
    for prefix, name, _points in _criteria_rows(form):
        if name == "地方特色":
            data[f"{prefix}-max_points"] = "30"
    response = client.post(f"/admin/snippets/review/qualitystandard/edit/{old.pk}/", data)
    assert response.status_code == 200
    assert "各评分项分值合计为 115 分，应为 100 分。" in response.content.decode()
    assert QualityStandard.objects.count() == 1


def _criteria_rows(form):
    formset = form.formsets["criteria"]
    return [(f.prefix, f.initial.get("name"), f.initial.get("max_points")) for f in formset.forms]


def _post_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = value
    for formset in form.formsets.values():
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, management[name].value())
        for child in formset.forms:
            for name, field in child.fields.items():
                value = child.initial.get(name, field.initial)
                if name == "id" and child.instance.pk:
                    value = child.instance.pk
                if value is not None and value is not False:
                    data[f"{child.prefix}-{name}"] = value
    return data


def test_task_state_of_the_expert_round_is_wagtails(people, submitted):
    _to_experts(people, submitted)
    state = Submission.objects.get(pk=submitted.pk).page.current_workflow_task_state
    assert state.status == TaskState.STATUS_IN_PROGRESS
    assert state.task.specific.__class__.__name__ == "ExpertReviewTask"
