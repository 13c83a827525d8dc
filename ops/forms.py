"""Base forms for Wagtail's document and image uploads (WAGTAILDOCS_DOCUMENT_FORM_BASE,
WAGTAILIMAGES_IMAGE_FORM_BASE): every admin upload path — add, edit (replace file), multiple
upload, chooser upload — validates here, before anything is written to disk or the database."""

from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from .uploads import sanitize_filename, validate_document_upload


class SafeDocumentForm(BaseDocumentForm):
    def clean_file(self):
        f = self.cleaned_data.get("file")
        if isinstance(f, UploadedFile):
            validate_document_upload(f)
            f.name = sanitize_filename(f.name)
        return f


class SafeImageForm(BaseImageForm):
    def clean_file(self):
        # Content, format, size and pixel count are checked by Wagtail's WagtailImageField.
        f = self.cleaned_data.get("file")
        if isinstance(f, UploadedFile):
            f.name = sanitize_filename(f.name)
        return f
