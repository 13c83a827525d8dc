"""COUNTER_SUSHI API 5.1: customers, what is available, and the PR, IR and IR_M1 reports.

Figures come from the indicators app's `DailyRollup` (COUNTER-processed: robots, editorial hits
and double clicks already excluded; unique counts per user-session), restricted exactly as the
monitoring pages restrict them: teachers, students and parents of the customer. So a county's
Total_Item_Investigations for a month equals its 教师访问量 + 学生（含家长）访问量 on 应用成效监测.

Metric mapping (see docs/interop.md):
- a detail-page view is an Investigation;
- a download or a play of a resource file is a Request (and an Investigation);
- Unique_Item_* count each user-session × resource once (indicators' unique_investigations and
  unique_requests columns).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from catalogue.models import Region, ResourcePage, School
from indicators.counter import REQUEST_ACTIONS
from indicators.models import DailyRollup, RollupDirtyDay
from indicators.periods import month_last_day
from indicators.selectors import STUDENT_ROLES, TEACHER_ROLES

RELEASE = "5.1"
PLATFORM = "驻马店特色数字资源库"
PUBLISHER = "驻马店市教育局"
CONSORTIUM_ID = "zmd"
GLOBAL_ID = "0000000000000000"
ID_NAMESPACE = "zmd"
COUNTED_ROLES = TEACHER_ROLES + STUDENT_ROLES
# A month is final this long after it ends, if no day of it waits for a roll-up refresh.
SETTLE = datetime.timedelta(hours=1)

METRICS = ("Total_Item_Investigations", "Total_Item_Requests", "Unique_Item_Investigations", "Unique_Item_Requests")
REQUEST_METRICS = ("Total_Item_Requests", "Unique_Item_Requests")
# COUNTER Data_Type of each resource type (by catalogue code); a deleted resource is Unspecified.
DATA_TYPES = {
    "video": "Audiovisual",
    "audio": "Sound",
    "gallery": "Image",
    "link": "Interactive_Resource",
    "courseware": "Other",
    "design": "Other",
    "worksheet": "Other",
}
MULTIMEDIA_TYPES = ("Audiovisual", "Image", "Interactive_Resource", "Multimedia", "Sound")

MESSAGES = {
    1000: "Service Not Available",
    1010: "Service Busy",
    1020: "Client has made too many requests",
    1030: "Insufficient Information to Process Request",
    2010: "Requestor is Not Authorized to Access Usage for Institution",
    2011: "Global Reports Not Supported",
    2020: "APIKey Invalid",
    3020: "Invalid Date Arguments",
    3030: "No Usage Available for Requested Dates",
    3031: "Usage Not Ready for Requested Dates",
    3032: "Usage No Longer Available for Requested Dates",
    3050: "Parameter Not Recognized in this Context",
    3060: "Invalid ReportFilter Value",
    3062: "Invalid ReportAttribute Value",
    3063: "Components Not Supported",
}
HTTP_STATUS = {1000: 503, 1010: 503, 1020: 429, 1030: 400, 2010: 403, 2011: 403, 2020: 401, 3020: 400}


def exception(code: int, data: str = "") -> dict:
    body = {"Code": code, "Message": MESSAGES[code]}
    if data:
        body["Data"] = data
    return body


class SushiError(Exception):
    """An error that stops the request: one Exception with a non-200 status (Appendix D)."""

    def __init__(self, code: int, data: str = ""):
        super().__init__(data)
        self.code, self.data = code, data

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]

    def body(self) -> dict:
        return exception(self.code, self.data)


# --- customers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    kind: str  # city | county | school
    region: Region | None = None
    school: School | None = None

    @property
    def institution_id(self) -> dict:
        return {"Proprietary": [f"{ID_NAMESPACE}:{self.customer_id}"]}

    def rollups(self):
        rows = DailyRollup.objects.filter(role__in=COUNTED_ROLES)
        if self.kind == "county":
            rows = rows.filter(region=self.region)
        elif self.kind == "school":
            rows = rows.filter(school=self.school)
        return rows


def city() -> Customer:
    return Customer(CONSORTIUM_ID, f"{PUBLISHER}（全市）", "city")


def county(region: Region) -> Customer:
    return Customer(f"{CONSORTIUM_ID}-{region.code}", region.name, "county", region=region)


def school_customer(school: School) -> Customer:
    return Customer(f"{CONSORTIUM_ID}-school-{school.pk}", school.name, "school", region=school.region, school=school)


def customer_for(customer_id: str) -> Customer | None:
    if customer_id == CONSORTIUM_ID:
        return city()
    prefix = f"{CONSORTIUM_ID}-"
    if not customer_id.startswith(prefix):
        return None
    rest = customer_id[len(prefix) :]
    if rest.startswith("school-") and rest[7:].isdigit():
        found = School.objects.select_related("region").filter(pk=int(rest[7:])).first()
        return school_customer(found) if found else None
    found = Region.objects.filter(code=rest).first()
    return county(found) if found else None


def members_of(customer: Customer) -> list[dict]:
    """/members: the city's counties and schools; a county's schools; a school itself."""

    def entry(c: Customer, note: str = "") -> dict:
        item = {"Customer_ID": c.customer_id, "Institution_Name": c.name, "Institution_ID": c.institution_id}
        if note:
            item["Notes"] = note
        return item

    if customer.kind == "school":
        return [entry(customer, f"{customer.region.name}的学校")]
    schools = School.objects.select_related("region")
    result = []
    if customer.kind == "city":
        result += [entry(county(r), "县（区）") for r in Region.objects.all()]
    else:
        schools = schools.filter(region=customer.region)
    result += [entry(school_customer(s), f"{s.region.name}的学校") for s in schools]
    return result or [entry(customer)]


def consumer_may_read(consumer, customer: Customer) -> bool:
    """A consumer scoped to the city reads everything; to a county, that county and its schools;
    to a school, that school only."""
    if consumer.whole_city:
        return True
    if customer.kind == "city":
        return False
    region_ids = set(consumer.regions.values_list("pk", flat=True))
    if customer.kind == "county":
        return customer.region.pk in region_ids
    return customer.region.pk in region_ids or consumer.schools.filter(pk=customer.school.pk).exists()


# --- months available -----------------------------------------------------------------------------


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_is_final(month: datetime.date, now: datetime.datetime | None = None) -> bool:
    """A month's roll-ups are final once it has ended (plus a settling hour for buffered hits) and
    no day of it is waiting for a roll-up refresh."""
    now = timezone.localtime(now or timezone.now())
    ends = datetime.datetime.combine(next_month(month), datetime.time.min, tzinfo=now.tzinfo)
    if now < ends + SETTLE:
        return False
    return not RollupDirtyDay.objects.filter(day__gte=month, day__lte=month_last_day(month.year, month.month)).exists()


def last_month_available(now: datetime.datetime | None = None) -> datetime.date:
    month = _previous_month(timezone.localtime(now or timezone.now()).date())
    for _attempt in range(24):  # a stalled roll-up refresh holds back at most the months it blocks
        if month_is_final(month, now):
            return month
        month = _previous_month(month)
    return month


def first_month_available(now: datetime.datetime | None = None) -> datetime.date:
    first = DailyRollup.objects.order_by("day").values_list("day", flat=True).first()
    last = last_month_available(now)
    return min(_month_start(first), last) if first else last


# --- requests -------------------------------------------------------------------------------------

COMMON_PARAMS = {"customer_id", "requestor_id", "api_key", "platform"}
REPORT_PARAMS = {
    "pr": COMMON_PARAMS
    | {"begin_date", "end_date", "metric_type", "data_type", "access_method", "attributes_to_show", "granularity"}
    | {"attributed", "country_code", "subdivision_code"},
    "ir": COMMON_PARAMS
    | {"begin_date", "end_date", "metric_type", "data_type", "access_method", "access_type", "yop"}
    | {"attributes_to_show", "granularity", "include_parent_details", "include_component_details", "item_id"}
    | {"author", "attributed", "country_code", "subdivision_code"},
    "ir_m1": COMMON_PARAMS | {"begin_date", "end_date"},
}
ATTRIBUTES = {"pr": ("Access_Method",), "ir": ("YOP", "Access_Type", "Access_Method", "Authors", "Publication_Date")}
PR_METRICS = METRICS
IR_METRICS = METRICS
ALL_DATA_TYPES = tuple(sorted(set(DATA_TYPES.values()) | {"Unspecified"}))


def parse_date(value: str, *, end: bool) -> datetime.date:
    """yyyy-mm or yyyy-mm-dd; reports are by whole months, so a day is rounded to its month."""
    try:
        if len(value) == 7:
            day = datetime.date.fromisoformat(value + "-01")
        elif len(value) == 10:
            day = datetime.date.fromisoformat(value)
        else:
            raise ValueError(value)
    except ValueError as exc:
        raise SushiError(3020, f"{'end_date' if end else 'begin_date'} must be yyyy-mm or yyyy-mm-dd: {value}") from exc
    month = _month_start(day)
    return month_last_day(month.year, month.month) if end else month


@dataclass
class ReportRequest:
    report_id: str  # pr | ir | ir_m1
    customer: Customer
    begin: datetime.date
    end: datetime.date
    metrics: tuple
    data_types: tuple | None
    access_methods: tuple | None
    access_types: tuple | None
    yops: list | None
    item_ids: list | None
    author: str | None
    attributes: tuple
    granularity: str  # Month | Total | Totals (echoed as asked; the API document and the CoP differ)
    filters: dict  # as echoed in Report_Filters
    report_attributes: dict  # as echoed in Report_Attributes
    exceptions: list
    available: bool  # some requested month is processed and available
    pending: frozenset = frozenset()  # months in the range still waiting for a roll-up refresh


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def report_request(report_id: str, params, customer: Customer, *, now=None) -> ReportRequest:
    """Dates, filters and attributes of a report request, with the Exceptions that do not stop it
    (3031, 3032, 3050, 3060, 3062, 3063). Raises SushiError for 1030 and 3020."""
    now = now or timezone.now()
    if not params.get("begin_date") or not params.get("end_date"):
        raise SushiError(1030, "begin_date and end_date are required.")
    begin = parse_date(params["begin_date"], end=False)
    end = parse_date(params["end_date"], end=True)
    if end < begin:
        raise SushiError(3020, "end_date is earlier than begin_date.")
    this_month = _month_start(timezone.localtime(now).date())
    if begin >= this_month:
        raise SushiError(
            3020,
            f"begin_date is the current or a future month; the last month available is {last_month_available(now):%Y-%m}.",
        )
    exceptions = []
    unknown = sorted(set(params) - REPORT_PARAMS[report_id])
    if unknown:
        exceptions.append(exception(3050, ", ".join(unknown)))
    invalid_filters, invalid_attributes = [], []
    filters: dict = {}
    report_attributes: dict = {}

    def choose(name, allowed, key):
        if not params.get(name):
            return None
        values = _split(params[name])
        bad = [v for v in values if v not in allowed]
        invalid_filters.extend(f"{name}={v}" for v in bad)
        good = tuple(v for v in values if v in allowed)
        if good:
            filters[key] = list(good)
        return good or None

    metrics, data_types, access_methods, access_types, yops, item_ids, author = (
        METRICS,
        None,
        None,
        None,
        None,
        None,
        None,
    )
    attributes: tuple = ()
    granularity = "Month"
    if report_id == "ir_m1":
        metrics, data_types, access_methods = REQUEST_METRICS, MULTIMEDIA_TYPES, ("Regular",)
        filters = {
            "Metric_Type": list(REQUEST_METRICS),
            "Data_Type": list(MULTIMEDIA_TYPES),
            "Access_Method": ["Regular"],
        }
    else:
        allowed_types = ALL_DATA_TYPES
        metrics = choose("metric_type", METRICS, "Metric_Type") or METRICS
        data_types = choose("data_type", allowed_types, "Data_Type")
        access_methods = choose("access_method", ("Regular", "TDM"), "Access_Method")
        for name in ("attributed", "country_code", "subdivision_code"):
            if params.get(name):
                invalid_filters.append(f"{name}={params[name]}")
        if params.get("platform") and params["platform"] != PLATFORM:
            invalid_filters.append(f"platform={params['platform']}")
        if report_id == "ir":
            access_types = choose("access_type", ("Controlled", "Open", "Free_To_Read"), "Access_Type")
            if params.get("yop"):
                yops = []
                for part in _split(params["yop"]):
                    bounds = part.split("-")
                    if all(b.isdigit() and len(b) == 4 for b in bounds) and len(bounds) in (1, 2):
                        yops.append((int(bounds[0]), int(bounds[-1])))
                    else:
                        invalid_filters.append(f"yop={part}")
                if yops:
                    filters["YOP"] = [f"{a}" if a == b else f"{a}-{b}" for a, b in yops]
                yops = yops or None
            if params.get("item_id"):
                item_ids = []
                for part in _split(params["item_id"]):
                    namespace, _sep, value = part.partition(":")
                    if namespace == ID_NAMESPACE and value.isdigit():
                        item_ids.append(int(value))
                    else:
                        invalid_filters.append(f"item_id={part}")
                if item_ids:
                    filters["Item_ID"] = params["item_id"]
                item_ids = item_ids or None
            if params.get("author"):
                author = params["author"].strip()
                filters["Author"] = author
            for name in ("include_parent_details", "include_component_details"):
                value = params.get(name)
                if value is None:
                    continue
                if value not in ("True", "False", "true", "false"):
                    invalid_attributes.append(f"{name}={value}")
                elif value.lower() == "true" and name == "include_component_details":
                    exceptions.append(exception(3063, "Component usage is not reported."))
                elif name == "include_parent_details":
                    report_attributes["Include_Parent_Details"] = value.capitalize()
        if params.get("attributes_to_show"):
            shown = []
            for value in _split(params["attributes_to_show"]):
                if value in ATTRIBUTES[report_id]:
                    shown.append(value)
                else:
                    invalid_attributes.append(f"attributes_to_show={value}")
            if shown:
                attributes = tuple(dict.fromkeys(shown))
                report_attributes["Attributes_To_Show"] = list(attributes)
        if params.get("granularity"):
            if params["granularity"] in ("Month", "Total", "Totals"):
                granularity = params["granularity"]
                report_attributes["Granularity"] = granularity
            else:
                invalid_attributes.append(f"granularity={params['granularity']}")
    if invalid_filters:
        exceptions.append(exception(3060, ", ".join(invalid_filters)))
    if invalid_attributes:
        exceptions.append(exception(3062, ", ".join(invalid_attributes)))

    first, last = first_month_available(now), last_month_available(now)
    if begin < first:
        exceptions.append(
            exception(
                3032, f"Usage is available from {first:%Y-%m} to {last:%Y-%m}; the report begins at {first:%Y-%m}."
            )
        )
        begin = max(begin, first) if end >= first else begin
    if end > month_last_day(last.year, last.month):
        missing_from = max(begin, next_month(last))
        exceptions.append(
            exception(
                3031,
                f"Usage from {missing_from:%Y-%m} to {end:%Y-%m} has not been processed yet; "
                f"the last month available is {last:%Y-%m}.",
            )
        )
        if begin <= last:
            end = month_last_day(last.year, last.month)
    available = first <= begin <= end <= month_last_day(last.year, last.month)
    pending = frozenset()
    if available:
        dirty = RollupDirtyDay.objects.filter(day__gte=begin, day__lte=end).values_list("day", flat=True)
        pending = frozenset(f"{day:%Y-%m}" for day in dirty)
        if pending:  # e.g. an imported log re-opened an old month: its figures are not final yet
            exceptions.append(
                exception(3031, f"Usage for {', '.join(sorted(pending))} is being recounted; retry later.")
            )
    return ReportRequest(
        report_id=report_id,
        customer=customer,
        begin=begin,
        end=end,
        metrics=tuple(m for m in METRICS if m in metrics),
        data_types=data_types,
        access_methods=access_methods,
        access_types=access_types,
        yops=yops,
        item_ids=item_ids,
        author=author,
        attributes=attributes,
        granularity=granularity,
        filters=filters,
        report_attributes=report_attributes,
        exceptions=exceptions,
        available=available,
        pending=pending,
    )


# --- figures --------------------------------------------------------------------------------------


def _months(begin: datetime.date, end: datetime.date):
    month = begin
    while month <= end:
        yield month, min(end, month_last_day(month.year, month.month))
        month = next_month(month)


def usage(customer: Customer, begin: datetime.date, end: datetime.date, *, resource_ids=None, skip=()) -> dict:
    """{(resource_id, "yyyy-mm"): {metric: n}} for the customer over whole months, from the roll-ups.
    One GROUP BY per month, like the monitoring queries (no date functions in SQL)."""
    result: dict = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for month, last in _months(begin, end):
        if f"{month:%Y-%m}" in skip:
            continue
        rows = customer.rollups().filter(day__gte=month, day__lte=last)
        if resource_ids is not None:
            rows = rows.filter(resource_id__in=resource_ids)
        rows = rows.values("resource_id", "action").annotate(
            total=Sum("total"), ui=Sum("unique_investigations"), ur=Sum("unique_requests")
        )
        for row in rows.order_by():
            counts = result[(row["resource_id"], f"{month:%Y-%m}")]
            counts["Total_Item_Investigations"] += row["total"]
            counts["Unique_Item_Investigations"] += row["ui"]
            counts["Unique_Item_Requests"] += row["ur"]
            if row["action"] in REQUEST_ACTIONS:
                counts["Total_Item_Requests"] += row["total"]
    return result


def customer_totals(customer: Customer, month: datetime.date) -> dict:
    """The four metrics summed over every resource, for one month (the monthly push carries them)."""
    totals = dict.fromkeys(METRICS, 0)
    for (_rid, _m), counts in usage(customer, month, month_last_day(month.year, month.month)).items():
        for metric, value in counts.items():
            totals[metric] += value
    return totals


@dataclass
class ItemInfo:
    title: str
    data_type: str
    year: int | None
    authors: list
    published: str | None
    access_type: str


def _items(resource_ids) -> dict[int, ItemInfo]:
    from .selectors import _split as split_names

    found = {}
    pages = ResourcePage.objects.filter(pk__in=list(resource_ids)).select_related("resource_type")
    for page in pages.only("pk", "title", "year", "authors", "first_published_at", "licence", "resource_type__code"):
        found[page.pk] = ItemInfo(
            title=page.title,
            data_type=DATA_TYPES.get(page.resource_type.code, "Unspecified"),
            year=page.year,
            authors=split_names(page.authors)[:3],
            published=timezone.localtime(page.first_published_at).date().isoformat()
            if page.first_published_at
            else None,
            access_type="Open" if page.licence == ResourcePage.Licence.CC_BY_NC else "Free_To_Read",
        )
    for rid in resource_ids:
        found.setdefault(rid, ItemInfo(f"已删除的资源 #{rid}", "Unspecified", None, [], None, "Free_To_Read"))
    return found


def _performance(months: dict, metrics, granularity: str, begin: datetime.date) -> dict:
    """Counts per metric, leaving out zero months and metrics with no usage (COUNTER omits them)."""
    performance = {}
    for metric in metrics:
        counts = {m: c[metric] for m, c in sorted(months.items()) if c[metric]}
        if not counts:
            continue
        if granularity != "Month":
            counts = {f"{begin:%Y-%m}": sum(counts.values())}
        performance[metric] = counts
    return performance


def _header(req: ReportRequest, report_id: str, report_name: str) -> dict:
    header = {
        "Release": RELEASE,
        "Report_ID": report_id,
        "Report_Name": report_name,
        "Created": timezone.now().astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "Created_By": PLATFORM,
        "Institution_ID": req.customer.institution_id,
        "Institution_Name": req.customer.name,
        "Registry_Record": "",
        "Report_Filters": {"Begin_Date": req.begin.isoformat(), "End_Date": req.end.isoformat(), **req.filters},
    }
    if req.report_attributes and report_id != "IR_M1":
        header["Report_Attributes"] = req.report_attributes
    return header


def _finish(header: dict, items: list, req: ReportRequest) -> dict:
    exceptions = list(req.exceptions)
    if not items and req.available and not req.pending:
        # Only months that are processed and still available can be "without usage" (3030);
        # the others are already reported as 3031 or 3032.
        exceptions.append(
            exception(3030, f"No usage for {req.customer.customer_id} from {req.begin:%Y-%m} to {req.end:%Y-%m}.")
        )
    if exceptions:
        header["Exceptions"] = exceptions
    return {"Report_Header": header, "Report_Items": items}


def platform_report(req: ReportRequest) -> dict:
    per_type: dict = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(METRICS, 0)))
    if req.available and (req.access_methods is None or "Regular" in req.access_methods):
        figures = usage(req.customer, req.begin, req.end, skip=req.pending)
        items = _items({rid for rid, _m in figures})
        for (rid, month), counts in figures.items():
            data_type = items[rid].data_type
            if req.data_types is not None and data_type not in req.data_types:
                continue
            bucket = per_type[data_type][month]
            for metric, value in counts.items():
                bucket[metric] += value
    performances = []
    for data_type in sorted(per_type):
        performance = _performance(per_type[data_type], req.metrics, req.granularity, req.begin)
        if performance:
            entry = {"Data_Type": data_type}
            if "Access_Method" in req.attributes:
                entry["Access_Method"] = "Regular"
            entry["Performance"] = performance
            performances.append(entry)
    items = [{"Platform": PLATFORM, "Attribute_Performance": performances}] if performances else []
    return _finish(_header(req, "PR", "Platform Report"), items, req)


def _item_rows(req: ReportRequest, metrics) -> list[tuple[int, ItemInfo, dict]]:
    if not req.available or (req.access_methods is not None and "Regular" not in req.access_methods):
        return []
    figures = usage(req.customer, req.begin, req.end, resource_ids=req.item_ids, skip=req.pending)
    per_item: dict = defaultdict(dict)
    for (rid, month), counts in figures.items():
        per_item[rid][month] = counts
    infos = _items(per_item)
    rows = []
    for rid in sorted(per_item, key=lambda r: (infos[r].title, r)):
        info = infos[rid]
        if req.data_types is not None and info.data_type not in req.data_types:
            continue
        if req.access_types is not None and info.access_type not in req.access_types:
            continue
        if req.yops is not None and not (info.year and any(a <= info.year <= b for a, b in req.yops)):
            continue
        if req.author and req.author not in info.authors:
            continue
        performance = _performance(per_item[rid], metrics, req.granularity, req.begin)
        if performance:
            rows.append((rid, info, performance))
    return rows


def _item_base(rid: int, info: ItemInfo) -> dict:
    return {
        "Item": info.title,
        "Publisher": PUBLISHER,
        "Platform": PLATFORM,
        "Item_ID": {"Proprietary": f"{ID_NAMESPACE}:{rid}"},
    }


def item_report(req: ReportRequest) -> dict:
    items = []
    for rid, info, performance in _item_rows(req, req.metrics):
        item = _item_base(rid, info)
        if "Authors" in req.attributes and info.authors:
            item["Authors"] = [{"Name": name} for name in dict.fromkeys(info.authors) if len(name) >= 2] or None
            if item["Authors"] is None:
                del item["Authors"]
        if "Publication_Date" in req.attributes and info.published:
            item["Publication_Date"] = info.published
        entry = {"Data_Type": info.data_type}
        if "YOP" in req.attributes and info.year:
            entry["YOP"] = f"{info.year:04d}"
        if "Access_Type" in req.attributes:
            entry["Access_Type"] = info.access_type
        if "Access_Method" in req.attributes:
            entry["Access_Method"] = "Regular"
        entry["Performance"] = performance
        item["Attribute_Performance"] = [entry]
        items.append(item)
    report_items = [{"Items": items}] if items else []
    return _finish(_header(req, "IR", "Item Report"), report_items, req)


def multimedia_report(req: ReportRequest) -> dict:
    items = []
    for rid, info, performance in _item_rows(req, REQUEST_METRICS):
        if len(performance) < 2:  # IR_M1 always carries both request metrics
            continue
        item = _item_base(rid, info)
        item["Attribute_Performance"] = [{"Data_Type": info.data_type, "Performance": performance}]
        items.append(item)
    report_items = [{"Items": items}] if items else []
    return _finish(_header(req, "IR_M1", "Multimedia Item Requests"), report_items, req)


REPORTS = {
    "pr": ("PR", "Platform Report", "使用量按资源类型汇总（平台报告）。", platform_report),
    "ir": ("IR", "Item Report", "每个资源的使用量（条目报告）。", item_report),
    "ir_m1": ("IR_M1", "Multimedia Item Requests", "音视频、图集等多媒体资源的完整内容请求。", multimedia_report),
}


def report_list(customer: Customer, now=None) -> list[dict]:
    first, last = first_month_available(now), last_month_available(now)
    return [
        {
            "Report_Name": name,
            "Report_ID": report_id,
            "Release": RELEASE,
            "Report_Description": description,
            "Path": f"/r51/reports/{path}",
            "First_Month_Available": f"{first:%Y-%m}",
            "Last_Month_Available": f"{last:%Y-%m}",
        }
        for path, (report_id, name, description, _build) in REPORTS.items()
    ]


def status() -> list[dict]:
    last = last_month_available()
    return [
        {
            "Description": f"{PLATFORM} COUNTER_SUSHI API (Release 5.1)",
            "Service_Active": True,
            "Note": (
                f"Monthly usage is final one hour after the month ends; the last month available is {last:%Y-%m}. "
                f"Usage is attributed to the teachers, students and parents of each customer."
            ),
        }
    ]
