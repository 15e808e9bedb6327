"""The passkey feature's words: what went wrong, in plain Dutch."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class PasskeyProblem(StrEnum):
    """Why a passkey was not accepted; each has one plain sentence for the resident."""

    UNKNOWN = "unknown"
    OTHER_ACCOUNT = "other_account"
    FAILED = "failed"
    CLONED = "cloned"
    ALREADY_ADDED = "already_added"

    @property
    def label(self) -> str:
        return str(_MESSAGES[self])


_MESSAGES = {
    PasskeyProblem.UNKNOWN: _l("Deze inlogsleutel kennen we niet, of het account is geblokkeerd. "
                               "Log in met uw gebruikersnaam en wachtwoord."),
    PasskeyProblem.OTHER_ACCOUNT: _l("Deze inlogsleutel hoort bij een ander account. Kies de inlogsleutel "
                                     "van dit account, of typ de code uit de app."),
    PasskeyProblem.FAILED: _l("Dat lukte niet. Probeer het nog eens."),
    PasskeyProblem.CLONED: _l("Deze inlogsleutel lijkt gekopieerd en werkt daarom niet meer. Log in met uw "
                              "wachtwoord en maak een nieuwe inlogsleutel."),
    PasskeyProblem.ALREADY_ADDED: _l("Deze inlogsleutel heeft u al toegevoegd."),
}
