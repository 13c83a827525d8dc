"""A federated pupil's platform identity and a reviewer's second-factor devices are part of their
personal data: exported with it, and gone when it is erased."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import FederatedIdentity
from catalogue.models import Role
from ops.personal_data import personal_data_erase, personal_data_export
from tests import factories

pytestmark = pytest.mark.django_db


def test_sign_in_data_is_exported_and_erased():
    pupil = factories.user(Role.STUDENT, username="fed-1")
    FederatedIdentity.objects.create(provider="zhjy", subject="S-77", user=pupil, claims={"user_type": "STUDENT"})
    TOTPDevice.objects.create(user=pupil, name="手机动态口令", confirmed=True)
    exported = personal_data_export(user=pupil)
    assert exported["federated_identities"][0]["subject"] == "S-77"
    assert exported["two_factor_devices"] == ["手机动态口令"]
    personal_data_erase(user=pupil)
    assert not FederatedIdentity.objects.filter(subject="S-77").exists()
    assert not TOTPDevice.objects.filter(user=pupil).exists()
