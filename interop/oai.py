"""OAI-PMH 2.0 at /oai/, on the `oaipmh` library (the maintained fork of pyoai).

`oaipmh` does the protocol: argument validation (badArgument, badVerb), datestamp parsing, the
response envelope, error envelopes and the oai_dc writer. This module supplies the repository
behind it: which records exist (selectors), their metadata, and resumption tokens that are signed
(tamper-proof), expire, and page by keyset (datestamp, resource id) so a record edited or deleted
during a harvest is never skipped — it moves to the end of the list instead.
"""

import datetime
import html

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.html import strip_tags
from lxml import etree
from lxml.etree import SubElement
from oaipmh import common, error
from oaipmh.datestamp import datetime_to_datestamp
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import NS_XSI, ServerBase, XMLTreeServer, nsoai, oai_dc_writer

from . import selectors, services

BATCH_SIZE = 100
TOKEN_MAX_AGE = datetime.timedelta(hours=24)
TOKEN_SALT = "interop.oai.resumption"
PREFIX_DC = "oai_dc"
PREFIX_ZMD = "zmd_resource"
NS_ZMD = "urn:zhumadian:resource-catalogue:resource:1.0"
VERBS = ("GetRecord", "Identify", "ListIdentifiers", "ListMetadataFormats", "ListRecords", "ListSets")
LIST_VERBS = ("ListIdentifiers", "ListRecords")


def identifier_for(resource_id: int) -> str:
    return f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:resource/{resource_id}"


def resource_id_from(identifier: str) -> int | None:
    prefix = f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:resource/"
    if not identifier.startswith(prefix):
        return None
    tail = identifier[len(prefix) :]
    return int(tail) if tail.isdigit() and len(tail) < 19 else None


def _naive_utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)


def _aware(naive_utc: datetime.datetime | None) -> datetime.datetime | None:
    return naive_utc.replace(tzinfo=datetime.UTC) if naive_utc else None


# --- resumption tokens -----------------------------------------------------------------------------


class Token:
    """A resumption token: the original arguments, the last record sent (keyset), how many were
    sent and the list size, signed with SECRET_KEY and dated so it expires."""

    def __init__(self, *, verb, prefix, set_spec, from_, until, after, cursor, size):
        self.verb, self.prefix, self.set_spec = verb, prefix, set_spec
        self.from_, self.until = from_, until
        self.after, self.cursor, self.size = after, cursor, size

    def encode(self) -> str:
        payload = {
            "v": self.verb,
            "p": self.prefix,
            "s": self.set_spec,
            "f": self.from_.isoformat() if self.from_ else None,
            "u": self.until.isoformat() if self.until else None,
            "a": [self.after[0].isoformat(), self.after[1]],
            "c": self.cursor,
            "n": self.size,
        }
        return signing.dumps(payload, salt=TOKEN_SALT, compress=True)

    @classmethod
    def decode(cls, value: str, verb: str) -> "Token":
        try:
            data = signing.loads(value, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.SignatureExpired as exc:
            raise error.BadResumptionTokenError("The resumptionToken has expired.") from exc
        except signing.BadSignature as exc:
            raise error.BadResumptionTokenError("The resumptionToken is invalid.") from exc
        if data.get("v") != verb:
            raise error.BadResumptionTokenError(f"The resumptionToken was not issued for {verb}.")
        parse = datetime.datetime.fromisoformat
        return cls(
            verb=verb,
            prefix=data["p"],
            set_spec=data["s"],
            from_=parse(data["f"]) if data["f"] else None,
            until=parse(data["u"]) if data["u"] else None,
            after=(parse(data["a"][0]), int(data["a"][1])),
            cursor=int(data["c"]),
            size=int(data["n"]),
        )


class Page(list):
    """One batch of a list response, with what the resumptionToken element needs."""

    token: str | None = None
    cursor: int = 0
    size: int = 0
    resumed: bool = False
    prefix: str = ""


# --- the repository ----------------------------------------------------------------------------


class Repository(common.ResumptionOAIPMH):
    def __init__(self, request):
        self.request = request
        self.base_url = request.build_absolute_uri("/").rstrip("/")

    def handleVerb(self, verb, kw):
        return getattr(self, f"_{verb}")(**kw)

    def _Identify(self):
        identify = common.Identify(
            repositoryName=settings.WAGTAIL_SITE_NAME,
            baseURL=self.base_url + "/oai/",
            protocolVersion="2.0",
            adminEmails=[settings.OAI_ADMIN_EMAIL],
            earliestDatestamp=_naive_utc(selectors.oai_earliest_datestamp()),
            deletedRecord="persistent",
            granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"],
        )
        identify.add_description(
            '<oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
            'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
            "<scheme>oai</scheme>"
            f"<repositoryIdentifier>{settings.OAI_REPOSITORY_IDENTIFIER}</repositoryIdentifier>"
            "<delimiter>:</delimiter>"
            f"<sampleIdentifier>{identifier_for(1)}</sampleIdentifier>"
            "</oai-identifier>"
        )
        return identify

    def _formats(self):
        return [
            (
                PREFIX_DC,
                "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                "http://www.openarchives.org/OAI/2.0/oai_dc/",
            ),
            (PREFIX_ZMD, self.base_url + "/oai/schema/zmd_resource.xsd", NS_ZMD),
        ]

    def _record(self, identifier):
        resource_id = resource_id_from(identifier)
        record = None
        if resource_id is not None:
            services.oai_records_sync(resource_ids=[resource_id])
            record = selectors.oai_record(resource_id)
        if record is None:
            raise error.IdDoesNotExistError(f"No such record: {identifier}")
        return record

    def _ListMetadataFormats(self, identifier=None):
        if identifier is not None:
            self._record(identifier)
        return self._formats()

    def _check_prefix(self, prefix):
        if prefix not in (PREFIX_DC, PREFIX_ZMD):
            raise error.CannotDisseminateFormatError(f"Unsupported metadataPrefix: {prefix}")

    def _ListSets(self, resumptionToken=None):
        if resumptionToken is not None:
            raise error.BadResumptionTokenError("ListSets is answered in one response; there is no token to resume.")
        page = Page((spec, name, None) for spec, name in selectors.oai_sets())
        return page, None

    def _GetRecord(self, identifier, metadataPrefix):
        self._check_prefix(metadataPrefix)
        record = self._record(identifier)
        header = self._header(record)
        metadata = None
        if not record.deleted:
            metadata = selectors.oai_metadata([record.resource_id], request=self.request)[record.resource_id]
        return header, metadata, None

    def _ListIdentifiers(self, **kw):
        return self._list("ListIdentifiers", **kw)

    def _ListRecords(self, **kw):
        return self._list("ListRecords", **kw)

    def _list(self, verb, metadataPrefix=None, set=None, from_=None, until=None, resumptionToken=None):
        if resumptionToken is not None:
            token = Token.decode(resumptionToken, verb)
            prefix, set_spec, after = token.prefix, token.set_spec, token.after
            start, end, cursor, size = token.from_, token.until, token.cursor, token.size
        else:
            self._check_prefix(metadataPrefix)
            if from_ is not None and until is not None and from_ > until:
                raise error.BadArgumentError("The 'from' date is later than the 'until' date.")
            services.oai_records_sync()
            prefix, set_spec, after, cursor = metadataPrefix, set, None, 0
            start, end = _aware(from_), _aware(until)
            size = selectors.oai_records(set_spec=set_spec, start=start, end=end, checked=False).count()
        page_rows = selectors.oai_records(set_spec=set_spec, start=start, end=end, after=after, checked=False)
        rows = list(page_rows[: BATCH_SIZE + 1])
        more = len(rows) > BATCH_SIZE
        rows = rows[:BATCH_SIZE]
        last = rows[-1] if rows else None
        stale = selectors.oai_not_public(rows)
        if stale:
            # Left the public site without a signal we saw: make them tombstones now and send them
            # as deleted in this page (their new datestamp may bring them once more later).
            services.oai_records_sync(resource_ids=stale)
            fresh = {r.resource_id: r for r in selectors.oai_records(checked=False).filter(resource_id__in=stale)}
            rows = [fresh.get(r.resource_id, r) for r in rows]
        metadata = {}
        if verb == "ListRecords":
            live = [r.resource_id for r in rows if not r.deleted]
            metadata = selectors.oai_metadata(live, request=self.request) if live else {}
        page = Page(
            (self._header(r), metadata.get(r.resource_id), None) if verb == "ListRecords" else self._header(r)
            for r in rows
            if r.deleted or verb == "ListIdentifiers" or r.resource_id in metadata
        )
        page.prefix, page.cursor, page.size, page.resumed = (
            prefix,
            cursor,
            max(size, cursor + len(rows)),
            after is not None,
        )
        if more:
            page.token = Token(
                verb=verb,
                prefix=prefix,
                set_spec=set_spec,
                from_=start,
                until=end,
                after=(last.datestamp, last.resource_id),
                cursor=cursor + len(rows),
                size=page.size,
            ).encode()
        return page, page.token

    def _header(self, record):
        return common.Header(
            None, identifier_for(record.resource_id), _naive_utc(record.datestamp), record.set_specs, record.deleted
        )


class TreeServer(XMLTreeServer):
    """oaipmh's tree server, with resumption tokens that carry cursor, completeListSize and
    expirationDate, and the empty token that closes a resumed list (OAI-PMH 2.0 §3.5)."""

    def _outputResuming(self, element, input_func, output_func, kw):
        page, _token = input_func(**kw)
        if not page and not page.resumed and page.token is None:
            raise error.NoRecordsMatchError("No records match the request.")
        output_func(element, page, {"metadataPrefix": page.prefix})
        if page.token is None and not page.resumed:
            return
        e_token = SubElement(element, nsoai("resumptionToken"))
        e_token.set("cursor", str(page.cursor))
        e_token.set("completeListSize", str(page.size))
        if page.token is not None:
            e_token.text = page.token
            expires = timezone.now() + TOKEN_MAX_AGE
            e_token.set("expirationDate", datetime_to_datestamp(_naive_utc(expires)))


def zmd_writer(element, metadata):
    """The local format: every catalogue field a platform needs to list and link the resource."""
    data = metadata.getMap()["zmd"]
    root = SubElement(element, f"{{{NS_ZMD}}}resource", nsmap={"zmd": NS_ZMD, "xsi": NS_XSI})
    root.set(f"{{{NS_XSI}}}schemaLocation", f"{NS_ZMD} {data['schema_url']}")

    def add(parent, tag, text=None, **attrs):
        node = SubElement(parent, f"{{{NS_ZMD}}}{tag}")
        for key, value in attrs.items():
            if value not in (None, ""):
                node.set(key, str(value))
        if text not in (None, ""):
            node.text = str(text)
        return node

    add(root, "title", data["title"])
    add(root, "url", data["url"])
    add(root, "description", data["description"])
    add(root, "theme", data["theme"]["name"], code=data["theme"]["code"])
    if data["topic"]:
        add(root, "topic", data["topic"]["name"], code=data["topic"]["code"], place=data["topic"]["place"])
    for subject in data["subjects"]:
        add(root, "subject", subject)
    add(root, "stage", data["stage"]["name"], code=data["stage"]["code"])
    for grade in data["grades"]:
        add(root, "grade", grade)
    add(root, "type", data["type"]["name"], code=data["type"]["code"])
    if data["county"]:
        add(root, "county", data["county"]["name"], code=data["county"]["code"])
    if data["school"]:
        add(root, "school", data["school"])
    for author in data["authors"]:
        add(root, "author", author)
    for author in data["co_authors"]:
        add(root, "coAuthor", author)
    add(root, "year", data["year"])
    add(root, "source", data["source"]["name"], code=data["source"]["code"])
    if data["award"]:
        add(root, "award", data["award"], score=data["score"])
    add(root, "licence", data["licence"]["name"], code=data["licence"]["code"])
    if data["published"]:
        add(root, "published", data["published"])
    if data["cover"]:
        add(root, "cover", href=data["cover"])
    if data["external_url"]:
        add(root, "externalLink", href=data["external_url"])
    if data["files"]:
        files = add(root, "files")
        for f in data["files"]:
            add(
                files,
                "file",
                f["caption"],
                kind=f["kind"],
                name=f["name"],
                mimeType=f["mime"],
                size=f["size"],
                href=f["href"],
                download=f["download"],
            )


def plain_text(rich_text: str) -> str:
    return html.unescape(strip_tags(rich_text or "")).strip()


def metadata_registry() -> MetadataRegistry:
    registry = MetadataRegistry()
    registry.registerWriter(PREFIX_DC, oai_dc_writer)
    registry.registerWriter(PREFIX_ZMD, zmd_writer)
    return registry


class Server(ServerBase):
    def __init__(self, request):
        self._tree_server = TreeServer(Repository(request), metadata_registry(), {"xsi": NS_XSI})


def oai_response(request, arguments: dict[str, list[str]]) -> bytes:
    """The XML answer to one OAI-PMH request (arguments as lists, so repeats can be refused)."""
    server = Server(request)
    repeated = [key for key, values in arguments.items() if len(values) > 1]
    verb = arguments.get("verb", [None])[0]
    if "verb" in repeated or (verb is not None and verb not in VERBS):
        # (oaipmh would also answer its unofficial GetMetadata verb)
        return _error(server, error.BadVerbError("The verb argument is repeated or not an OAI-PMH verb."))
    if repeated:
        return _error(server, error.BadArgumentError(f"Repeated argument: {', '.join(repeated)}"))
    return server.handleRequest({key: values[0] for key, values in arguments.items()})


def _error(server, exception) -> bytes:
    tree = server._tree_server.handleException(exception)
    return etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=True, pretty_print=True)
