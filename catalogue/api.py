"""Wagtail API v2, read-only: live public pages, and only images and documents the public may see."""

from django.db.models import Q
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from .models import ResourceFile, ResourceGalleryImage, TopicPage
from .models.pages import live_resources


class PublicImagesAPIViewSet(ImagesAPIViewSet):
    def get_queryset(self):
        live = live_resources().values("pk")
        return (
            super()
            .get_queryset()
            .filter(
                Q(pk__in=live_resources().values("cover_image"))
                | Q(pk__in=ResourceGalleryImage.objects.filter(page__in=live).values("image"))
                | Q(pk__in=TopicPage.objects.live().public().values("banner_image"))
            )
        )


class PublicDocumentsAPIViewSet(DocumentsAPIViewSet):
    def get_queryset(self):
        live = live_resources().values("pk")
        return super().get_queryset().filter(pk__in=ResourceFile.objects.filter(page__in=live).values("document"))


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
