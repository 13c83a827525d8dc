"""The resource detail page with counting on (in-process buffer) and off, in the same run.

Requests alternate between the two modes in rounds, so both see the same machine load; each
request is a fresh anonymous visitor's GET of the same published resource page through Django's
full middleware stack (test client, no network).

    .venv/bin/python bench/indicators_page_ratio.py [sqlite|pg] [rounds] [requests_per_round]
"""

import sys
import time

from indicators_common import machine, setup


def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    per_round = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    setup(engine, recording="buffer")
    from django.conf import settings
    from django.test import Client

    from catalogue.services import taxonomy_pages_sync
    from indicators.models import AccessEvent
    from indicators.recording import get_recorder
    from tests import factories

    taxonomy_pages_sync()
    page = factories.resource(title="嵖岈山｜花岗岩地貌（基准测试）")
    url = page.url
    timings = {"on": 0.0, "off": 0.0}
    client = Client(HTTP_USER_AGENT=factories.BROWSER_UA)
    for _ in range(20):  # warm caches and templates
        client.get(url)
    counter = 0
    pair_ratios = []
    for _round in range(rounds):
        this_round = {}
        for mode in ("off", "on") if _round % 2 else ("on", "off"):
            settings.INDICATORS_RECORDING = "buffer" if mode == "on" else "off"
            start = time.perf_counter()
            for _ in range(per_round):
                counter += 1
                response = client.get(
                    url, REMOTE_ADDR=f"10.{counter // 65536 % 256}.{counter // 256 % 256}.{counter % 256}"
                )
                assert response.status_code == 200
            elapsed = time.perf_counter() - start
            timings[mode] += elapsed
            this_round[mode] = elapsed
        pair_ratios.append(this_round["off"] / this_round["on"])
    settings.INDICATORS_RECORDING = "buffer"
    get_recorder().flush()
    n = rounds * per_round
    on_rps, off_rps = n / timings["on"], n / timings["off"]
    print(f"engine={engine} machine: {machine()}")
    print(f"requests per mode: {n} (rounds={rounds} x {per_round}, interleaved)")
    print(f"counting off: {off_rps:,.1f} pages/s ({timings['off'] / n * 1000:.2f} ms/page)")
    print(f"counting on:  {on_rps:,.1f} pages/s ({timings['on'] / n * 1000:.2f} ms/page)")
    print(f"ratio on/off (totals): {on_rps / off_rps:.3f}")
    pair_ratios.sort()
    print(
        f"ratio on/off per round: median {pair_ratios[len(pair_ratios) // 2]:.3f}, "
        f"min {pair_ratios[0]:.3f}, max {pair_ratios[-1]:.3f}"
    )
    print(f"events recorded: {AccessEvent.objects.count()} (+20 warm-up, expected {n + 20})")

    # The work counting adds inside a request, measured alone (no page around it): the one door,
    # with its check that the resource is public (one query), the robot check, the identity
    # HMACs and the append to a buffer that is never flushed here.
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from indicators import recording

    request = RequestFactory().get(url, HTTP_USER_AGENT=factories.BROWSER_UA, REMOTE_ADDR="10.0.0.1")
    request.user = AnonymousUser()
    recorder = recording.BufferRecorder(size=10**9, seconds=3600)
    shared = recording.get_recorder
    recording.get_recorder = lambda: recorder
    calls = 5000
    start = time.perf_counter()
    for i in range(calls):
        request.META["REMOTE_ADDR"] = f"10.0.{i // 256 % 256}.{i % 256}"
        recording.access_record(request=request, resource=page, action="view")
    per_call = (time.perf_counter() - start) / calls
    recording.get_recorder = shared
    assert len(recorder._take()) == calls
    print(
        f"in-request cost of recording one view: {per_call * 1e6:.1f} us "
        f"({per_call / (timings['off'] / n) * 100:.2f}% of an uncounted page)"
    )
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
