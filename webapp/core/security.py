"""Login sessions and the security headers every response carries."""

import hashlib
import io
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, abort, after_this_request, current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from webapp.core import clock
from webapp.core.extensions import db, limiter, login_manager
from webapp.core.labels import STAFF_ROLES
from webapp.core.models import LoginSession, User
from webapp.core.models._base import as_utc, utcnow
from webapp.core.permissions import HANDOVER, VISIT_DRAFTS

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
# matplotlib's SVG carries an inline <style>; charts contain no script.
CHART_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


# Sessions live in two places. The signed cookie carries who is logged in, when the session
# started and was last used (for the idle and absolute limits) and whether the second factor was
# given; the LoginSession row on the server says whether the session still exists at all. Each
# request finds the row and the user in one indexed query (the user load Flask-Login needs anyway).
# No Redis is needed for this: the database is already shared by every worker and every node, so a
# deleted row is gone for all of them at once, and the rows are few and small.
SESSION_KEY = "sid"  # the session entry that holds the token
SEEN_EVERY = timedelta(minutes=5)  # write last_seen_at at most this often: a read stays a read
SEEN_COOKIE_EVERY = 60  # seconds: how often the cookie's "seen" is renewed (a new Set-Cookie each time)
LAST_SEEN = "login_session_seen"  # g: (row id, last_seen_at) of this request's LoginSession


def _token_hash(token: str) -> str:
    # The token has 256 random bits: a fast hash suffices, and a database leak yields no session.
    return hashlib.sha256(token.encode()).hexdigest()


# The user, their extra roles and their LoginSession in one statement, built once: every request
# runs it, so neither a second query for the roles nor building the statement anew is paid each time.
_USER_QUERY = (
    select(User, LoginSession.id, LoginSession.last_seen_at)
    .join(LoginSession, LoginSession.user_id == User.id)
    .options(joinedload(User.extra_roles))
    .where(LoginSession.token_hash == bindparam("token_hash"), User.public_id == bindparam("public_id"))
)


@login_manager.user_loader
def _load_user(public_id: str) -> User | None:
    """The logged-in user, when this browser's LoginSession still exists and the account is not blocked."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    row = db.session.execute(
        _USER_QUERY, {"token_hash": _token_hash(token), "public_id": public_id}
    ).unique().first()
    if row is None or not row.User.is_active:
        return None
    setattr(g, LAST_SEEN, (row.id, as_utc(row.last_seen_at)))
    return row.User


def _user_by_public_id(public_id: str) -> User | None:
    user = db.session.scalar(select(User).where(User.public_id == public_id))
    return user if user and user.is_active else None


# A session that timed out leaves what this device was doing for the same account: the home-visit
# drafts started here and a hand-over in progress. Logging in again as that account picks them up
# (the tablet stays locked if the resident held it); anyone else starts clean. Logging out drops it.
CARRY = "carry"
CARRIED_KEYS = (VISIT_DRAFTS, HANDOVER)


def clear_session(keep_carry: bool = True) -> None:
    """Empty the session (nothing from before carries over), keeping only the chosen language and,
    unless logging out, what a timed-out session left for its account."""
    lang, carry = session.get("lang"), session.get(CARRY)
    session.clear()
    if lang:
        session["lang"] = lang
    if keep_carry and isinstance(carry, dict):
        session[CARRY] = carry
    # What the next request would otherwise add on its own (the permanent mark, and Flask-Login's
    # "not fresh" for a session without its identifier), so that request sends no new cookie: the
    # service worker's requests run beside the next page, and the last cookie a browser gets wins.
    # One that lacked the page's form token made the second login step fail ("sessie verlopen").
    session.permanent = True
    if session:
        session["_fresh"] = False


def _carry_over(user: User) -> None:
    """Restore what a timed-out session of this same account left on this device."""
    carry = session.pop(CARRY, None)
    if isinstance(carry, dict) and carry.get("user") == user.public_id:
        for key in CARRIED_KEYS:
            if key in carry.get("keys", {}):
                session[key] = carry["keys"][key]


# Forms whose typed text a timeout must not lose: endpoint -> a function that, while the timed-out
# user is still known (the server still holds the session; only its time ran out), stores the posted
# values as the draft it already keeps, and returns the page to come back to after logging in.
KEEP_ON_TIMEOUT: dict[str, Callable[[], str | None]] = {}


def keep_on_timeout(endpoint: str) -> Callable:
    """Register what to keep of a POST to `endpoint` that arrives after the session timed out."""

    def register(keep: Callable[[], str | None]) -> Callable[[], str | None]:
        KEEP_ON_TIMEOUT[endpoint] = keep
        return keep

    return register


def _keep_typed_text() -> str | None:
    keep = KEEP_ON_TIMEOUT.get(request.endpoint or "")
    if request.method != "POST" or keep is None:
        return None
    try:  # the CSRF check has passed; the view's own permission checks run inside `keep`
        return keep()
    except HTTPException:
        return None


def new_login_session(user: User) -> str:
    """Store a new LoginSession for the user; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(LoginSession(token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now))
    return token


def start_session(user: User, second_factor: bool = False) -> None:
    """Log a user in on a fresh session (a new LoginSession on the server) that carries its start
    time and whether the second factor was given."""
    _forget_this_session()
    clear_session()  # keeps what a timed-out session left; _carry_over checks it is this account's
    login_user(user)
    purge_old_sessions()
    stamp = clock.now().timestamp()
    session[SESSION_KEY] = new_login_session(user)
    session["started"] = session["seen"] = stamp
    session["mfa"] = second_factor
    _carry_over(user)
    user.last_login_at = utcnow()
    _remember_device(user)


# A device where an account logged in before keeps a signed mark: wrong passwords typed elsewhere
# slow that account down, but never on its owner's own phone (see accounts.service.seconds_to_wait).
DEVICE_COOKIE, DEVICE_SALT, DEVICE_DAYS = "veerkracht_apparaat", "veerkracht-remembered-device", 180


def _remember_device(user: User) -> None:
    token = URLSafeTimedSerializer(current_app.secret_key, salt=DEVICE_SALT).dumps(user.public_id)

    @after_this_request
    def _set_cookie(response):
        response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_DAYS * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response


def is_remembered_device(user: User | None) -> bool:
    """Whether this account logged in on this device before (in the last 180 days)."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token or user is None:
        return False
    try:
        public_id = URLSafeTimedSerializer(current_app.secret_key, salt=DEVICE_SALT).loads(
            token, max_age=DEVICE_DAYS * 24 * 3600)
    except BadData:
        return False
    return public_id == user.public_id


PENDING_LOGIN = "pending_login"  # the password was right; the second factor is still to come
PENDING_SECONDS = 600


def begin_second_step(user: User, next_url: str | None) -> None:
    """Remember, for ten minutes, who gave the right password; nobody is logged in yet."""
    _forget_this_session()
    clear_session()
    session[PENDING_LOGIN] = {"user": user.public_id, "at": clock.now().timestamp(), "next": next_url}


def pending_login() -> tuple[User | None, str | None]:
    """The account waiting for its second factor on this device, and where to go next."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or clock.now().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    return _user_by_public_id(pending.get("user", "")), pending.get("next")


def end_session(everywhere: bool = False) -> None:
    """Log out: this session ends on the server too (a copied cookie no longer works). With
    `everywhere`, every session of the account ends, on every device."""
    if everywhere and current_user.is_authenticated:
        end_all_sessions(current_user)
    else:
        _forget_this_session()
    logout_user()
    clear_session(keep_carry=False)
    g.session_ended = True  # this answer must carry the emptied session, whatever the request was


def end_all_sessions(user: User) -> None:
    """End every session of an account at once (a new password, a block, a reset second factor).
    Whoever should stay logged in on this device starts a new session afterwards."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id),
                       execution_options={"synchronize_session": False})


def _forget_this_session() -> None:
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)),
                           execution_options={"synchronize_session": False})


def purge_old_sessions() -> int:
    """Delete the rows of sessions that have ended by their limits anyway; run at every login, so
    the table only ever holds the sessions in use. Returns how many went."""
    config = current_app.config
    now = clock.now()
    idle = timedelta(minutes=max(config["IDLE_MINUTES_STAFF"], config["IDLE_MINUTES_RESIDENT"])) + SEEN_EVERY
    absolute = timedelta(hours=max(config["ABSOLUTE_HOURS_STAFF"], config["ABSOLUTE_HOURS_RESIDENT"]))
    stale = (LoginSession.last_seen_at < now - idle) | (LoginSession.created_at < now - absolute)
    result = db.session.execute(delete(LoginSession).where(stale), execution_options={"synchronize_session": False})
    return result.rowcount


def _note_seen() -> None:
    """Keep last_seen_at roughly current, with one small UPDATE every few minutes at most."""
    row_id, last_seen = getattr(g, LAST_SEEN, (None, None))
    now = clock.now()
    if row_id is not None and (last_seen is None or now - last_seen > SEEN_EVERY):
        db.session.execute(update(LoginSession).where(LoginSession.id == row_id).values(last_seen_at=now),
                           execution_options={"synchronize_session": False})


def _limits(user: User) -> tuple[timedelta, timedelta]:
    config = current_app.config
    if user.has_role(*STAFF_ROLES):
        return (timedelta(minutes=config["IDLE_MINUTES_STAFF"]), timedelta(hours=config["ABSOLUTE_HOURS_STAFF"]))
    return (timedelta(minutes=config["IDLE_MINUTES_RESIDENT"]),
            timedelta(hours=config["ABSOLUTE_HOURS_RESIDENT"]))


def session_expired(user: User) -> bool:
    """Idle too long or open too long (a session ended on the server never gets this far)."""
    started, seen = session.get("started"), session.get("seen")
    if started is None or seen is None:
        return True
    idle, absolute = _limits(user)
    now = clock.now().timestamp()
    return now - seen > idle.total_seconds() or now - started > absolute.total_seconds()


FORM_BODY_LIMIT = 64 * 1024  # a check-in step is a few hundred bytes


def limit_body_size(app: Flask) -> None:
    """Refuse oversized bodies before anything reads them: forms up to 64 KB, file uploads up to
    MAX_CONTENT_LENGTH (2 MB, for a CSV of the sociale kaart).

    A chunked body has no Content-Length to check up front: it is read here up to one byte past the
    limit (werkzeug's own cap stops reading at the limit and would parse the cut-off part).
    """

    @app.before_request
    def _refuse_oversized_body():
        limit = app.config["MAX_CONTENT_LENGTH"] if request.mimetype == "multipart/form-data" else FORM_BODY_LIMIT
        if (request.content_length or 0) > limit:
            abort(413)
        request.max_content_length = limit
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if chunked and request.environ.get("wsgi.input_terminated"):  # else werkzeug reads no body at all
            body = request.environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                abort(413)
            request.environ["wsgi.input"] = io.BytesIO(body)


# Answers that never write the session cookie: what the service worker and the browser fetch beside a
# page (the worker script, the app manifest, the kept visit page, the charts a page shows as images)
# and static files. The last cookie a browser gets wins, so one of these, answered with the session as
# it was, could undo what the page beside it stored (a form token, a hand-over, a message shown once).
# They do not keep an idle session alive either: the page they belong to does. One that finds the
# session timed out does write it: what the session leaves behind (the home-visit drafts of this
# device, the message) must reach the browser, and the page beside it ends the same session.
SESSION_UNTOUCHED = frozenset({"static", "offline.service_worker", "offline.manifest", "offline.visit",
                               "results.chart", "caseload.progress_chart"})


class _SessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session, response) -> None:
        if request.endpoint in SESSION_UNTOUCHED and not g.get("session_ended"):
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log eerst in om verder te gaan.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def _check_session():
        # A locked phone or a closed browser must not lose a half-done check-in (drafts are
        # in the database); the login itself still ends after the idle and absolute limits.
        if not session.permanent:  # setting it again would rewrite the cookie on every response
            session.permanent = True
        if request.endpoint in ("static", "main.healthz"):
            return None
        if not current_user.is_authenticated:
            # A cookie that names a user whose session the server no longer holds: logged out
            # (here or everywhere), a new password, blocked.
            return _expired() if session.get("_user_id") else None
        if session_expired(current_user) or (current_user.needs_second_factor and not session.get("mfa")):
            return _expired()
        now = clock.now().timestamp()
        if now - session.get("seen", 0) >= SEEN_COOKIE_EVERY:
            session["seen"] = now  # a new cookie at most once a minute: an idle session ends that much early
        _note_seen()
        return None

    def _expired():
        known = current_user.is_authenticated  # timed out, not ended on the server
        handed_over = known and bool(session.get(HANDOVER))  # the resident holds the coach's tablet
        kept = _keep_typed_text() if known else None
        carry = ({"user": current_user.public_id, "keys": {k: session[k] for k in CARRIED_KEYS if k in session}}
                 if known else None)
        end_session()
        if carry:
            session[CARRY] = carry
        if handed_over:  # the login page is the coach's: the resident is told to hand the tablet back
            flash(_l("Uw antwoorden zijn bewaard. Geef de tablet terug aan uw coach. De coach logt opnieuw in, "
                     "daarna gaat u verder."), "info")
            target = request.full_path.rstrip("?") if request.method == "GET" else kept
        elif request.method == "GET":
            flash(_l("Uw sessie is verlopen. Log opnieuw in. Uw antwoorden zijn bewaard."), "info")
            target = request.full_path.rstrip("?")
        elif kept:
            flash(_l("Uw sessie is verlopen. Log opnieuw in. Wat u had ingevuld, is bewaard."), "info")
            target = kept
        else:
            flash(_l("Uw sessie is verlopen. Log opnieuw in. Wat u net verstuurde, is niet opgeslagen."), "info")
            target = None
        return redirect(url_for("accounts.login", next=target))

    @app.after_request
    def _headers(response):
        headers = response.headers
        if response.mimetype == "image/svg+xml":
            headers.setdefault("Content-Security-Policy", CHART_CONTENT_SECURITY_POLICY)
        else:
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # The cookie, not current_user: no user load here, so error pages work without a database.
        # A view that chose its own caching (a chart by ids and version) keeps it.
        if not request.path.startswith("/static/") and session.get("_user_id") and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
        return response
