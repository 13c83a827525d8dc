"""Calendar periods in Asia/Shanghai: a month "2026-03" or a quarter "2026-Q1"."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

PERIOD_RE = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4]))$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None
    quarter: int | None = None

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def months(self) -> list[tuple[int, int]]:
        if self.quarter:
            first = (self.quarter - 1) * 3 + 1
            return [(self.year, m) for m in range(first, first + 3)]
        return [(self.year, self.month)]

    @property
    def first_day(self) -> datetime.date:
        y, m = self.months[0]
        return datetime.date(y, m, 1)

    @property
    def last_day(self) -> datetime.date:
        y, m = self.months[-1]
        return month_last_day(y, m)

    def elapsed_months(self, today: datetime.date | None = None) -> list[tuple[int, int]]:
        """Months of the period that have begun (a running quarter is averaged over its started
        months; an empty started month still scores 0)."""
        today = today or timezone.localdate()
        return [(y, m) for y, m in self.months if datetime.date(y, m, 1) <= today]

    def __str__(self):
        return f"{self.year}-Q{self.quarter}" if self.quarter else f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        if self.quarter:
            return _("%(year)d年第%(quarter)d季度") % {"year": self.year, "quarter": self.quarter}
        return _("%(year)d年%(month)d月") % {"year": self.year, "month": self.month}


def month_last_day(year: int, month: int) -> datetime.date:
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def parse_period(value: str) -> Period:
    match = PERIOD_RE.match((value or "").strip())
    if not match:
        raise PeriodError(_("统计周期格式应为 2026-03（月）或 2026-Q1（季度）。"))
    year = int(match["year"])
    if match["quarter"]:
        return Period(year=year, quarter=int(match["quarter"]))
    return Period(year=year, month=int(match["month"]))


def current_month() -> Period:
    today = timezone.localdate()
    return Period(year=today.year, month=today.month)


def previous_months(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """The `count` months before (year, month), oldest first."""
    result = []
    for _i in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        result.append((year, month))
    return list(reversed(result))
