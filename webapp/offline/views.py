"""The installable app (manifest, service worker), preparing a visit, the offline visit page, the upload."""

import json
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import format_time
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp.checkin.rules import event_years
from webapp.core import audit, clock
from webapp.core.definitions import current_questionnaire, life_events
from webapp.core.forms import CsrfForm
from webapp.core.i18n import locale, month_names
from webapp.core.labels import COACH_ROLES
from webapp.core.models import Resident
from webapp.core.models._base import as_utc
from webapp.core.permissions import require_access, role_required
from webapp.core.views import by_public_id
from webapp.offline import service
from webapp.offline.labels import BADGE_WORDS, CONVERSATION, NOT_SENT, PREPARE_WORDS, UPLOAD_ERRORS, VISIT_WORDS, words
from webapp.offline.rules import chart_frame

bp = Blueprint("offline", __name__)

LOGOUT_ENDPOINTS = ("accounts.logout", "accounts.logout_everywhere")
THEME = "#003d5f"  # --brand-dark in app.css


@bp.get("/manifest.webmanifest")
def manifest():
    """What a tablet needs to install Veerkracht as an app."""
    icon = "icons/veerkracht-{0}.png"
    body = {
        "name": "Veerkracht", "short_name": "Veerkracht", "lang": "nl", "dir": "ltr",
        "description": "Check-in voor veerkracht, ook bij een huisbezoek zonder internet.",
        "start_url": url_for("main.home"), "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": THEME,
        "icons": [
            {"src": url_for("static", filename=icon.format(192)), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename=icon.format(512)), "sizes": "512x512", "type": "image/png"},
            {"src": url_for("static", filename=icon.format("maskable-512")), "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the site root so that its scope is the whole site, with the pictures
    a visit without network shows."""
    # Read, not streamed: 2 KB, and no open file left behind by a client that never reads the body.
    # By path, without the fingerprint: the visit page (offline.js) asks for them so.
    pictures = json.dumps([f"{current_app.static_url_path}/{p}" for p in service.pictures()])
    worker = Path(current_app.static_folder, "sw.js").read_bytes().replace(b"[/* pictures */]", pictures.encode())
    response = Response(worker, mimetype="text/javascript")
    response.add_etag()
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"  # a new version is seen on the next visit
    return response.make_conditional(request)


@bp.get("/bezoek-zonder-internet")
def visit():
    """The visit page the service worker keeps: no names, no token, no data; the device fills it in."""
    questionnaire = current_questionnaire()
    pillars = questionnaire.pillars
    face_forms = [(form, faces) for form in questionnaire.forms if (faces := questionnaire.faces_for(form))]
    return render_template("offline/visit.html", visit_words=words(VISIT_WORDS), conversation=CONVERSATION,
                           months=month_names(), years=event_years(clock.today()), pillars=pillars,
                           frame=chart_frame(len(pillars)), life_events=life_events().events,
                           scale=questionnaire.scale, face_forms=face_forms)


@bp.get("/coach/bewoner/<resident_id>/bezoek-voorbereiden")
@role_required(*COACH_ROLES)
def prepare(resident_id: str):
    """"Bezoek voorbereiden": store the visit on this tablet while there is network."""
    resident = require_access(by_public_id(Resident, resident_id))
    audit.record("offline.prepare_view", resident, resident)
    return render_template("offline/prepare.html", resident=resident, form=CsrfForm(),
                           prepare_words=words(PREPARE_WORDS))


@bp.post("/coach/bewoner/<resident_id>/bezoekpakket")
@role_required(*COACH_ROLES)
def bundle(resident_id: str):
    """The visit bundle as JSON: the visit's form (long, or easy-read with faces), the previous
    scores, the visit key and a fresh key."""
    resident = require_access(by_public_id(Resident, resident_id))
    response = jsonify(service.bundle(current_user, resident, locale()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/bezoek-zonder-internet/sleutel")
@role_required(*COACH_ROLES)
def token():
    """A fresh form token for the upload (the kept visit page has none)."""
    return jsonify({"csrf_token": generate_csrf()})


@bp.post("/bezoek-zonder-internet/versturen")
@role_required(*COACH_ROLES)
def upload():
    """Receive one visit's check-in; the same upload again changes nothing."""
    try:
        result = service.receive(current_user, request.get_json(silent=True))
    except service.UploadRefused as refused:
        return jsonify({"code": refused.code, "error": f"{UPLOAD_ERRORS[refused.code]} {NOT_SENT}"}), refused.status
    body = {
        "status": "sent" if result.created else "already_sent",
        "sent_time": format_time(as_utc(result.visit.sent_at), "HH:mm"),
        "result_url": url_for("results.result", checkin_id=result.checkin.public_id) if result.checkin else None,
    }
    return jsonify(body), 201 if result.created else 200


@bp.after_app_request
def _wipe_at_logout(response):
    """Logging out wipes what this browser keeps of offline visits: answers, keys, the kept pages."""
    if request.endpoint in LOGOUT_ENDPOINTS and request.method == "POST":
        earlier = response.headers.get("Clear-Site-Data")  # the account's own '"cache"'
        response.headers["Clear-Site-Data"] = f'{earlier}, "storage"' if earlier else '"storage"'
    return response


_BADGE_BY_LOCALE: dict[str, dict[str, str]] = {}  # on every page: translated once per language


@bp.app_context_processor
def _badge_words() -> dict:
    lang = locale()
    badge = _BADGE_BY_LOCALE.get(lang)
    if badge is None:
        badge = _BADGE_BY_LOCALE[lang] = words(BADGE_WORDS)
    return {"offline_words": badge}
