from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    # Every claim of the seeded user goes into the ID token and userinfo (no per-scope filter).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return settings.IDP_USERS[request.user.username]["claims"]
