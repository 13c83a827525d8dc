"""What a signed-in reader keeps for themselves: favourites (收藏) and learning history (学习记录).

Both belong to the reader, not to the resource: they are part of the person's data (exported and
erased with the account, see `catalogue.wagtail_hooks`) and never shown to anyone else.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .pages import ResourceFile, ResourcePage


class Favourite(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="favourites"
    )
    resource = models.ForeignKey(
        ResourcePage, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="favourited_by"
    )
    created_at = models.DateTimeField(_("收藏时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收藏")
        verbose_name_plural = _("收藏")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "resource"], name="favourite_once_per_user")]

    def __str__(self):
        return f"{self.user} ★ {self.resource}"


class LearningRecord(models.Model):
    """One row per reader and resource: when they last opened it and where playback stopped.

    `position` / `duration` (seconds) belong to `file`, the video or audio last played; the page
    offers to resume that file from `position`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="learning_records"
    )
    resource = models.ForeignKey(
        ResourcePage, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="learning_records"
    )
    file = models.ForeignKey(
        ResourceFile, verbose_name=_("播放的文件"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.FloatField(_("播放位置（秒）"), default=0)
    duration = models.FloatField(_("时长（秒）"), default=0)
    visits = models.PositiveIntegerField(_("打开次数"), default=0)
    first_visited_at = models.DateTimeField(_("首次学习时间"), auto_now_add=True)
    last_visited_at = models.DateTimeField(_("最近学习时间"), db_index=True)

    class Meta:
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        ordering = ["-last_visited_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "resource"], name="learning_record_once_per_user")]

    def __str__(self):
        return f"{self.user} · {self.resource}"

    @property
    def progress_percent(self) -> int:
        if not self.duration:
            return 0
        return max(0, min(100, round(100 * self.position / self.duration)))
