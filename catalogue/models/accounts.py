"""User profiles: every account has one role, and a region and school where the role needs them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .taxonomy import Region, School


class Role(models.TextChoices):
    TEACHER = "teacher", _("教师")
    COUNTY_REVIEWER = "county_reviewer", _("县区初审员")
    CITY_EXPERT = "city_expert", _("市级评审专家")
    RESOURCE_ADMIN = "resource_admin", _("资源管理员")
    STUDENT = "student", _("学生")
    PARENT = "parent", _("家长")


# One Django group per role, created by migration 0003 with its Wagtail permissions.
ROLE_GROUP_NAMES = {
    Role.TEACHER: "教师",
    Role.COUNTY_REVIEWER: "县区初审员",
    Role.CITY_EXPERT: "市级评审专家",
    Role.RESOURCE_ADMIN: "资源管理员",
    Role.STUDENT: "学生",
    Role.PARENT: "家长",
}

# Roles whose accounts belong to a school / a region.
ROLES_NEEDING_REGION = {Role.TEACHER, Role.COUNTY_REVIEWER, Role.STUDENT, Role.PARENT}
ROLES_NEEDING_SCHOOL = {Role.TEACHER, Role.STUDENT, Role.PARENT}


class Confirmation(models.TextChoices):
    """A federated teacher's school is confirmed by their county before they may submit."""

    CONFIRMED = "confirmed", _("已确认")
    PENDING = "pending", _("待县区确认")
    REJECTED = "rejected", _("未通过确认")


class UserProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STUDENT)
    region = models.ForeignKey(
        Region, verbose_name=_("县（区）"), null=True, blank=True, on_delete=models.PROTECT, related_name="profiles"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="profiles"
    )

    confirmation = models.CharField(
        _("身份确认"), max_length=12, choices=Confirmation.choices, default=Confirmation.CONFIRMED
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = _("用户资料")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmation == Confirmation.CONFIRMED

    def __str__(self):
        return f"{self.display_name or self.user.get_username()}（{self.get_role_display()}）"
