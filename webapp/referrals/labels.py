"""The referrals' words for what can go wrong when a resident moves one along."""

from flask_babel import lazy_gettext as _l

PROBLEMS = {
    "reason": _l("Schrijf kort op waarom u gestopt bent. Dan kan uw coach daar rekening mee houden."),
    "step": _l("Deze stap kan nu niet. Laad de pagina opnieuw en kies een van de knoppen."),
}
