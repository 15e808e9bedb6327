"""Forms shared by several areas."""

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """A form with only the CSRF token: for buttons and for hand-written inputs."""
