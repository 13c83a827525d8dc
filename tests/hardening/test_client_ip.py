"""One door for the client's address: only the hop our own proxy wrote, never X-Real-IP, and no
other module reads the forwarding headers."""

from pathlib import Path

import pytest
from django.test import RequestFactory

from ops.net import client_ip

ROOT = Path(__file__).resolve().parents[2]


def request(**meta):
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_socket_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    forged = request(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_REAL_IP="5.6.7.8")
    assert client_ip(forged) == "203.0.113.9"


@pytest.mark.parametrize(
    "forwarded, expected",
    [
        ("198.51.100.7", "198.51.100.7"),  # nginx overwrote the header with $remote_addr
        ("10.0.0.1, 6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a proxy that appends: only its own hop
        ("::ffff:198.51.100.7", "198.51.100.7"),  # IPv4-mapped IPv6 is the IPv4 address
        ("2001:DB8::0:1", "2001:db8::1"),  # canonical form
        ("not-an-address", "172.18.0.2"),  # garbage: fall back to the proxy's socket
        ("", "172.18.0.2"),  # the request did not come through the proxy
    ],
)
def test_behind_one_proxy_only_the_hop_it_wrote_counts(settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    meta = {"REMOTE_ADDR": "172.18.0.2", "HTTP_X_REAL_IP": "9.9.9.9"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(request(**meta)) == expected


def test_behind_two_proxies_the_outer_ones_hop(settings):
    settings.TRUSTED_PROXY_COUNT = 2  # a load balancer, then nginx
    meta = {"REMOTE_ADDR": "172.18.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7, 10.1.1.1"}
    assert client_ip(request(**meta)) == "198.51.100.7"


SKIP = {".venv", ".git", "tests", "node_modules", "staticfiles", "media"}


def _sources():
    for top in ROOT.iterdir():
        if top.is_file() and top.suffix == ".py":
            yield top
        elif top.is_dir() and top.name not in SKIP and not top.name.startswith("."):
            yield from top.rglob("*.py")


def test_no_other_module_reads_the_forwarding_headers():
    readers = []
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative == "ops/net.py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "HTTP_X_REAL_IP" in text or "HTTP_X_FORWARDED_FOR" in text or "X-Real-IP" in text:
            readers.append(relative)
    assert readers == [], f"Read the client address with ops.net.client_ip, not the headers: {readers}"
