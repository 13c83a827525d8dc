"""The client's address, as the audit log and the login lockout see it."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address our own trusted proxies recorded in X-Forwarded-For.

    Only the last TRUSTED_PROXY_COUNT hops are ours; anything further left was written by the
    client and cannot be trusted, so we never take the left-most value blindly.
    """
    if request is None:
        return None
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= trusted:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR") or None
