"""Signals the catalogue sends so that other apps can react without the catalogue importing them.

`resource_accessed` is sent for every public access to a live resource: the detail view
(action "view") and a file download (action "download"). Media plays are reported by the
player to the indicators app directly. Receivers must be fast: they run inside the request.
"""

from django.dispatch import Signal

resource_accessed = Signal()  # kwargs: request, resource, action, file (ResourceFile or None)

# Sent by `seed_demo` once the catalogue's demo data is in place, so that other apps can add their
# own demo data (review: submissions in every state) without the catalogue importing them.
demo_seeded = Signal()  # kwargs: stdout

# Sent after the visit counters on ResourcePage (view/download/play_count) were rewritten for some
# resources — by the indicators app — so that search can refresh its popularity sort.
resource_counts_changed = Signal()  # kwargs: resource_ids

# Sent by CampaignPage.get_context so that other apps can link notices from the campaign page (review:
# its public notices of proposed awards, 公示). Receivers return a list of dicts with "title", "url",
# "period" and "open".
campaign_notices = Signal()  # kwargs: campaign
