"""The 0-10 scale of a question as HTML, made once per question, choice and error state.

A step screen shows each question's eleven radio buttons. In the template (`score_item` in
_macros.html) every button cost about a dozen Jinja operations, escaping included: 55 us per
question, over a third of a step page's own rendering, and the long form asks up to seven
questions per screen. The buttons differ only in the question's id, the chosen value and whether
the question has an error message, so the HTML is made here once for each such case and kept.
"""

from functools import lru_cache

from markupsafe import Markup, escape


def scale_buttons(item_id: str, low: int, high: int, chosen, has_error) -> Markup:
    """The radio buttons low..high of one question; `chosen` is checked (None, or anything that is
    not a whole number, checks none)."""
    if not isinstance(chosen, int) or isinstance(chosen, bool):
        chosen = None
    return _buttons(str(item_id), int(low), int(high), chosen, bool(has_error))


@lru_cache(maxsize=2048)  # questions x 12 choices x error or not; a few MB at most
def _buttons(item_id: str, low: int, high: int, chosen: int | None, has_error: bool) -> Markup:
    name = escape(item_id)
    described = f"{name}-ends {name}-error" if has_error else f"{name}-ends"
    return Markup("\n".join(  # noqa: S704 - built from escaped ids and integers only
        f'<label class="score">\n  <input type="radio" name="{name}" value="{n}"{" checked" if n == chosen else ""}'
        f' aria-describedby="{described}">\n  <span>{n}</span>\n</label>'
        for n in range(low, high + 1)
    ))
