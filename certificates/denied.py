from django.utils.translation import gettext_lazy as _

OWN_ONLY = _("只有作品的申报教师和资源管理员可以下载这份荣誉证书。")
NOT_YET = _("作品发布入库并获奖后才能下载荣誉证书。")
