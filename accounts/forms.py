from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from catalogue.models import Region, School
from ops.auth import CaptchaLoginMixin


class LoginForm(CaptchaLoginMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用，请联系学校或县（区）管理员。"),
    }


class CompletionForm(forms.Form):
    """The first federated sign-in whose school the claims do not map: the person picks their
    county and school (the role always comes from the provider). A county the claims did map is
    fixed."""

    region = forms.ModelChoiceField(label=_("县（区）"), queryset=Region.objects.all(), empty_label=_("请选择县（区）"))
    school = forms.ModelChoiceField(
        label=_("学校"), queryset=School.objects.select_related("region"), empty_label=_("请选择学校")
    )

    def __init__(self, *args, fixed_region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_region = fixed_region
        if fixed_region is not None:
            self.fields["region"].queryset = Region.objects.filter(pk=fixed_region.pk)
            self.fields["region"].initial = fixed_region.pk
            self.fields["region"].empty_label = None
            self.fields["school"].queryset = School.objects.filter(region=fixed_region)
        region_id = self.data.get("region") if self.is_bound else (fixed_region.pk if fixed_region else None)
        if region_id and str(region_id).isdigit() and fixed_region is None:
            self.fields["school"].queryset = School.objects.filter(region_id=region_id)

    def clean(self):
        cleaned = super().clean()
        region, school = cleaned.get("region"), cleaned.get("school")
        if region is not None and school is not None and school.region_id != region.pk:
            self.add_error("school", _("所选学校不属于所选县（区），请重新选择。"))
        return cleaned


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态口令或恢复码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": _("请输入动态口令。")},
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())
