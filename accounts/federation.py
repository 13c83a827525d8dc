"""Federated sign-in (统一身份认证): the OAuth 2.0 / OpenID Connect client and the claim mapping.

The protocol is Authlib's Django client (authorization code flow with state, PKCE, nonce and ID
token signature checks for OIDC providers); nothing of OAuth is written by hand here. Everything
about the provider comes from settings.FEDERATED_LOGIN, read from the environment (config/env.py):

- an OIDC provider (a bureau Keycloak, the Henan platform where it speaks OIDC): FEDERATED_METADATA_URL;
- a plain OAuth 2.0 provider with a userinfo endpoint (the national platform's 智教通行证 SSO):
  FEDERATED_AUTHORIZE_URL, FEDERATED_TOKEN_URL, FEDERATED_USERINFO_URL.

Claims are read from the userinfo document (and the ID token's claims, for OIDC) at the configured
paths, and mapped to role, region and school by `resolve_claims` through the admin-edited tables.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from catalogue.models import Region, Role, School

# A provider may only ever make teachers, pupils and parents: staff roles are given by a person.
FEDERATED_ROLES = {Role.TEACHER, Role.STUDENT, Role.PARENT}


def config() -> dict:
    return settings.FEDERATED_LOGIN


def enabled() -> bool:
    conf = config()
    return bool(conf.get("client_id") and (conf.get("metadata_url") or conf.get("authorize_url")))


_clients: dict[tuple, object] = {}


def client():
    """The Authlib client for the configured provider (one per configuration, so OIDC discovery
    and the provider's signing keys are fetched once per process, not on every sign-in)."""
    from authlib.integrations.django_client import OAuth

    conf = config()
    key = tuple(sorted((k, str(v)) for k, v in conf.items()))
    if key not in _clients:
        oauth = OAuth()
        client_kwargs = {"scope": conf["scopes"], "token_endpoint_auth_method": conf["token_auth_method"]}
        if conf.get("pkce"):
            client_kwargs["code_challenge_method"] = "S256"
        kwargs = {
            "client_id": conf["client_id"],
            "client_secret": conf["client_secret"],
            "client_kwargs": client_kwargs,
        }
        if conf.get("metadata_url"):
            kwargs["server_metadata_url"] = conf["metadata_url"]
        for name, setting in (
            ("authorize_url", "authorize_url"),
            ("access_token_url", "token_url"),
            ("userinfo_endpoint", "userinfo_url"),
        ):
            if conf.get(setting):
                kwargs[name] = conf[setting]
        _clients[key] = oauth.register(name=conf["provider"] or "federated", **kwargs)
    return _clients[key]


def fetch_claims(request) -> dict:
    """Finish the authorization code flow (state, code, token, ID token) and return the claims:
    the ID token's (OIDC) updated by the userinfo document, when the provider has one."""
    oauth_client = client()
    token = oauth_client.authorize_access_token(request)
    claims = dict(token.get("userinfo") or {})
    metadata = oauth_client.load_server_metadata() if config().get("metadata_url") else {}
    userinfo_url = config().get("userinfo_url") or metadata.get("userinfo_endpoint")
    if userinfo_url:
        response = oauth_client.get(userinfo_url, token=token)
        response.raise_for_status()
        claims.update(response.json())
    return claims


# --- claims → role, region, school -------------------------------------------------------------


def claim(claims: dict, path: str):
    """The value at a dotted path ("data.userType"); None when absent."""
    value = claims
    for part in (path or "").split("."):
        if not part:
            return None
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v not in (None, "")]
    return [str(value).strip()]


def role_map() -> dict[str, str]:
    pairs = [item.split(":", 1) for item in config().get("role_map", "").split(",") if ":" in item]
    return {k.strip().upper(): v.strip() for k, v in pairs if v.strip() in FEDERATED_ROLES}


@dataclass
class Resolution:
    """What the claims say about a person, after mapping; unmapped parts are None."""

    subject: str
    name: str
    role: str | None
    region: Region | None
    school: School | None
    org_ids: list[str] = field(default_factory=list)
    org_names: list[str] = field(default_factory=list)
    area_codes: list[str] = field(default_factory=list)
    raw_role: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.role and self.region and self.school)

    def stored_claims(self) -> dict:
        """Only what mapping needs (no tokens, no contact details) is kept with the identity."""
        return {
            "user_type": self.raw_role,
            "area_codes": self.area_codes,
            "org_ids": self.org_ids,
            "org_names": self.org_names,
        }


def resolve_claims(claims: dict) -> Resolution:
    """Map provider claims to role, region and school through the admin-edited tables."""
    from .models import RegionMapping, SchoolMapping

    names = config()["claims"]
    subject = str(claim(claims, names["subject"]) or "").strip()
    raw_role = str(claim(claims, names["role"]) or "").strip()
    role = role_map().get(raw_role.upper())
    area_codes = _as_list(claim(claims, names["area"]))
    org_ids = _as_list(claim(claims, names["org_id"]))
    org_names = _as_list(claim(claims, names["org_name"]))

    region = None
    for code in area_codes:
        mapping = RegionMapping.objects.filter(area_code=code).select_related("region").first()
        if mapping:
            region = mapping.region
            break

    school = None
    now = timezone.now()
    for org_id in org_ids:
        mapping, _created = SchoolMapping.objects.get_or_create(
            org_id=org_id, defaults={"org_name": _at(org_names, org_ids, org_id)}
        )
        SchoolMapping.objects.filter(pk=mapping.pk).update(seen_count=mapping.seen_count + 1, last_seen_at=now)
        if mapping.school_id and school is None:
            school = mapping.school
    if school is None:
        for org_name in org_names:
            mapping = (
                SchoolMapping.objects.filter(org_name=org_name, school__isnull=False).select_related("school").first()
            )
            if mapping is not None:
                school = mapping.school
                break
            # A school of the mapped region with exactly this name maps itself.
            candidates = School.objects.filter(name=org_name)
            if region is not None:
                candidates = candidates.filter(region=region)
            if candidates.count() == 1:
                school = candidates.get()
                break
        if school is None and not org_ids:
            for org_name in org_names:
                mapping, _created = SchoolMapping.objects.get_or_create(org_id="", org_name=org_name)
                SchoolMapping.objects.filter(pk=mapping.pk).update(seen_count=mapping.seen_count + 1, last_seen_at=now)
    if school is not None:
        region = school.region  # the organisation is the finer fact where area and school disagree
    return Resolution(
        subject=subject,
        name=str(claim(claims, names["name"]) or "").strip()[:60],
        role=role,
        region=region,
        school=school,
        org_ids=org_ids,
        org_names=org_names,
        area_codes=area_codes,
        raw_role=raw_role,
    )


def _at(names: list[str], ids: list[str], org_id: str) -> str:
    index = ids.index(org_id)
    return names[index][:200] if index < len(names) else ""
