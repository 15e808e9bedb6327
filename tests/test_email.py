"""An optional e-mail address, verified by a link, and a password reset by mail through a real SMTP server."""

import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from webapp.core.extensions import db
from webapp.core.models import AuditEvent, User

NEW_PASSWORD = "een nieuw lang wachtwoord"


class Inbox(Message):
    """A local SMTP server's mailbox (aiosmtpd): every message it received."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)

    def link(self, path: str) -> str:
        body = self.messages[-1].get_payload(decode=True).decode()
        return re.search(rf"http://localhost({re.escape(path)}[^\s]+)", body).group(1)


@pytest.fixture
def inbox(app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="Veerkracht <test@localhost>")
    yield handler
    app.config["MAIL_SERVER"] = None
    server.stop()


def _user(app, username: str) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


def test_a_resident_adds_an_address_verifies_it_and_resets_by_mail(app, client, make_resident, login_as, inbox):
    resident = make_resident(username="els")
    login_as(client, resident["user"])
    bad = client.post_form("/account/e-mail", {"email": "geen adres"})
    assert bad.status_code == 400 and "Dit lijkt geen e-mailadres" in bad.get_data(as_text=True)
    assert _user(app, "els").email is None and inbox.messages == []
    assert client.post_form("/account/e-mail", {"email": "Els@Example.org"}).status_code == 302
    assert inbox.messages[-1]["To"] == "els@example.org"
    assert _user(app, "els").email_verified_at is None

    # Before verification no reset mail goes out.
    app.test_client().post_form("/wachtwoord-vergeten/e-mail", {"identifier": "els"})
    assert len(inbox.messages) == 1
    assert client.get(inbox.link("/e-mail-bevestigen/")).status_code == 302
    assert _user(app, "els").email_verified_at is not None

    old_device = app.test_client()
    old_device.post_form("/inloggen", {"username": "els", "password": PASSWORD})
    stranger = app.test_client()
    sent = stranger.post_form("/wachtwoord-vergeten/e-mail", {"identifier": "els@example.org"})
    assert sent.status_code == 302
    link = inbox.link("/wachtwoord-herstellen/")
    phone = app.test_client()
    assert phone.get(link).status_code == 200
    mismatch = phone.post_form(link, {"password": NEW_PASSWORD, "confirm": "iets anders dan dat"})
    assert mismatch.status_code == 400
    assert app.test_client().post_form("/inloggen", {"username": "els", "password": PASSWORD}).status_code == 302
    assert phone.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert phone.get("/geschiedenis").status_code == 200
    assert old_device.get("/geschiedenis").location.startswith("/inloggen")  # every other session ended
    assert app.test_client().get(link).status_code == 400  # the link works once
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "password.reset")) == 1


def test_the_answer_does_not_tell_whether_an_account_exists(app, client, make_resident, inbox):
    make_resident(username="anna")
    empty = client.post_form("/wachtwoord-vergeten/e-mail", {"identifier": "  "})
    assert empty.status_code == 400 and "Vul uw gebruikersnaam of e-mailadres in." in empty.get_data(as_text=True)
    for identifier in ("anna", "bestaat-niet", "niemand@example.org"):
        response = client.post_form("/wachtwoord-vergeten/e-mail", {"identifier": identifier})
        assert response.status_code == 302 and response.location == "/inloggen"
    assert inbox.messages == []  # anna has no verified address


def test_expired_tampered_and_foreign_links_change_nothing(app, client, make_resident, login_as, inbox):
    resident = make_resident(username="piet")
    login_as(client, resident["user"])
    client.post_form("/account/e-mail", {"email": "piet@example.org"})
    verify = inbox.link("/e-mail-bevestigen/")
    assert client.get(verify[:-3] + "abc").status_code == 400
    client.post_form("/account/e-mail", {"email": "ander@example.org"})  # the first link is for another address
    assert client.get(verify).status_code == 400
    assert _user(app, "piet").email_verified_at is None
    client.get(inbox.link("/e-mail-bevestigen/"))
    app.test_client().post_form("/wachtwoord-vergeten/e-mail", {"identifier": "piet"})
    reset = inbox.link("/wachtwoord-herstellen/")
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(minutes=61)  # the link works one hour
    expired = app.test_client().post_form(reset, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    app.config.pop("CLOCK")
    assert expired.status_code == 400 and "verlopen" in expired.get_data(as_text=True)
    tampered = app.test_client().post_form(reset + "x", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert tampered.status_code == 400
    assert app.test_client().post_form("/inloggen", {"username": "piet", "password": PASSWORD}).status_code == 302


def test_a_mail_server_that_is_down_saves_nothing(app, client, make_resident, login_as, inbox):
    resident = make_resident(username="kees")
    login_as(client, resident["user"])
    app.config["MAIL_PORT"] = 1  # nothing listens there
    response = client.post_form("/account/e-mail", {"email": "kees@example.org"})
    assert response.status_code == 400 and "kon niet worden verstuurd" in response.get_data(as_text=True)
    assert _user(app, "kees").email is None


def test_without_a_mail_server_the_pages_are_not_offered(client, make_resident, login_as):
    login_as(client, make_resident()["user"])
    assert client.get("/account/e-mail").status_code == 404
    assert client.get("/wachtwoord-vergeten/e-mail").status_code == 404
    assert "E-mailadres toevoegen" not in client.get("/account").get_data(as_text=True)


def test_the_data_download_holds_the_address_and_never_a_secret(app, client, make_resident, login_as, inbox):
    import json

    resident = make_resident(username="lies")
    login_as(client, resident["user"])
    client.post_form("/account/e-mail", {"email": "lies@example.org"})
    client.get(inbox.link("/e-mail-bevestigen/"))
    data = json.loads(client.get("/account/mijn-gegevens.json").data)
    assert data["profile"]["email"] == "lies@example.org" and data["profile"]["email_verified_at"]
    assert data["profile"]["second_factor"] is False
    assert "totp" not in json.dumps(data).lower()
