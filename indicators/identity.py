"""Who made a hit, in COUNTER's terms, without keeping personal data.

- `client_key`: the strongest identity available — the user id, else the session, else a hash of
  IP + user agent. The double-click filter compares hits with the same client key.
- IP addresses are never stored: `ip_hash` is an HMAC with a random salt per day that is deleted
  after two days (see AccessSalt), so a stored hash can no longer be tied to an address by trying
  them all. The salt's day turns at 04:00 Asia/Shanghai, the quietest hour, not at midnight, so a
  double click across midnight is still recognised.
- Session keys are credentials: only a SHA-256 digest is kept.
"""

import datetime
import hashlib
import hmac
import secrets
import threading

from django.db import IntegrityError, transaction
from django.utils import timezone

from .conf import SALT_RETENTION_DAYS
from .models import AccessSalt

_salts: dict[datetime.date, str] = {}
_lock = threading.Lock()


SALT_DAY_STARTS = datetime.timedelta(hours=4)


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


def identify(*, moment: datetime.datetime, user_id: int | None, session_key: str, ip: str, user_agent: str) -> dict:
    """The hashed identity fields of an event at `moment`."""
    salt = salt_for(salt_day(moment))
    ip_hash = _digest(salt, ip) if ip else ""
    sess = session_hash(session_key)
    if user_id:
        client_key = f"u:{user_id}"
    elif sess:
        client_key = f"s:{sess}"
    else:
        client_key = f"h:{_digest(salt, f'{ip}|{user_agent}')}"
    return {"ip_hash": ip_hash, "session_hash": sess, "client_key": client_key}


def clear_cache():
    with _lock:
        _salts.clear()
