"""Admin form overrides needed for a fully Chinese Wagtail admin, and the same login abuse
controls as the public login form (ops/auth.py: the captcha after repeated failures).

Wagtail's LoginForm redeclares the password field without a label, so Django falls back to the
untranslatable field name ("Password"). Give it the translatable label that Django's own
AuthenticationForm uses; the zh_Hans catalogues already translate it as "密码".
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from ops.auth import CaptchaLoginMixin


class LoginForm(CaptchaLoginMixin, WagtailLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
