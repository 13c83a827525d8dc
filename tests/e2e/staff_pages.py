"""Shared by the staff every-page tests (test_staff_pages_fit.py: teachers, county reviewers, experts
and the account pages; test_staff_pages_admin.py: the resource admin and the superuser).

`check()` looks at one page at 390×844 (a phone) and 1366×768 (a laptop) and returns its problems:
- the page scrolls sideways, or an element reaches past the screen's edge without a scrollable
  wrapper of its own (a table in an `overflow-x: auto` box is fine; the page itself must not pan);
- visible English (body text, buttons, options of a select, screen-reader text), apart from
  `ALLOWED` (formats, units, brand and product names, the test accounts' user names, the site's
  host name), file names, pixel sizes (1280x720), identifiers (UUIDs of monthly deliveries) and
  `<code>` (keys and codes a user types as shown);
- no layout around the page: our pages have the site's header and footer; Wagtail's admin pages
  (`/admin/…`) have Wagtail's sidebar and its `main#main` instead;
- the primary action (a selector) is not visible.

Wagtail's admin scrolls inside `main#main` (`overflow-x: hidden; overflow-y: auto`), not the page:
there, "sideways" means an element reaching past the screen inside `#main`, which Wagtail cuts off
instead of scrolling, so `#main` does not count as a scrollable wrapper. Its screenshot is taken with
the window as tall as `#main`'s content, so that it shows the whole page like a full-page one."""

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from catalogue.models import Confirmation, Role
from tests import factories
from tests.e2e.signin import PASSWORD, sign_in
from tests.review import media

SIZES = ((390, 844), (1366, 768))
# Words a Chinese user meets as they are: formats, codecs, units, brand and product names.
ALLOWED = {
    "MP4", "MP3", "AAC", "M4A", "PDF", "PPTX", "DOCX", "XLSX", "DOC", "PPT", "XLS", "JPG", "JPEG", "PNG", "WebP",
    "WEBP", "GIF", "H.264", "H.265", "HEVC", "CSV", "JSON", "Excel", "Word", "PowerPoint", "WeChat", "kbps", "fps",
    "MB", "GB", "KB", "https", "http", "www", "example", "com", "zhanguan", "Zmd", "ZIP", "URL", "OK",
    "bytes", "Part", "MPEG", "SHA", "px", "COUNTER", "R5.1", "COUNTER-Robots", "Wagtail", "API",
    # the two-factor page names the authenticator apps and the standard they implement
    "Microsoft", "Authenticator", "FreeOTP", "TOTP",
    # the accounts' user names, shown in the header and in user lists (the users' own data)
    "teacher", "newteacher", "reviewer", "expert1", "expert2", "ziyuan", "admin",
    # the site's host name (设置 → 站点): the test server's; a domain name in production
    "localhost",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z0-9.\-]{2,}")
FILE_NAME = re.compile(r"《[^》]*》|[\w\-]+\.(mp4|mp3|png|pdf|jpe?g|gif|webp|docx?|pptx?|xlsx?|zip|txt)\b", re.I)
PIXELS = re.compile(r"\b\d+\s*[x×]\s*\d+\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")

# What sticks out sideways, on an admin or a public page (test_every_public_page uses it too). Not
# counted: text for screen readers only, hidden elements, Wagtail's minimap while it is folded away
# past the right edge (only its toggle shows), and jcrop's off-screen keyboard-focus input.
OVERFLOW_JS = """() => {
  const SKIP = '.visually-hidden, .skip-link, .share-picture, .w-sr-only, [hidden], .hidden, '
    + '.w-minimap:not(.w-minimap--expanded), .jcrop-keymgr';
  const width = document.documentElement.clientWidth;
  const main = document.querySelector('#main.content-wrapper');
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest(SKIP)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) {
      let scroller = el.parentElement, clipped = false;
      while (scroller && scroller !== document.body) {
        const o = getComputedStyle(scroller).overflowX;
        if (scroller !== main && (o === 'auto' || o === 'scroll' || o === 'hidden')) { clipped = true; break; }
        scroller = scroller.parentElement;
      }
      if (!clipped) wide.push((el.tagName + '.' + el.className).slice(0, 60) + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  const tables = [...document.querySelectorAll('.ind-table-wrap')].map(e => e.scrollWidth - e.clientWidth);
  return {scroll: document.documentElement.scrollWidth, client: width, wide: wide.slice(0, 5),
          table: Math.max(0, ...tables), main: main ? main.scrollHeight : 0};
}"""
ANY_WORD = object()  # known_english for a page whose English is a known, reported defect
SETTLE_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def shots() -> Path:
    path = Path(os.environ.get("E2E_SHOTS") or "/tmp/shots/e2e-staff")
    path.mkdir(parents=True, exist_ok=True)
    return path


def login(browser, live_server, username, password=PASSWORD):
    return sign_in(browser, live_server, username, password=password)


def english(page) -> list[str]:
    """English words a user can read (innerText: visible text, select options, screen-reader text)."""
    text, verbatim = page.evaluate(
        "() => [document.body.innerText, [...document.querySelectorAll('code')].map(e => e.innerText)]"
    )
    for code in verbatim:
        text = text.replace(code, " ")
    text = UUID.sub(" ", PIXELS.sub(" ", FILE_NAME.sub(" ", text)))
    return sorted({w for w in WORD.findall(text) if w.strip(".-") not in ALLOWED})


def check(page, name, *, action=None, url=None, known_english=frozenset()):
    """The page at both sizes: fits, reads Chinese, has its layout and its primary action. With `url`,
    the page is loaded at the phone's size, as a phone opens it (widgets that size themselves when
    the page loads, such as the image focal-point editor, then get the phone's width), and then
    widened to the laptop's; without, the page shown (the answer to a form) is only resized. (A
    widget sized at load can only overflow when the window narrows after it, never when it widens.)"""
    problems = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        if url is not None and width == SIZES[0][0]:
            response = page.goto(url)
            if response is None or response.status != 200 or urlsplit(page.url).path != urlsplit(url).path:
                problems.append(f"{name}: {url} answered {response and response.status} at {page.url}")
        page.evaluate(SETTLE_JS)
        admin = page.locator("#main.content-wrapper").count() == 1
        result = page.evaluate(OVERFLOW_JS)
        shot = str(shots() / f"{name}-{width}.png")
        if admin and result["main"] > height:
            # Wagtail scrolls inside #main: a window as tall as its content shows the whole page.
            page.set_viewport_size({"width": width, "height": min(result["main"], 6000)})
            page.evaluate(SETTLE_JS)
            page.screenshot(path=shot)
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate(SETTLE_JS)
        else:
            page.screenshot(path=shot, full_page=True)
        if result["scroll"] > result["client"]:
            problems.append(f"{name} at {width}px scrolls sideways by {result['scroll'] - result['client']}px")
        if result["wide"]:
            problems.append(f"{name} at {width}px: wider than the screen: {result['wide']}")
        if width == 1366 and result["table"] > 0:
            problems.append(f"{name} at {width}px: a table is wider than the screen by {result['table']}px")
        if action is not None and not page.locator(action).first.is_visible():
            problems.append(f"{name} at {width}px: the primary action {action} is not visible")
    if admin:
        if page.locator("#wagtail-sidebar").count() == 0:
            problems.append(f"{name}: an admin page without Wagtail's sidebar")
    elif page.locator("header.site-header").count() != 1 or page.locator("footer.site-footer").count() != 1:
        problems.append(f"{name}: no site layout (header and footer) around the page")
    words = [] if known_english is ANY_WORD else [w for w in english(page) if w not in known_english]
    if words:
        problems.append(f"{name}: English a user can see: {words[:12]}")
    return problems


def visit(page, live_server, rows, *, known_english=None):
    """Open each (path, name, primary action) at both sizes and check it. `known_english`: for a page
    name, the English words left that we could not translate yet, or ANY_WORD (each one explained
    where given)."""
    problems = []
    for path, name, action in rows:
        known = (known_english or {}).get(name, frozenset())
        problems += check(page, name, action=action, url=f"{live_server.url}{path}", known_english=known)
    return problems


def world():
    """One data set for every role: an open campaign, one account per role (a teacher whose school is
    not confirmed yet among them), a draft, a work in county review, one in expert review, one in an
    open public notice (公示) with an objection, a published resource with its files, and
    notifications, which the transitions send."""
    from catalogue.services import profile_set
    from review import services
    from review.models import ExpertReview

    campaign = factories.campaign(open_now=True)
    people = SimpleNamespace(
        campaign=campaign,
        teacher=factories.user(Role.TEACHER, username="teacher", region="遂平县", school="遂平县第一初级中学"),
        pending=factories.user(Role.TEACHER, username="newteacher", region="遂平县", school="遂平县第二初级中学"),
        reviewer=factories.user(Role.COUNTY_REVIEWER, username="reviewer", region="遂平县"),
        expert1=factories.user(Role.CITY_EXPERT, username="expert1", region="市直", school="驻马店市第一高级中学"),
        expert2=factories.user(Role.CITY_EXPERT, username="expert2", region="市直", school="驻马店市实验小学"),
        admin=factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region=None),
    )
    profile_set(
        user=people.pending,
        role=Role.TEACHER,
        region=people.pending.profile.region,
        school=people.pending.profile.school,
        confirmation=Confirmation.PENDING,
    )
    from django.contrib.auth import get_user_model

    people.superuser = get_user_model().objects.create_superuser("admin", "admin@example.cn", PASSWORD)

    def files(title, colour):
        return {
            "main_file": factories.upload(f"{title}.mp4", media.mp4(colour=colour), "video/mp4"),
            "cover": factories.upload("封面.png", media.png(), "image/png"),
        }

    t = people.teacher
    people.draft = factories.submission(teacher=t, title="梁祝故事｜课本剧（草稿）", topic="梁祝文化")
    people.in_review = factories.submission(
        teacher=t, files=files("嵖岈山", "2a6f97"), title="嵖岈山｜花岗岩地貌的形成"
    )
    services.submission_submit(submission=people.in_review, user=t)
    people.scoring = factories.submission(teacher=t, files=files("竹沟", "6f2a97"), title="竹沟｜小延安的故事")
    services.submission_submit(submission=people.scoring, user=t)
    services.county_decide(submission=people.scoring, user=people.reviewer, decision="approve")
    people.noticed = factories.submission(teacher=t, files=files("嫘祖", "972a6f"), title="嫘祖｜丝绸的起源")
    services.submission_submit(submission=people.noticed, user=t)
    services.county_decide(submission=people.noticed, user=people.reviewer, decision="approve")
    standard = campaign.review_settings.standard
    for review in ExpertReview.objects.filter(submission=people.noticed):
        scores = {
            c.pk: ((Decimal(c.max_points) * 90 / 100).quantize(Decimal("0.01")), "") for c in standard.criteria.all()
        }
        services.expert_score(review=review, user=review.expert, scores=scores, comment="讲解清楚，画面稳定。")
    people.noticed.refresh_from_db()
    services.submission_award_set(submission=people.noticed, award="first", user=people.admin)
    people.publicity = services.publicity_open(
        campaign=campaign, submissions=[people.noticed], days=7, user=people.admin
    )
    services.objection_file(submission=people.noticed, user=people.pending, reason="视频中的地名读音有误。")
    for submission in ("in_review", "scoring", "noticed"):
        getattr(people, submission).refresh_from_db()
    people.scoring_expert = ExpertReview.objects.filter(submission=people.scoring).first().expert
    video = factories.document("微课", name="chayashan.mp4", data=media.mp4())
    people.resource = factories.resource(title="嵖岈山｜奇石与传说", files=[(video, "video")])
    people.video = video
    people.image = people.resource.cover_image
    people.since = datetime.date.today()
    return people
