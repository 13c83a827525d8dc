"""Robot and crawler detection with the COUNTER-Robots list (indicators/data/COUNTER_Robots_list.txt).

COUNTER requires excluding the listed user agents, matched case-insensitively. A few entries are
so short that they also hit real players and apps our users depend on: `core` matches iOS's
`AppleCoreMedia` video player, `cfnetwork` every native iOS app, `baidu`/`sogou` the Baidu and
Sogou mobile browsers common in China. Those *broad* patterns are applied only when the user agent
is not a recognised real client; every other pattern applies to everyone. WeChat (MicroMessenger)
and DingTalk in-app browsers are real users and match no pattern.
"""

import re
from functools import lru_cache
from pathlib import Path

ROBOTS_FILE = Path(__file__).resolve().parent / "data" / "COUNTER_Robots_list.txt"

BROAD_PATTERNS = {"core", "cfnetwork", "baidu", "sogou"}

# Real clients that the broad patterns would otherwise drop.
REAL_CLIENTS = re.compile(
    r"AppleCoreMedia/"  # iOS / macOS / tvOS media player (HLS and progressive video)
    r"|CFNetwork/[\d.]+ Darwin/"  # native iOS apps
    r"|baiduboxapp|baidubrowser"  # Baidu app and browser
    r"|SogouMobileBrowser|SogouMSE|MetaSr",  # Sogou browsers
    re.IGNORECASE,
)


def _read_patterns() -> tuple[list[str], str]:
    patterns, list_date = [], ""
    for line in ROBOTS_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# List-Date:"):
            list_date = line.split(":", 1)[1].strip()
        if not line.strip() or line.startswith("#"):
            continue
        patterns.append(line.strip())
    return patterns, list_date


@lru_cache(maxsize=1)
def _compiled():
    patterns, list_date = _read_patterns()
    strict = [p for p in patterns if p.lower() not in BROAD_PATTERNS]
    broad = [p for p in patterns if p.lower() in BROAD_PATTERNS]
    join = "|".join(f"(?:{p})" for p in strict)
    return re.compile(join, re.IGNORECASE), re.compile("|".join(f"(?:{p})" for p in broad), re.IGNORECASE), list_date


def robots_list_date() -> str:
    return _compiled()[2]


@lru_cache(maxsize=4096)
def is_robot(user_agent: str) -> bool:
    """True when COUNTER says this user agent is a robot (empty user agents are robots too)."""
    strict, broad, _date = _compiled()
    ua = (user_agent or "").strip()
    if strict.search(ua):
        return True
    return bool(broad.search(ua)) and not REAL_CLIENTS.search(ua)
