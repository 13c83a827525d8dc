"""How long the robot check takes inside a request: a user agent seen for the first time, one seen
before (cached), and the naive alternative of one big regular expression of the whole list.

    .venv/bin/python bench/indicators_robots.py [rounds]
"""

import re
import sys
import time
from pathlib import Path

from indicators_common import machine, setup


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    setup("sqlite")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from indicators import robots
    from tests.indicators.user_agents import MACHINES, PEOPLE

    start = time.perf_counter()
    robots._compiled.cache_clear()
    robots.warm_up()
    compile_ms = (time.perf_counter() - start) * 1000
    agents = list(PEOPLE.values()) + list(MACHINES.values())
    start = time.perf_counter()
    for i in range(rounds):
        robots.is_robot.__wrapped__(agents[i % len(agents)])
    fresh = (time.perf_counter() - start) / rounds * 1e6
    robots.is_robot.cache_clear()
    start = time.perf_counter()
    for i in range(rounds * 20):
        robots.is_robot(agents[i % len(agents)])
    cached = (time.perf_counter() - start) / (rounds * 20) * 1e6
    naive = re.compile("|".join(f"(?:{p})" for p in robots._patterns()), re.IGNORECASE)
    start = time.perf_counter()
    for i in range(rounds // 5):
        naive.search(agents[i % len(agents)])
    plain = (time.perf_counter() - start) / (rounds // 5) * 1e6
    print(f"machine: {machine()}")
    print(f"{robots.robots_list_date()}: {len(robots._patterns())} patterns, compiled once in {compile_ms:.1f} ms")
    print(f"new user agent:    {fresh:.1f} us")
    print(f"cached user agent: {cached:.2f} us")
    print(f"one plain regex of the whole list (for comparison): {plain:.1f} us")


if __name__ == "__main__":
    main()
