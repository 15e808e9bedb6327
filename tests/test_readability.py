"""Issue 17: every page a resident reads is easy to read, measured.

The measure is the Flesch-Douma reading ease for Dutch (Douma 1960): 206.84 - 0.77 x (syllables per
100 words) - 0.93 x (words per sentence). Higher is easier; 60-70 is "fairly easy" (about B1),
above 70 "easy". Syllables are counted as groups of vowels (ij, ei, ou, ui, aa, ... count once).
Thresholds, per page, on the text inside <main> (scripts, the 0-10 numbers and form values left out):

- reading ease at least 60;
- at most 15 words per sentence on average;
- at most 8 % long words (four syllables or more).

A page that falls below fails the suite: rewrite the text, not the threshold.
"""

import re

import pytest

from tests.checkin_helpers import complete_checkin, start_checkin
from tests.conftest import all_answers

MIN_EASE = 60.0
MAX_WORDS_PER_SENTENCE = 15.0
MAX_LONG_WORDS = 0.08
VOWELS = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+", re.I)


def _main_text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style|select)[^>]*>.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r'<div class="scale[^"]*"[^>]*>.*?</div>', " ", main, flags=re.S)  # the 0-10 buttons
    main = re.sub(r"<(li|p|h[1-6]|dt|dd|legend|label|td|th|caption|figcaption|button)\b", r". <\1", main)
    text = re.sub(r"<[^>]+>", " ", main.split(">", 1)[1])
    return " ".join(text.replace("&#39;", "'").replace("&amp;", "&").split())


def syllables(word: str) -> int:
    return max(1, len(VOWELS.findall(word)))


def measure(text: str) -> dict:
    sentences = [s for s in re.split(r"[.!?:;]+(?:\s|$)", text) if re.search(r"[A-Za-zÀ-ÿ]{2}", s)]
    words = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]*", text)
    counts = [syllables(w) for w in words]
    per_sentence = len(words) / max(1, len(sentences))
    per_100 = 100 * sum(counts) / max(1, len(words))
    return {"ease": 206.84 - 0.77 * per_100 - 0.93 * per_sentence, "words_per_sentence": per_sentence,
            "long_words": sum(c >= 4 for c in counts) / max(1, len(words)), "words": len(words)}


def test_the_measure_tells_easy_from_hard():
    easy = measure("Hoe gaat het met u? U kiest een cijfer. Dat is alles.")
    hard = measure("Gedurende de voorafgaande evaluatieperiode constateerden onderzoekers significante "
                   "verslechteringen betreffende psychosociale functioneringsaspecten bij participanten.")
    assert easy["ease"] > 80 > MIN_EASE > hard["ease"]
    assert hard["long_words"] > MAX_LONG_WORDS > easy["long_words"]


@pytest.fixture
def resident_pages(client, make_resident, login_as, make_checkin, kort_items):
    """The pages a resident reads, with two check-ins behind them and one in progress."""
    person = make_resident()
    login_as(client, person["user"])
    make_checkin(person["resident"], all_answers(kort_items, 5), days_ago=40)
    latest = complete_checkin(client, kort_items, default=6)
    draft = start_checkin(client)
    client.post_form(f"/checkin/{draft}/gebeurtenis", {"life_event": "geen"})
    urls = ["/", "/uitleg", f"/uitslag/{latest}", "/geschiedenis", "/volgende-check-in",
            f"/checkin/{draft}/gebeurtenis", f"/checkin/{draft}/stap/1",
            "/account", "/account/inzage", "/account/verwijderen", "/wachtwoord-wijzigen", "/inlogsleutels"]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    return pages


def test_every_resident_page_reads_easily(resident_pages):
    report, failing = [], []
    for url, html in resident_pages.items():
        figures = measure(_main_text(html))
        line = (f"{url}: ease {figures['ease']:.0f}, {figures['words_per_sentence']:.1f} words per sentence, "
                f"{100 * figures['long_words']:.1f}% long words ({figures['words']} words)")
        report.append(line)
        if (figures["ease"] < MIN_EASE or figures["words_per_sentence"] > MAX_WORDS_PER_SENTENCE
                or figures["long_words"] > MAX_LONG_WORDS):
            failing.append(line)
    print("\n".join(report))
    assert not failing, "\n".join(failing)


def test_no_resident_page_names_a_thing_twice_in_a_row(resident_pages):
    # Found using the app: the help page said "Meedoen (Meedoen)" (the plain word and the official
    # name are the same there).
    for url, html in resident_pages.items():
        doubled = re.search(r"\b(\w[\w ]{2,40}?) \(\1\)", _main_text(html))
        assert doubled is None, f"{url}: {doubled.group(0)}"
