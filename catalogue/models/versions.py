"""The version of what visitor pages show, kept in the database (catalogue.caching.content())."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentVersion(models.Model):
    """One row, replaced (its number raised) in the same transaction as every write that can change
    a kept visitor page: the change and the new version commit together or not at all, so no
    failure of the shared cache can leave a withdrawn page or file served from a kept copy."""

    number = models.PositiveBigIntegerField(_("版本号"), default=0)

    class Meta:
        verbose_name = _("访客页面内容版本")
        verbose_name_plural = _("访客页面内容版本")

    def __str__(self):
        return str(self.number)
