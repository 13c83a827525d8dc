"""The client's address: the one door through which the audit log, the login lockout and access
counting learn who is on the other end of a request.

Only this module reads the forwarding headers. `X-Real-IP` is never read: a client can send it, and
whether a proxy overwrote it cannot be told from the request. `X-Forwarded-For` is read only when
TRUSTED_PROXY_COUNT says how many proxies of our own stand in front of the app, and then only the
hop the outermost of them wrote.
"""

import ipaddress

from django.conf import settings


def _normalised(value: str) -> str | None:
    """The address in canonical form (IPv4-mapped IPv6 as IPv4), or None if it is not one."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the client address our own trusted proxies recorded in X-Forwarded-For.

    With TRUSTED_PROXY_COUNT = n, the chain is client → proxy 1 → … → proxy n → app: proxy n is
    REMOTE_ADDR and the last n entries of X-Forwarded-For were appended by our proxies, the n-th
    from the right by proxy 1 (the client's address as proxy 1 saw it on its socket). Everything
    further left was sent by the client and is ignored, however it changes. With fewer hops than
    proxies (a request that did not come through all of them) or a malformed hop, the socket
    address is used.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or ""
    remote = _normalised(remote) or remote or None
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= trusted:
            return _normalised(hops[-trusted]) or remote
    return remote
