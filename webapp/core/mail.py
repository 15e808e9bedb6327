"""Sending mail through the organisation's SMTP server (MAIL_SERVER etc.); nothing personal in the logs."""

import smtplib
from email.message import EmailMessage

from flask import current_app


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


class Outbox:
    """One SMTP connection for many mails (the reminder job sends hundreds in a row).

    A mail that fails raises MailError and closes the connection; the next mail opens a new one, so
    one refused address or a dropped connection never stops the rest.
    """

    def __init__(self) -> None:
        self._server: smtplib.SMTP | None = None

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        config = current_app.config
        server = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15)
        try:
            if config["MAIL_USE_TLS"]:
                server.starttls()
            if config.get("MAIL_USERNAME"):
                server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except BaseException:
            server.close()
            raise
        return server

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text mail; MailError when that fails (the address is never logged)."""
        message = _message(to, subject, body)
        try:
            if self._server is None:
                self._server = self._connect()
            self._server.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            current_app.logger.warning("mail not sent: %s", type(error).__name__)
            raise MailError(type(error).__name__) from None

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text mail; MailError when that fails (the address is never logged)."""
    with Outbox() as outbox:
        outbox.send(to, subject, body)
