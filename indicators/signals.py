"""Signals of the indicators app, for apps that build on its figures (indicators imports none of them)."""

from django.dispatch import Signal

# Sent after every scheduled refresh round (`scheduling.refresh_round`), with `result` (the round's
# counts): the roll-ups are as fresh as they get, so work that reads them (the monthly push upward)
# can follow on the same tick.
rollups_refreshed = Signal()
