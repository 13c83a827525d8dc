"""Base forms for Wagtail's document and image uploads (WAGTAILDOCS_DOCUMENT_FORM_BASE,
WAGTAILIMAGES_IMAGE_FORM_BASE): every admin upload path — add, edit (replace file), multiple
upload, chooser upload — validates here, before anything is written to disk or the database,
with the same rules as the teacher's submission form (ops.uploads.inspect_upload)."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import UnidentifiedImageError
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from .uploads import IMAGE_KINDS, inspect_upload, validate_document_upload


class SafeDocumentForm(BaseDocumentForm):
    def clean_file(self):
        f = self.cleaned_data.get("file")
        if isinstance(f, UploadedFile):
            validate_document_upload(f)
            f.name = f.inspection.name
        return f

    def _post_clean(self):
        refused = list(self._errors.get("file", [])) if self._errors else []
        super()._post_clean()
        if refused:
            # The model's own extension check then sees no file at all and would add a
            # confusing second message ("extension '' not allowed"): keep only ours.
            self._errors["file"] = self.error_class(refused)


class SafeImageField(WagtailImageField):
    """Wagtail's image field behind the rules of every other image path: the pixel count read from
    the header before anything is decoded, hidden markup, a decodable picture (ops.uploads). And
    undecodable files are refused instead of crashing the view: a file whose first bytes look like
    a PNG but whose body is damaged passes Willow's format sniffing and then makes Pillow raise in
    the pixel-count check, a 500 error in Wagtail 8.
    """

    def to_python(self, data):
        if isinstance(data, UploadedFile) and data.size:
            data.inspection = inspect_upload(data, accept=IMAGE_KINDS)
        try:
            return super().to_python(data)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from exc


class SafeImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and type(field) is WagtailImageField:
            field.__class__ = SafeImageField  # same field and settings, safer parsing

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if isinstance(f, UploadedFile):
            f.name = (getattr(f, "inspection", None) or inspect_upload(f, accept=IMAGE_KINDS)).name
        return f


# --- accounts in the admin (users and their roles) ------------------------------------------------

POWER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class _AccountFormMixin:
    """The role, region and school of an account, offered and checked by catalogue.permissions:
    an actor assigns only roles of lower power than their own."""

    def _add_role_fields(self, actor):
        from django import forms
        from django.utils.translation import gettext_lazy as _

        from catalogue.models import Region, Role, School
        from catalogue.permissions import assignable_roles

        self.actor = actor
        roles = assignable_roles(actor)
        profile = getattr(self.instance, "profile", None) if self.instance.pk else None
        self.fields["role"] = forms.ChoiceField(
            label=_("角色"), choices=[(r.value, r.label) for r in Role if r in roles], required=True
        )
        self.fields["region"] = forms.ModelChoiceField(
            label=_("县（区）"),
            queryset=Region.objects.all(),
            required=False,
            help_text=_("教师、学生、家长、县区初审员必填"),
        )
        self.fields["school"] = forms.ModelChoiceField(
            label=_("学校"),
            queryset=School.objects.select_related("region"),
            required=False,
            help_text=_("教师、学生、家长必填；须属于所选县（区）"),
        )
        if profile is not None:
            self.initial.setdefault("role", profile.role)
            self.initial.setdefault("region", profile.region_id)
            self.initial.setdefault("school", profile.school_id)
        for name in ("first_name",):
            if name in self.fields:
                self.fields[name].label = _("姓名")
        for name in ("last_name", "email"):
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        from catalogue.models.accounts import ROLES_NEEDING_REGION, ROLES_NEEDING_SCHOOL

        cleaned = super().clean()
        role, region, school = cleaned.get("role"), cleaned.get("region"), cleaned.get("school")
        if school is not None and region is None:
            cleaned["region"] = region = school.region
        if school is not None and region is not None and school.region_id != region.pk:
            self.add_error("school", ValidationError(_("所选学校不属于所选县（区）。")))
        if role in ROLES_NEEDING_REGION and region is None:
            self.add_error("region", ValidationError(_("该角色必须选择县（区）。")))
        if role in ROLES_NEEDING_SCHOOL and school is None:
            self.add_error("school", ValidationError(_("该角色必须选择学校。")))
        return cleaned


def account_form_class(*, actor, for_update: bool):
    """Wagtail's user form for `actor`: superusers keep the superuser flag and the group boxes;
    everyone else sets a role of lower power and never sees (or may post) power fields."""
    from wagtail.users.forms import UserCreationForm, UserEditForm

    base = UserEditForm if for_update else UserCreationForm
    model_fields = {"username", "first_name", "last_name", "email"} | ({"is_active"} if for_update else set())
    if actor.is_superuser:
        model_fields |= {"is_superuser", "groups"}

    class AccountForm(_AccountFormMixin, base):
        class Meta(base.Meta):
            fields = sorted(model_fields)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if not actor.is_superuser:
                for name in POWER_FIELDS:
                    self.fields.pop(name, None)
            self._add_role_fields(actor)

    return AccountForm
