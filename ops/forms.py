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
