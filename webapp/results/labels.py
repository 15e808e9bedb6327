"""The result page's words for a change since last time (scoring.change_word)."""

from flask_babel import lazy_gettext as _l

CHANGE_WORDS = {
    "beter": _l("beter"),
    "iets_beter": _l("iets beter"),
    "gelijk": _l("ongeveer hetzelfde"),
    "iets_minder": _l("iets minder"),
    "minder": _l("minder"),
}
