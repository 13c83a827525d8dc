"""Who made a hit, in COUNTER's terms, without keeping personal data, and without trusting anything
the client can change at will.

- `client_key`: the strongest identity available — `u:<user id>` for a signed-in user (COUNTER's
  "username"), else `h:<HMAC of the client's address>` for an anonymous visitor. After an erasure
  a user's events carry `p:<pseudonym>` instead of `u:<id>` (see services.access_events_pseudonymise).
  The double-click filter, the user-session of unique counts and the overactive-client rules all
  group hits by this key.
- The anonymous key is the address alone, deliberately NOT COUNTER's "IP + user agent": the user
  agent (like any header but the socket address our own proxy reports) is chosen by the client, so
  a key built with it lets one client become a new visitor per request by rotating it. The price:
  anonymous pupils behind one school NAT address are one client for these rules (two of them
  opening the same resource within 30 seconds count once). Indicator figures are unaffected —
  they count signed-in teachers, students and parents, each by user id — only the anonymous part
  of a resource's visit count can be lower than the true number of people.
- IPv6: the /64 network is the client (a host picks any address in its /64 at will; one household
  or school gets one /64), so rotating the interface identifier does not make a new visitor.
- IP addresses are never stored: `ip_hash` and the anonymous key are HMACs with a random salt per
  day that is deleted after two days (see AccessSalt), so a stored hash can no longer be tied to an
  address by trying them all. The salt's day turns at 04:00 Asia/Shanghai, the quietest hour, not
  at midnight, so a double click across midnight is still recognised.
- Session keys are credentials: only a SHA-256 digest is kept.
"""

import datetime
import hashlib
import hmac
import ipaddress
import secrets
import threading

from django.db import IntegrityError, transaction
from django.utils import timezone

from .conf import SALT_RETENTION_DAYS
from .models import AccessSalt

_salts: dict[datetime.date, str] = {}
_lock = threading.Lock()

SALT_DAY_STARTS = datetime.timedelta(hours=4)
USER_PREFIX = "u:"
PSEUDONYM_PREFIX = "p:"
ANONYMOUS_PREFIX = "h:"
PERSON_PREFIXES = (USER_PREFIX, PSEUDONYM_PREFIX)  # keys of a signed-in person (or an erased one)


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def salt_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment - SALT_DAY_STARTS).date()


def salt_for(day: datetime.date) -> str:
    with _lock:
        if day in _salts:
            return _salts[day]
    salt = AccessSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt is None:
        try:
            with transaction.atomic():
                salt = AccessSalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
        except IntegrityError:  # another process created it first
            salt = AccessSalt.objects.get(day=day).salt
        today = timezone.localdate()
        AccessSalt.objects.filter(day__lt=today - datetime.timedelta(days=SALT_RETENTION_DAYS)).exclude(
            day=day
        ).delete()
    with _lock:
        if len(_salts) > 8:
            _salts.clear()
        _salts[day] = salt
    return salt


def _digest(salt: str, value: str) -> str:
    return hmac.new(salt.encode(), value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def session_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:32] if session_key else ""


def address_key(ip: str) -> str:
    """What identifies an anonymous client: an IPv4 address, or the /64 network of an IPv6 one."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def user_key(user_id: int) -> str:
    return f"{USER_PREFIX}{user_id}"


def is_person(client_key: str) -> bool:
    return client_key.startswith(PERSON_PREFIXES)


def identify(*, moment: datetime.datetime, user_id: int | None, session_key: str, ip: str) -> dict:
    """The hashed identity fields of an event at `moment` (see the module docstring)."""
    salt = salt_for(salt_day(moment))
    ip_hash = _digest(salt, ip) if ip else ""
    if user_id:
        return {"ip_hash": ip_hash, "session_hash": session_hash(session_key), "client_key": user_key(user_id)}
    return {"ip_hash": ip_hash, "session_hash": "", "client_key": f"{ANONYMOUS_PREFIX}{_digest(salt, address_key(ip))}"}


def clear_cache():
    with _lock:
        _salts.clear()
