"""Signals the catalogue sends so that other apps can react without the catalogue importing them.

`resource_accessed` is sent for each request that may be an access to a resource: the detail view
(action "view", `ResourcePage.serve`) and a file download (action "download") from our file view
(`?download=1`) or from Wagtail's document URL (`/documents/<id>/<name>`, the API's download_url).
The indicators app's receiver is its one counting door (`indicators.recording.access_record`), which
decides what counts (method, public resource, Range continuations, robots). Plays are reported by
the player's beacon, which the indicators app adds to the resource page through the
`resource_player_js` slot (catalogue_tags). Receivers must be fast: they run inside the request.
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
