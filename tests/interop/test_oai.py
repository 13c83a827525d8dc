"""OAI-PMH as a harvester sees it: sickle (a harvesting library written by others) against the
live server — full and incremental harvests, deletions, sets, resumption, and every protocol error."""

import datetime
import re
import time

import pytest
import requests
from django.core import signing
from django.utils import timezone
from lxml import etree
from sickle import Sickle, oaiexceptions
from wagtail.models import Page, PageViewRestriction

from catalogue.models import ResourcePage, ResourceType, Stage, Subject, Topic
from interop.models import OaiRecord
from interop.oai import TOKEN_SALT
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ZMD = "{urn:zhumadian:resource-catalogue:resource:1.0}"
SCHEMA = etree.XMLSchema(etree.parse("interop/schemas/zmd_resource.xsd"))
LONG_AGO = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


def bulk_resources(count: int, *, topic="嵖岈山", parent=None, year=2026, published=LONG_AGO) -> list[ResourcePage]:
    """Public resources made the way an import makes them (live pages, no publish signal): the OAI
    record state learns about them from the reconcile at the start of a harvest."""
    parent = parent or factories.campaign(year=year)
    topic_obj = Topic.objects.select_related("theme").get(name=topic)
    stage, kind = Stage.objects.get(name="初中"), ResourceType.objects.get(code="video")
    subjects = list(Subject.objects.filter(name="地理"))
    pages = []
    for n in range(count):
        page = ResourcePage(
            title=f"{topic}｜批量资源 {n:04d}",
            slug=f"bulk-{topic_obj.slug}-{year}-{n}",
            description="<p>批量导入的资源。</p>",
            theme=topic_obj.theme,
            topic=topic_obj,
            stage=stage,
            resource_type=kind,
            authors="张敏、李华",
            year=year,
            licence_confirmed=True,
            live=True,
            first_published_at=published,
            last_published_at=published,
        )
        page.subjects = subjects
        parent.add_child(instance=page)
        pages.append(page)
    return pages


def ids(items) -> set[str]:
    """Identifiers of ListIdentifiers headers or ListRecords records."""
    return {getattr(i, "header", i).identifier for i in items}


def identifier(resource) -> str:
    return f"oai:zmd-edu.local:resource/{resource.pk}"


def raw(oai_url, **params):
    response = requests.get(oai_url, params=params, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
    return etree.fromstring(response.content)


def error_code(tree) -> str | None:
    error = tree.find(f"{OAI}error")
    return error.get("code") if error is not None else None


def test_full_harvest_pages_by_100_with_both_formats_and_never_shows_drafts(oai_url):
    public = bulk_resources(230)
    teacher = factories.user("teacher")
    draft = factories.resource(title="嵖岈山｜教师草稿", publish=False, owner=teacher, with_cover=False)
    rich = factories.resource(
        title="竹沟革命根据地｜小延安",
        topic="竹沟革命根据地",
        files=[(factories.document("讲义", name="jiangyi.pdf"), "document")],
    )

    sickle = Sickle(oai_url)
    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))
    assert len(headers) == 231 and len(ids(headers)) == 231
    assert ids(headers) == {identifier(p) for p in public} | {identifier(rich)}
    assert identifier(draft) not in ids(headers)

    # Resumption across three pages: cursor, completeListSize and expiry on every token, and the
    # empty token that closes the list.
    first = raw(oai_url, verb="ListRecords", metadataPrefix="zmd_resource")
    token = first.find(f".//{OAI}resumptionToken")
    assert len(first.findall(f".//{OAI}record")) == 100
    assert token.get("cursor") == "0" and token.get("completeListSize") == "231" and token.get("expirationDate")
    second = raw(oai_url, verb="ListRecords", resumptionToken=token.text)
    token2 = second.find(f".//{OAI}resumptionToken")
    assert len(second.findall(f".//{OAI}record")) == 100 and token2.get("cursor") == "100"
    third = raw(oai_url, verb="ListRecords", resumptionToken=token2.text)
    last = third.find(f".//{OAI}resumptionToken")
    assert len(third.findall(f".//{OAI}record")) == 31
    assert last is not None and not last.text and last.get("cursor") == "200"

    records = list(sickle.ListRecords(metadataPrefix="zmd_resource"))
    assert len(records) == 231
    for record in records:
        resource = record.xml.find(f".//{ZMD}resource")
        assert SCHEMA.validate(etree.ElementTree(resource)), SCHEMA.error_log.last_error
    mine = next(r for r in records if r.header.identifier == identifier(rich))
    resource = mine.xml.find(f".//{ZMD}resource")
    assert resource.findtext(f"{ZMD}theme") == "红色文化" and resource.find(f"{ZMD}theme").get("code") == "red-culture"
    assert resource.findtext(f"{ZMD}topic") == "竹沟革命根据地"
    assert [s.text for s in resource.findall(f"{ZMD}subject")] == ["地理"]
    assert resource.find(f"{ZMD}county").get("code") == "suiping"
    file = resource.find(f"{ZMD}files/{ZMD}file")
    assert file.get("kind") == "document" and file.get("mimeType") == "application/pdf"
    # The links are absolute URLs of the public file view, and they serve the file to anyone.
    assert file.get("href").startswith(oai_url.replace("/oai/", "/files/"))
    assert requests.get(file.get("download"), timeout=30).content.startswith(b"%PDF")
    cover = requests.get(resource.find(f"{ZMD}cover").get("href"), timeout=30)
    assert cover.status_code == 200 and cover.headers["Content-Type"].startswith("image/")

    dc = next(r for r in sickle.ListRecords(metadataPrefix="oai_dc") if r.header.identifier == identifier(rich))
    assert dc.metadata["title"] == ["竹沟革命根据地｜小延安"]
    assert dc.metadata["creator"] == ["张敏", "李华"]
    assert "红色文化" in dc.metadata["subject"] and "地理" in dc.metadata["subject"]
    assert dc.metadata["type"] == ["MovingImage", "微课视频"]
    assert dc.metadata["identifier"][0].endswith(rich.url)

    got = sickle.GetRecord(identifier=identifier(rich), metadataPrefix="oai_dc")
    assert got.metadata["title"] == ["竹沟革命根据地｜小延安"]
    with pytest.raises(oaiexceptions.IdDoesNotExist):
        sickle.GetRecord(identifier=identifier(draft), metadataPrefix="oai_dc")
    assert not OaiRecord.objects.filter(resource_id=draft.pk).exists()


def test_incremental_harvest_sees_new_changed_and_unpublished_resources_as_deleted(oai_url):
    old = bulk_resources(5)
    sickle = Sickle(oai_url)
    assert len(list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))) == 5
    since = timezone.now().replace(microsecond=0)
    time.sleep(1.1)

    added = factories.resource(title="嵖岈山｜新发布", with_cover=False)
    old[1].save_revision().publish()  # edited and published again
    old[2].unpublish()
    old[3].delete()

    changed = list(sickle.ListRecords(metadataPrefix="oai_dc", **{"from": since.strftime("%Y-%m-%dT%H:%M:%SZ")}))
    by_id = {r.header.identifier: r for r in changed}
    assert set(by_id) == {identifier(added), identifier(old[1]), identifier(old[2]), identifier(old[3])}
    assert not by_id[identifier(added)].header.deleted and not by_id[identifier(old[1])].header.deleted
    for gone in (old[2], old[3]):
        record = by_id[identifier(gone)]
        assert record.header.deleted and record.xml.find(f".//{OAI}metadata") is None
        assert "theme:natural-scenery" in record.header.setSpecs  # a tombstone keeps its sets

    # Persistent: the tombstones are there in a full harvest and for GetRecord, forever.
    full = {h.identifier: h.deleted for h in sickle.ListIdentifiers(metadataPrefix="oai_dc")}
    assert full[identifier(old[2])] is True and full[identifier(old[3])] is True and full[identifier(old[0])] is False
    assert sickle.GetRecord(identifier=identifier(old[3]), metadataPrefix="zmd_resource").header.deleted
    identify = sickle.Identify()
    assert identify.deletedRecord == "persistent" and identify.granularity == "YYYY-MM-DDThh:mm:ssZ"

    # Published again: the record comes back to life with a new datestamp.
    old[2].save_revision().publish()
    back = {h.identifier: h.deleted for h in sickle.ListIdentifiers(metadataPrefix="oai_dc")}
    assert back[identifier(old[2])] is False

    # Day granularity works for from/until as well (every harvester must be able to use it).
    today = timezone.now().strftime("%Y-%m-%d")
    assert identifier(added) in ids(sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": today}))
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", until="2026-02-28"))


def test_a_resource_made_private_becomes_a_deleted_record(oai_url):
    resource = factories.resource(title="嵖岈山｜将设为私有", with_cover=False)
    sickle = Sickle(oai_url)
    assert not sickle.GetRecord(identifier=identifier(resource), metadataPrefix="oai_dc").header.deleted
    PageViewRestriction.objects.create(page=resource, restriction_type=PageViewRestriction.LOGIN)
    assert sickle.GetRecord(identifier=identifier(resource), metadataPrefix="oai_dc").header.deleted


def test_moving_a_resource_into_a_private_section_writes_a_tombstone_and_back_revives_it(oai_url):
    from catalogue.services import national_index_ensure

    resource = factories.resource(title="嵖岈山｜将移到内部栏目", with_cover=False)
    campaign = resource.get_parent()
    national_index_ensure()
    private = Page.objects.get(slug="national")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    sickle = Sickle(oai_url)
    assert not sickle.GetRecord(identifier=identifier(resource), metadataPrefix="oai_dc").header.deleted
    resource.move(private, pos="last-child")
    assert OaiRecord.objects.get(resource_id=resource.pk).deleted  # written by the move itself
    assert sickle.GetRecord(identifier=identifier(resource), metadataPrefix="oai_dc").header.deleted
    ResourcePage.objects.get(pk=resource.pk).move(Page.objects.get(pk=campaign.pk), pos="last-child")
    assert not sickle.GetRecord(identifier=identifier(resource), metadataPrefix="oai_dc").header.deleted


def test_a_resource_hidden_behind_the_signals_back_is_never_sent_as_public(oai_url):
    """A bulk update (no Wagtail signal) takes resources off the site during a harvest: one still
    to come is sent as deleted, never with its metadata; one already sent comes as deleted in the
    next incremental harvest."""
    pages = bulk_resources(130)
    first = raw(oai_url, verb="ListRecords", metadataPrefix="oai_dc")
    began = first.findtext(f"{OAI}responseDate")
    ResourcePage.objects.filter(pk__in=[pages[5].pk, pages[120].pk]).update(live=False)
    token = first.find(f".//{OAI}resumptionToken").text
    rest = raw(oai_url, verb="ListRecords", resumptionToken=token)
    later = {r.findtext(f"{OAI}header/{OAI}identifier"): r for r in rest.findall(f".//{OAI}record")}
    record = later[identifier(pages[120])]
    assert record.find(f"{OAI}header").get("status") == "deleted" and record.find(f"{OAI}metadata") is None
    time.sleep(1)
    since = {
        h.identifier: h.deleted for h in Sickle(oai_url).ListIdentifiers(metadataPrefix="oai_dc", **{"from": began})
    }
    assert since == {identifier(pages[5]): True, identifier(pages[120]): True}


def test_set_selective_harvest(oai_url):
    chaya = bulk_resources(3, topic="嵖岈山")
    zhugou = bulk_resources(2, topic="竹沟革命根据地")
    older = bulk_resources(2, topic="嵖岈山", year=2025)
    sickle = Sickle(oai_url)

    sets = {s.setSpec: s.setName for s in sickle.ListSets()}
    assert sets["theme:red-culture"] == "红色文化" and sets["topic:zhugou-base"] == "红色文化 · 竹沟革命根据地"
    assert {"theme", "topic", "year", "year:2025", "year:2026"} <= set(sets)

    assert ids(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="topic:zhugou-base")) == {
        identifier(p) for p in zhugou
    }
    assert ids(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="theme:natural-scenery")) == {
        identifier(p) for p in chaya + older
    }
    assert ids(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="year:2025")) == {identifier(p) for p in older}
    assert len(ids(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="theme"))) == 7  # the parent holds all
    zhugou[0].unpublish()
    deleted = [h for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="topic:zhugou-base") if h.deleted]
    assert [h.identifier for h in deleted] == [identifier(zhugou[0])]
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="topic:no-such-topic"))


def test_a_record_deleted_during_a_harvest_is_not_skipped(oai_url):
    pages = bulk_resources(150)
    first = raw(oai_url, verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = {h.findtext(f"{OAI}identifier") for h in first.findall(f".//{OAI}header")}
    # Between two pages an editor deletes one record already sent and one still to come; keyset
    # paging moves both to the end of the list instead of shifting an offset past a record.
    pages[0].delete()
    pages[140].delete()
    token = first.find(f".//{OAI}resumptionToken").text
    rest = raw(oai_url, verb="ListIdentifiers", resumptionToken=token)
    headers = rest.findall(f".//{OAI}header")
    seen_later = {h.findtext(f"{OAI}identifier"): h.get("status") for h in headers}
    assert seen | set(seen_later) == {identifier(p) for p in pages}
    assert seen_later[identifier(pages[0])] == "deleted" and seen_later[identifier(pages[140])] == "deleted"


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "GetMetadata", "identifier": "x", "metadataPrefix": "oai_dc"}, "badVerb"),
        ({"verb": ["Identify", "ListSets"]}, "badVerb"),
        ({"verb": "Identify", "set": "theme"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "zmd_resource"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-05-01", "until": "2026-04-01"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-05-01", "until": "2026-06-01T00:00:00Z"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "oai:zmd-edu.local:resource/1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": "oai:zmd-edu.local:resource/1", "metadataPrefix": "mods"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:zmd-edu.local:resource/999999", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:elsewhere.org:resource/1", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:zmd-edu.local:resource/999999"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2099-01-01"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ],
)
def test_protocol_errors(oai_url, params, code):
    bulk_resources(2)
    tree = raw(oai_url, **params)
    assert error_code(tree) == code
    request = tree.find(f"{OAI}request")
    if code in ("badVerb", "badArgument"):
        assert not request.attrib  # no echo of arguments that were not understood


def test_tampered_expired_and_foreign_tokens_are_refused(oai_url):
    bulk_resources(120)
    token = raw(oai_url, verb="ListIdentifiers", metadataPrefix="oai_dc").find(f".//{OAI}resumptionToken").text
    payload = signing.loads(token, salt=TOKEN_SALT)
    payload["c"] = 0  # try to rewind or change the filter: the signature no longer matches
    forged = signing.dumps(payload, salt="guess", compress=True)
    assert error_code(raw(oai_url, verb="ListIdentifiers", resumptionToken=forged)) == "badResumptionToken"
    flipped = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert error_code(raw(oai_url, verb="ListIdentifiers", resumptionToken=flipped)) == "badResumptionToken"
    assert error_code(raw(oai_url, verb="ListRecords", resumptionToken=token)) == "badResumptionToken"
    # A token older than 24 hours has expired.
    old = signing.TimestampSigner(salt=TOKEN_SALT)
    old.timestamp = lambda: signing.b62_encode(int(time.time()) - 25 * 3600)
    stale = old.sign_object(payload, compress=True)
    tree = raw(oai_url, verb="ListIdentifiers", resumptionToken=stale)
    assert error_code(tree) == "badResumptionToken" and "expired" in tree.findtext(f"{OAI}error")
    assert len(raw(oai_url, verb="ListIdentifiers", resumptionToken=token).findall(f".//{OAI}header")) == 20


def test_list_metadata_formats_and_the_served_schema(oai_url):
    resource = bulk_resources(1)[0]
    formats = {f.metadataPrefix: f for f in Sickle(oai_url).ListMetadataFormats(identifier=identifier(resource))}
    assert set(formats) == {"oai_dc", "zmd_resource"}
    xsd = requests.get(formats["zmd_resource"].schema, timeout=30)
    assert xsd.status_code == 200
    assert etree.XMLSchema(etree.fromstring(xsd.content)) is not None
    assert re.search(rb'targetNamespace="urn:zhumadian:resource-catalogue:resource:1.0"', xsd.content)


def test_post_requests_are_answered_like_get(oai_url):
    bulk_resources(3)
    records = list(Sickle(oai_url, http_method="POST").ListIdentifiers(metadataPrefix="oai_dc"))
    assert len(records) == 3
