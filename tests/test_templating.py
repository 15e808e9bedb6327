"""The cheap template helpers (webapp/core/templating.py) give exactly what Flask and Flask-Babel give."""

import pytest
from flask import render_template_string, url_for
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from flask_babel import ngettext as babel_ngettext

from webapp.core import templating

PLURAL = ("En nog %(num)s bewoner. Bekijk de hele lijst, op datum.",
          "En nog %(num)s bewoners. Bekijk de hele lijst, op datum.")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_template_texts_are_flask_babels_texts(app, lang):
    with app.test_request_context("/"), force_locale(lang):
        page = render_template_string(
            "{{ _('Naar de inhoud') }}|{{ gettext('Naar de inhoud') }}|{{ _('U deelt uw gegevens nu met %(name)s.', "
            "name=who) }}|{{ ngettext(one, many, 1) }}|{{ ngettext(one, many, 3) }}",
            who="<b>Anna</b>", one=PLURAL[0], many=PLURAL[1])
        expected = "|".join([
            babel_gettext("Naar de inhoud"), babel_gettext("Naar de inhoud"),
            babel_gettext("U deelt uw gegevens nu met %(name)s.", name="&lt;b&gt;Anna&lt;/b&gt;"),
            babel_ngettext(*PLURAL, 1), babel_ngettext(*PLURAL, 3),
        ])
    assert page == expected
    assert ("Go to the main content" in page) is (lang == "en")
    assert "<b>" not in page  # a variable is escaped; the translation itself is ours and kept


def test_underscore_is_the_one_gettext_call(app):
    """`_` in a template is the cheap gettext itself, not Jinja's alias that calls it a second time."""
    assert app.jinja_env.globals["_"] is templating.gettext
    assert app.jinja_env.globals["gettext"] is templating.gettext


def test_a_language_switch_inside_a_request_changes_the_texts(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            english = render_template_string("{{ _('Naar de inhoud') }}")
        with force_locale("nl"):
            dutch = render_template_string("{{ _('Naar de inhoud') }}")
    assert (english, dutch) == ("Go to the main content", "Naar de inhoud")


def test_template_urls_are_flasks_urls(app):
    with app.test_request_context("/"):
        cases = [("static", {"filename": "app.css"}), ("main.home", {}), ("results.history", {}),
                 ("checkin.step", {"draft_id": "abc", "step": 2}), ("main.home", {"_anchor": "x"})]
        for endpoint, values in cases:
            for _twice in range(2):  # the second one comes from what the first one kept
                page = render_template_string("{{ url_for(endpoint, **values) }}", endpoint=endpoint, values=values)
                assert page == str(url_for(endpoint, **values)).replace("&", "&amp;"), endpoint
        assert "?v=" in render_template_string("{{ url_for('static', filename='app.css') }}")
