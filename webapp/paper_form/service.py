"""The blank paper questionnaire (issue 17): the form "kort" or "eenvoudig" to print and fill in by
hand, in large type, with the easy-read pictograms. It holds no personal data: the name and date
lines are left empty, so anyone may print it. A coach types the answers in afterwards."""

from functools import lru_cache

from flask_babel import gettext as _

from webapp.core import pdf
from webapp.core.definitions import current_questionnaire
from webapp.core.labels import FormKind
from webapp.core.questionnaires import Questionnaire

PAPER_FORMS = (FormKind.KORT, FormKind.EENVOUDIG)


def blank_form_data(questionnaire: Questionnaire, form: str, lang: str) -> dict:
    """What the template prints: the statements by part of life, and the answer boxes of the form."""
    chosen = questionnaire.forms[form]
    faces = chosen.answer == "gezichten"
    if faces:
        choices = [{"label": face.label.get(lang), "picture": face.picture} for face in questionnaire.faces]
    else:
        scale = questionnaire.scale
        choices = [{"label": str(value), "picture": ""} for value in range(scale.min, scale.max + 1)]
    parts = [{"heading": pillar.short.get(lang), "name": pillar.name.get(lang),
              "items": [{"text": item.text.get(lang), "picture": item.picture or "",
                         "picture_alt": _("Plaatje bij %(part)s", part=pillar.short.get(lang))} for item in items]}
             for pillar, items in questionnaire.form_pillars(form)]
    how = (_("Zet bij elke zin een kruisje onder het gezichtje dat het beste past.") if faces else
           _("Zet bij elke zin een kruisje in één hokje. 0 betekent: klopt helemaal niet. 10 betekent: klopt "
             "helemaal."))
    return {
        "lang": lang,
        "title": _("Hoe gaat het met u?"),
        "subtitle": _("Vragenlijst op papier: %(form)s", form=chosen.name.get(lang)),
        "name_label": _("Naam"),
        "date_label": _("Datum"),
        "how": [how, _("Weet u iets niet, of wilt u iets niet zeggen? Laat de zin dan leeg.")],
        "faces": faces,
        "choices": choices,
        "low_label": questionnaire.scale.low_label.get(lang),
        "high_label": questionnaire.scale.high_label.get(lang),
        "talk_label": _("Hierover wil ik praten"),
        "parts": parts,
        "end": [_("Klaar? Geef dit papier aan uw coach. Uw coach zet de antwoorden in Veerkracht."),
                _("Daarna kijkt u samen naar de uitslag.")],
        "footer": _("%(title)s, versie %(version)s · %(form)s", title=questionnaire.title.get(lang),
                    version=questionnaire.version, form=chosen.name.get(lang)),
    }


@lru_cache(maxsize=8)
def _rendered(questionnaire_id: str, version: int, form: str, lang: str) -> bytes:
    return pdf.render("questionnaire", blank_form_data(current_questionnaire(), form, lang))


def blank_form_pdf(form: str, lang: str) -> bytes:
    """The blank form as a tagged PDF; the same for everyone, so made once per version, form and language."""
    questionnaire = current_questionnaire()
    return _rendered(questionnaire.id, questionnaire.version, form, lang)
