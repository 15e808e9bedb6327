"""Sending mail through the organisation's SMTP server (MAIL_SERVER etc.); nothing personal in the logs."""

import smtplib
from email.message import EmailMessage

from flask import current_app


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text mail; MailError when that fails (the address is never logged)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as server:
            if config["MAIL_USE_TLS"]:
                server.starttls()
            if config.get("MAIL_USERNAME"):
                server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("mail not sent: %s", type(error).__name__)
        raise MailError(type(error).__name__) from None
