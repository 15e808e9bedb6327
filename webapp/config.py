"""Settings from environment variables; SQLite in instance/ by default."""

import os
from datetime import timedelta
from pathlib import Path

from webapp.core.passwords import PRODUCTION_ARGON2

BASE_DIR = Path(__file__).resolve().parent.parent


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{Path(instance_path) / 'veerkracht.sqlite'}"


def _proxy_hops() -> int:
    """How many proxies stand in front of the app (0: none, X-Forwarded-* is ignored)."""
    if os.environ.get("PROXY_FIX", "0") != "1":
        return 0
    hops = os.environ.get("PROXY_FIX_HOPS", "1")
    if not hops.isdigit() or int(hops) < 1:
        raise ValueError(f"PROXY_FIX_HOPS must be a whole number of at least 1, not {hops!r}")
    return int(hops)


def per_worker_limits_warning(workers: int, storage_uri: str) -> str | None:
    """The warning to log when several workers each count rate limits in their own memory."""
    if workers > 1 and storage_uri.startswith("memory"):
        return (f"{workers} workers without REDIS_URL: each counts login attempts on its own, so every rate "
                f"limit is {workers} times as high. Set REDIS_URL to share the counts.")
    return None


def load_config(instance_path: str, need_secret: bool = True) -> dict:
    """Build the configuration mapping from the environment."""
    Path(instance_path).mkdir(parents=True, exist_ok=True)  # home of the default SQLite file
    secret = os.environ.get("SECRET_KEY")
    if not secret and need_secret:
        secret_file = Path(instance_path) / "secret_key"
        if not secret_file.exists():
            descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(os.urandom(32).hex())
        secret = secret_file.read_text().strip()
    elif not secret:
        secret = None  # supplied by the caller
    backup_dir = os.environ.get("BACKUP_DIR") or str(Path(instance_path) / "backups")
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # Error messages must never carry answers or names into the logs. A pooled connection is
        # checked before use only after it sat unused this long (extensions.ping_after_idle), not
        # before every use (pool_pre_ping: a round trip more on every request).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "hide_parameters": True},
        "DB_PING_AFTER_IDLE_SECONDS": float(os.environ.get("DB_PING_AFTER_IDLE_SECONDS", "1")),
        "QUESTIONNAIRE_DIR": os.environ.get(
            "QUESTIONNAIRE_DIR", str(BASE_DIR / "questionnaires")
        ),
        # A check-in step is a few hundred bytes: no form field may be larger than 64 KB. Whole
        # requests up to 2 MB, for a CSV of the sociale kaart.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        # The cookie is sent again when the session changes (at least once a minute while in use,
        # security.SEEN_COOKIE_EVERY), not on every response: a read stays a read, also for the cookie.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=int(os.environ.get("ABSOLUTE_HOURS_RESIDENT", "12"))
        ),
        # A tablet left on a kitchen table must not stay logged in.
        "IDLE_MINUTES_STAFF": int(os.environ.get("IDLE_MINUTES_STAFF", "15")),
        "IDLE_MINUTES_RESIDENT": int(os.environ.get("IDLE_MINUTES_RESIDENT", "120")),
        "ABSOLUTE_HOURS_STAFF": int(os.environ.get("ABSOLUTE_HOURS_STAFF", "10")),
        "ABSOLUTE_HOURS_RESIDENT": int(os.environ.get("ABSOLUTE_HOURS_RESIDENT", "12")),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        # Several installs on one Redis: each counts under its own prefix (e.g. "veerkracht-zuid:").
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", ""),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Behind a TLS-terminating proxy: trust PROXY_FIX_HOPS (default 1) hops of X-Forwarded-For and
        # -Proto (HSTS, rate limits per address, audit IPs). Without a proxy in front this lets any
        # client choose its own address: see "Deployment" in the README.
        "PROXY_FIX": os.environ.get("PROXY_FIX", "0") == "1",
        "PROXY_FIX_HOPS": _proxy_hops(),
        # gunicorn reads its worker count from WEB_CONCURRENCY too; used for the warning above.
        "WEB_CONCURRENCY": int(os.environ.get("WEB_CONCURRENCY") or 1),
        # The wijken residents and coaches pick from, besides those of the sociale kaart and those of
        # ten or more residents: "Oosterhof,De Beemden,Nieuw Dorp".
        "WIJKEN": tuple(w.strip() for w in os.environ.get("WIJKEN", "").split(",") if w.strip()),
        "ACTIVATION_DAYS": int(os.environ.get("ACTIVATION_DAYS", "14")),
        "RESET_DAYS": int(os.environ.get("RESET_DAYS", "3")),  # a printed reset code works this long
        # Mail (optional): without MAIL_SERVER, residents cannot add an e-mail address.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Veerkracht <noreply@localhost>"),
        # The site's address as residents reach it: the link in reminder mails sent by `flask send-reminders`.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://localhost:5000"),
        # Web push reminders (optional): a VAPID key pair (`flask vapid-keys` makes one) and a contact for the
        # push services ("mailto:beheer@example.nl"). Without all three, residents are not offered notifications.
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY") or None,
        "VAPID_PUBLIC_KEY": os.environ.get("VAPID_PUBLIC_KEY") or None,
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT") or None,
        # The push services a phone's subscription may point at (comma-separated host names; empty: those of
        # Chrome, Firefox, Safari and Edge), and how long the job waits for one to answer.
        "PUSH_HOSTS": tuple(h.strip() for h in os.environ.get("PUSH_HOSTS", "").split(",") if h.strip()),
        "PUSH_TIMEOUT": float(os.environ.get("PUSH_TIMEOUT", "10")),
        # Charts drawn outside the request: set to 1 where `flask draw-charts --follow` runs beside the app.
        # Sending a check-in then leaves a job for it; without it the first look at the result draws the chart.
        "CHART_JOBS": os.environ.get("CHART_JOBS", "0") == "1",
        # Passkeys: the site's own domain (e.g. veerkracht.example.nl) and its https origin. Empty: taken
        # from the request, which is right unless a proxy rewrites the Host header.
        "WEBAUTHN_RP_ID": os.environ.get("WEBAUTHN_RP_ID") or None,
        "WEBAUTHN_ORIGIN": os.environ.get("WEBAUTHN_ORIGIN") or None,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so a locked phone survives
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/Amsterdam"),
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("nl", "en"),
        # Impact figures: the epsilon one release (all figures of one period, every wijk) costs, and the
        # most the Impact page may spend per calendar month; see the README on the privacy promise.
        "IMPACT_EPSILON": float(os.environ.get("IMPACT_EPSILON", "4")),
        "IMPACT_BUDGET": float(os.environ.get("IMPACT_BUDGET", "16")),
        # Backups (flask backup / restore / upgrade-safely): encrypted with BACKUP_KEY (Fernet keys, the
        # newest first, separated by commas). Without it, only the default development set-up (SQLite in
        # instance/) makes and keeps a key in instance/backup_key; anything else refuses to back up.
        "BACKUP_KEY": os.environ.get("BACKUP_KEY") or None,
        "BACKUP_KEY_FILE": None if os.environ.get("DATABASE_URL") else str(Path(instance_path) / "backup_key"),
        "BACKUP_DIR": backup_dir,
        "BACKUP_KEEP": int(os.environ.get("BACKUP_KEEP", "14")),
        # Erased residents' public ids, outside the backups, re-erased after every restore.
        "ERASED_LIST": os.environ.get("ERASED_LIST") or str(Path(backup_dir) / "erased-residents.txt"),
        # /metrics: only with this bearer token, or from these addresses (comma-separated, CIDR allowed).
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        "METRICS_ALLOW": tuple(a.strip() for a in os.environ.get("METRICS_ALLOW", "").split(",") if a.strip()),
        "ARGON2": dict(PRODUCTION_ARGON2),  # tests set cheap parameters; production never does
    }
