"""Property: whatever text arrives in any form field, query value or path value of any route, the
app answers without a 5xx, and a refused request (4xx) stores nothing.

Every route of app.url_map is tried, as a role that may use it (from the route x role matrix in
test_permissions), in the world that file builds. Each request starts from a valid form (the
values the page itself offers, or a known-good set below) with one field, query value or path
value replaced by generated text: control characters, lone surrogates, huge numbers, very long
strings, fullwidth digits, odd dates. Deterministic (derandomize) and bounded, so CI is stable.
The figures (requests, 5xx) are printed in pytest's terminal summary.
"""

import io
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from tests.checkin_helpers import answer_steps, start_checkin
from tests.conftest import FUZZ_FIGURES, PASSWORD, empty_tables, form_item_ids, log_in
from tests.test_permissions import LOGIN, MATRIX, build_world
from webapp.accounts import service as people
from webapp.core.edge import find_control_character
from webapp.core.extensions import db, limiter
from webapp.core.models import Activity, AuditEvent, Checkin, CoachRelation, Draft, Resident, User
from webapp.sociale_kaart import activity_csv

pytestmark = pytest.mark.shared_world
EXAMPLES_PER_ROUTE = 14
# Rows that a refused request may still write: the access log of what a page showed, chart cache.
NOT_COUNTED = {"audit_event", "chart_image"}
ROLE_PREFERENCE = ("owner", "coach_shared", "beheerder", "anonymous", "other_resident", "coach_other")

# --- generated text ---

CONTROL = st.sampled_from([chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))])
SURROGATE = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"])
NASTY = st.one_of(
    st.tuples(st.text(max_size=8), st.one_of(CONTROL, SURROGATE), st.text(max_size=8)).map("".join),
    st.text(alphabet="０１２３４５６７８９－", min_size=1, max_size=10),  # fullwidth digits
    st.integers(min_value=10, max_value=6000).map(lambda n: "9" * n),  # huge numbers
    st.sampled_from([101, 151, 255, 1001, 2001, 5000, 40_000, 70_000]).map(lambda n: "ä" * n),  # long
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "２０２６-１１-２０", "-1", "1e9", "NaN", "²",
                     "1_000", "٣", "+5", "2147483648", "99999999999999999999", " ", "", "\u202e", "\ufeff",
                     "'; DROP TABLE user; --", "../../etc/passwd", "%00", "\r\n", "<script>x</script>"]),
    st.text(max_size=40),  # any other text
)

# --- what a valid request looks like ---

TODAY = date.today().isoformat()
NEW_PASSWORD = "een-heel-lang-fuzz-wachtwoord"
ACTIVITY = {"naam": "Tuin", "organisatie": "Groen", "beschrijving": "Samen tuinieren.", "status": "actief",
            "pijlers": "lichaam", "kosten": "gratis", "locatie": "online", "aanmelden": "zelf",
            "gecontroleerd_op": TODAY, "leeftijd_min": "55", "bedrag": ""}
BASELINE = {  # known-good forms where the page's own values are empty; passwords only where harmless
    "accounts.login": {"username": "eigenaar", "password": PASSWORD},
    "accounts.register": {"username": "fuzz-nieuw", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "accounts.activate": {"code": "ABCD-EFGH-JKLM", "username": "fuzz-actief", "password": NEW_PASSWORD,
                          "confirm": NEW_PASSWORD},
    "accounts.reset_password": {"code": "ABCD-EFGH-JKLM", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "accounts.enrol": {"display_name": "mevr. F.", "birth_year": "1944", "wijk": "Centrum",
                       "consent_method": "mondeling", "consent_date": TODAY, "consent_explained": "y"},
    "accounts.new_staff": {"username": "fuzz-coach", "display_name": "Fuzz", "roles": "welzijnscoach",
                           "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "accounts.set_wijk": {"wijk": "Centrum"},
    "accounts.share": {"coach_code": "ABCD-EFGH"},
    "main.set_language": {"lang": "nl", "next": "/"},
    "referrals.status": {"status": "aangemeld", "reden": "Te ver weg", "next": "/"},
    "results.result": {"plan_important": "Kleinkinderen", "plan_pillar": "lichaam", "plan_step": "Wandelen",
                       "plan_helper": "Buurvrouw"},
    "sociale_kaart.admin_new": ACTIVITY,
    "accounts.reset_code_by_number": {"number": "ABCD EFGH"},
    "rights.erase_by_number": {"number": "ABCD EFGH"},
}
QUERY = {  # query values a view reads, besides those in the matrix' own URL
    "main.home": ["next"], "accounts.login": ["next"], "caseload.home": ["aandacht", "sorteer", "gebeurtenis",
                                                                        "wijk", "coach", "pagina"],
    "sociale_kaart.index": ["pijler", "wijk", "gratis", "rolstoel", "zoek"], "impact.page": ["periode", "wijk"],
    "impact.csv": ["periode", "wijk"], "rights.access_log": ["ook_eigen"],
}
# Pages that carry forms posting to routes without a page of their own.
FORM_PAGES = ("/", "/account", "/uitslag/{checkin}", "/coach/bewoner/{resident}", "/coach/bewoner/{enrolled}",
              "/beheer", "/beheer/medewerker/{staff}", "/beheer/activiteiten", "/checkin/{draft}/klaar", "/coach")


class FileValue:
    """A file field: a valid CSV of the sociale kaart, one cell of which the fuzz may replace."""


class _Forms(HTMLParser):
    """The POST forms of a page: action path -> {name: the value the page offers}."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.forms = page_path, {}
        self._fields = self._action = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._action, self._fields = urlsplit(a.get("action") or self.page_path).path, {}
        if self._fields is None:
            return
        if tag == "option" and self._select and (self._select not in self._fields or "selected" in a):
            self._fields[self._select] = a.get("value", "")
        if not a.get("name"):
            return
        name, kind = a["name"], (a.get("type") or "text").lower()
        if tag == "input" and kind == "radio":  # the checked one, else the first: a required choice is made
            if name not in self._fields or "checked" in a:
                self._fields[name] = a.get("value", "on")
        elif tag == "input" and kind == "checkbox":
            if "checked" in a:
                self._fields[name] = a.get("value", "on")
        elif tag == "input" and kind == "file":
            self._fields[name] = FileValue()
        elif tag == "input" and kind != "submit" or tag == "button" and a.get("value") is not None:
            self._fields.setdefault(name, a.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self._fields.setdefault(name, "")

    def handle_data(self, data):
        if self._fields is not None and self._textarea:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._fields is not None:
            self.forms.setdefault(self._action, self._fields)
            self._fields = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _csv_file(cell: str | None = None, column: str = "naam") -> bytes:
    values = {c: "" for c in activity_csv.COLUMNS}
    values.update(ACTIVITY)
    if cell is not None:
        values[column] = cell
    rows = [";".join(activity_csv.COLUMNS), ";".join(values[c] for c in activity_csv.COLUMNS)]
    return "\r\n".join(rows).encode("utf-8", "surrogatepass")


# --- the world, logging in, and repairing what a successful request changed ---

@pytest.fixture(scope="module")
def fuzz(app, request):
    """The permission matrix' world, the rate limiter off (it would only answer 429), and the figures."""
    empty_tables(app)
    figures = request.config.stash.setdefault(FUZZ_FIGURES, {"requests": 0, "5xx": 0, "routes": 0})
    enabled, limiter.enabled = limiter.enabled, False
    world = build_world(app)
    world["forms"] = {}
    yield {"app": app, "world": world, "figures": figures}
    limiter.enabled = enabled
    empty_tables(app)


def _client(app, world, role: str):
    """A client logged in as the role (enabled again, with its current session version), and the CSRF
    token a page would carry (made here: fetching a page for it would double the requests)."""
    client = app.test_client()
    if role != "anonymous":
        with app.app_context():
            user = db.session.scalar(select(User).where(User.public_id == world["users"][role]))
            if not user.is_enabled:  # blocked by an earlier request
                user.is_enabled = True
                db.session.commit()
        log_in(client, world["users"][role])  # a fresh server-side session: earlier requests may have ended it
    with client.session_transaction() as session:
        session["csrf_token"] = "fuzz"
    client.token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("fuzz")
    return client


def _repair(app, world) -> None:
    """After a request that succeeded: give the owner a draft and the shared coach their access again."""
    ids = world["ids"]
    with app.test_request_context():
        owner = db.session.scalar(select(Resident).where(Resident.public_id == ids["resident"]))
        has_draft = db.session.scalar(select(Draft.id).where(Draft.public_id == ids["draft"]))
        relation = db.session.scalar(select(CoachRelation).where(CoachRelation.public_id == ids["relation"]))
        coach = db.session.scalar(select(User).where(User.public_id == world["users"]["coach_shared"]))
        if relation is None or relation.ended_at is not None:
            ids["relation"] = people.share_with_coach(owner, coach.coach_code).public_id
        db.session.commit()
    if not has_draft:
        client = _client(app, world, "owner")
        ids["draft"] = start_checkin(client)
        answer_steps(client, ids["draft"], form_item_ids(app))


def _row_counts(app) -> dict:
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name not in NOT_COUNTED]
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in tables}


# --- building the requests ---

def _role_for(endpoint: str) -> str:
    expected = MATRIX[endpoint][2]
    status = {role: expected.get(role, expected.get("*")) for role in ROLE_PREFERENCE}
    for wanted in (lambda s: s == 200, lambda s: s not in (LOGIN, 403, 404)):
        for role in ROLE_PREFERENCE:
            if wanted(status[role]):
                return role
    return "anonymous"


def _page_forms(fuzz, role: str, page: str) -> dict:
    key = (role, page)
    if key not in fuzz["world"]["forms"]:
        response = _client(fuzz["app"], fuzz["world"], role).get(page)
        parser = _Forms(urlsplit(page).path)
        parser.feed(response.get_data(as_text=True) if response.mimetype == "text/html" else "")
        fuzz["world"]["forms"][key] = parser.forms
    return fuzz["world"]["forms"][key]


def _form_fields(fuzz, endpoint: str, role: str, path: str, methods: set[str]) -> dict:
    """The fields a browser would post to this path, with the values the page offers."""
    ids = fuzz["world"]["ids"]
    pages = ([path] if "GET" in methods else []) + [p.format(**ids) for p in FORM_PAGES]
    fields = {}
    for page in pages:
        found = _page_forms(fuzz, role, page).get(path)
        if found is not None:
            fields = dict(found)
            break
    fields.pop("csrf_token", None)
    fields.update(BASELINE.get(endpoint, {}))
    return fields


def _encode(pairs) -> str:
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass")


def _targets(rule, fields: dict, query: list[str]) -> list[tuple[str, str]]:
    targets = [("path", arg) for arg in sorted(rule.arguments)]
    if "POST" in rule.methods:
        targets += [("form", name) for name in sorted(fields)] + [("form", "onbekend"), ("form-name", "")]
    if "GET" in rule.methods:
        targets += [("query", name) for name in query] + [("query", "onbekend")]
    return targets


ENDPOINTS = sorted(MATRIX)


def test_every_route_is_fuzzed(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"} == set(ENDPOINTS)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_generated_input_gives_a_5xx_or_stores_anything_when_refused(fuzz, endpoint):
    app, world, figures = fuzz["app"], fuzz["world"], fuzz["figures"]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    methods = rule.methods - {"HEAD", "OPTIONS"}
    role = _role_for(endpoint)
    template = MATRIX[endpoint][1]
    figures["routes"] += 1
    with app.app_context():  # the access log grows with every request; the PDF of it would grow slow
        db.session.execute(AuditEvent.__table__.delete())
        db.session.commit()

    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def one_request(data):
        url = urlsplit(template.format(**world["ids"]))
        path = url.path
        query = [(k, v) for k, v in (p.split("=", 1) for p in url.query.split("&") if p)]
        fields = _form_fields(fuzz, endpoint, role, path, methods)
        kind, name = data.draw(st.sampled_from(_targets(rule, fields, [k for k, _ in query] + QUERY.get(endpoint, []))))
        values = data.draw(st.lists(NASTY, min_size=1, max_size=2), label="values")
        method = "POST" if kind in ("form", "form-name") or "GET" not in methods else "GET"
        if kind == "path":
            pattern = rule.rule.split("/")
            parts = path.split("/")
            for i, piece in enumerate(pattern):
                if re.search(rf"<(?:[^:>]+:)?{name}>", piece):
                    parts[i] = re.sub(r"<[^>]+>", quote(values[0], safe="", errors="surrogatepass"), piece)
            path = "/".join(parts)
        elif kind == "query":
            query = [(k, v) for k, v in query if k != name] + [(name, v) for v in values]
        client = _client(app, world, role)
        target = path + ("?" + _encode(query) if query else "")
        before = _row_counts(app)
        figures["requests"] += 1
        try:
            if method == "GET":
                response = client.get(target)
            else:
                pairs = [("csrf_token", client.token)]
                files = {k: v for k, v in fields.items() if isinstance(v, FileValue)}
                plain = [(k, v) for k, v in fields.items() if k not in files and not (kind == "form" and k == name)]
                if kind == "form" and name not in files:
                    plain += [(name, v) for v in values]
                if kind == "form-name":
                    plain.append((values[0] + "\x00", "x"))
                if files:
                    column = data.draw(st.sampled_from(activity_csv.COLUMNS), label="column")
                    content = _csv_file(values[0], column) if kind == "form" and name in files else _csv_file()
                    body = {**dict(pairs), **{k: v for k, v in plain if isinstance(v, str)},
                            **{k: (io.BytesIO(content), "kaart.csv") for k in files}}
                    try:
                        response = client.post(target, data=body, content_type="multipart/form-data")
                    except UnicodeEncodeError:  # the test client cannot send a lone surrogate in a part
                        figures["requests"] -= 1
                        return
                else:
                    response = client.post(target, data=_encode(pairs + plain),
                                           content_type="application/x-www-form-urlencoded")
        except Exception:
            figures["5xx"] += 1
            raise
        if response.status_code >= 500:
            figures["5xx"] += 1
        assert response.status_code < 500, (endpoint, kind, name, response.status_code)
        if 400 <= response.status_code < 500:
            assert _row_counts(app) == before, (endpoint, kind, name, response.status_code)
        elif method == "POST":
            _repair(app, world)

    one_request()


def test_no_control_character_was_stored_by_the_fuzz(fuzz):
    """What the fuzz got past the checks holds no NUL or other refused character (SQLite would store it)."""
    with fuzz["app"].app_context():
        stored = [*db.session.scalars(select(User.username)), *db.session.scalars(select(User.display_name)),
                  *db.session.scalars(select(Resident.wijk)), *db.session.scalars(select(Resident.display_name)),
                  *db.session.scalars(select(Activity.name)), *db.session.scalars(select(Checkin.plan_step))]
    assert [t for t in stored if t and find_control_character(t, multiline=True) is not None] == []
