"""Password rules beyond Django's: a mix of character classes (等保 password complexity)."""

import string

from django.contrib.auth.password_validation import MinimumLengthValidator as _MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("lower", lambda c: c in string.ascii_lowercase),
    ("upper", lambda c: c in string.ascii_uppercase),
    ("digit", lambda c: c.isdigit()),
    ("symbol", lambda c: not c.isalnum() and not c.isspace()),
)


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = max(1, min(int(min_classes), len(CLASSES)))

    def classes_in(self, password: str) -> int:
        return sum(1 for _name, test in CLASSES if any(test(c) for c in password))

    def validate(self, password, user=None):
        if self.classes_in(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须至少包含小写字母、大写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes}


class MinimumLengthValidator(_MinimumLengthValidator):
    """Django's length rule; Django 5.2 reworded its message and the shipped zh_Hans catalogue
    has no translation for the new wording, so the message is ours."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
