"""The embedded search index and the admin-edited search vocabulary.

`SearchDocument` holds one row per live public resource (facet keys and the text shown in results),
`SearchPosting` its analysed terms with a field weight, `SearchDocumentSubject` its subjects. They
are derived data: `python manage.py search_index --rebuild` recreates them from the catalogue.
The resource link has no database constraint so that benchmarks can fill the index with synthetic
rows; results are always re-checked against `catalogue.selectors.live_resources()`.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from catalogue.models import ResourcePage

from .analysis import split_synonym_terms

# Field weights: title over topic over description. An index term keeps the highest weight of the
# fields it occurs in; a prefix match scores half. Scores are integers so every engine ranks alike.
WEIGHT_TITLE = 16
WEIGHT_TOPIC = 8
WEIGHT_TITLE_PINYIN = 8
WEIGHT_META = 4
WEIGHT_TOPIC_PINYIN = 4
WEIGHT_TITLE_BIGRAM = 4
WEIGHT_BODY = 2
WEIGHT_META_PINYIN = 2
WEIGHT_TOPIC_BIGRAM = 2


class SearchDocument(models.Model):
    resource = models.OneToOneField(
        ResourcePage, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    title = models.CharField(max_length=255)
    topic_name = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    theme_id = models.IntegerField(null=True)
    topic_id = models.IntegerField(null=True)
    stage_id = models.IntegerField(null=True)
    resource_type_id = models.IntegerField(null=True)
    region_id = models.IntegerField(null=True)
    year = models.IntegerField(null=True)
    award = models.CharField(max_length=20, blank=True)
    published_at = models.DateTimeField(null=True)
    view_count = models.PositiveIntegerField(default=0)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["published_at"], name="search_doc_published")]

    def __str__(self):
        return self.title


class SearchDocumentSubject(models.Model):
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="subject_rows")
    subject_id = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "subject_id"], name="search_doc_subject_unique")]
        indexes = [models.Index(fields=["subject_id", "document"], name="search_subject_doc")]

    def __str__(self):
        return f"{self.document_id}:{self.subject_id}"


class SearchPosting(models.Model):
    term = models.CharField(max_length=64)
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="postings")
    weight = models.SmallIntegerField()

    class Meta:
        # Covering index: a query reads (term → document, weight) without touching the table.
        indexes = [models.Index(fields=["term", "document", "weight"], name="search_posting_term")]

    def __str__(self):
        return f"{self.term}→{self.document_id} ({self.weight})"


class SearchIndexState(models.Model):
    """A single row whose tokens change with every write to the embedded index (in the writing
    transaction), so each web process knows when its in-memory facet columns are out of date."""

    structure_token = models.CharField(max_length=32, default="")
    counts_token = models.CharField(max_length=32, default="")

    def __str__(self):
        return f"{self.structure_token}/{self.counts_token}"

    @classmethod
    def touch(cls, *, counts_only: bool = False) -> None:
        field = "counts_token" if counts_only else "structure_token"
        token = uuid.uuid4().hex
        if not cls.objects.filter(pk=1).update(**{field: token}):
            cls.objects.update_or_create(pk=1, defaults={field: token})


class Synonym(models.Model):
    """A set of interchangeable search terms, e.g. 红色文化、革命传统, applied when searching."""

    terms = models.CharField(
        _("同义词"), max_length=500, help_text=_("用顿号、逗号或空格分隔，如：红色文化、革命传统。搜索其中任何一个词，都会同时查找其他词。")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    panels = [FieldPanel("terms"), FieldPanel("note")]

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        ordering = ["id"]

    def __str__(self):
        return "、".join(self.term_list)

    @property
    def term_list(self) -> list[str]:
        return split_synonym_terms(self.terms)

    def clean(self):
        if len(set(self.term_list)) < 2:
            raise ValidationError({"terms": _("请至少填写两个不同的词。")})


class LexiconVersion(models.Model):
    """Bumped when taxonomy names or synonyms change, so every process reloads its dictionary."""

    version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"v{self.version}"
