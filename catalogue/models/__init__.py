"""Catalogue models: taxonomy snippets, accounts and the public page tree.

Re-exported here so that `from catalogue.models import ResourcePage` keeps working as the
package grows.
"""

from .accounts import ROLE_GROUP_NAMES, Confirmation, Role, UserProfile
from .documents import OFFICE_EXTENSIONS, DocumentPreview
from .pages import (
    CampaignPage,
    HomePage,
    ResourceFile,
    ResourceGalleryImage,
    ResourceIndexPage,
    ResourcePage,
    ThemePage,
    TopicPage,
)
from .personal import Favourite, LearningRecord
from .taxonomy import Grade, Region, ResourceType, School, Stage, Subject, Theme, Topic
from .versions import ContentVersion

__all__ = [
    "ROLE_GROUP_NAMES",
    "CampaignPage",
    "Confirmation",
    "ContentVersion",
    "DocumentPreview",
    "Favourite",
    "Grade",
    "HomePage",
    "LearningRecord",
    "OFFICE_EXTENSIONS",
    "Region",
    "ResourceFile",
    "ResourceGalleryImage",
    "ResourceIndexPage",
    "ResourcePage",
    "ResourceType",
    "Role",
    "School",
    "Stage",
    "Subject",
    "Theme",
    "ThemePage",
    "Topic",
    "TopicPage",
    "UserProfile",
]
