"""The safety net: after a very low score on how one feels or on meaning, the result page names who
to talk to (huisarts, own coach, 113), calmly; the coach's caseload flags it. The texts are data."""

from pathlib import Path

import pytest
import yaml

from tests.conftest import all_answers
from webapp.core.questionnaires import DefinitionError, load_safety_net
from webapp.core.scoring import very_low

NET = Path(__file__).resolve().parent.parent / "questionnaires" / "safety-net.yaml"


def _answers(kort_items, mentaal: int, rest: int = 7) -> dict:
    answers = all_answers(kort_items, rest)
    answers.update(dict.fromkeys(kort_items["mentaal"], mentaal))
    return answers


def test_very_low_is_at_or_below_the_threshold_on_the_named_pillars():
    scores = {"mentaal": 4.0, "zingeving": 4.5, "lichaam": 1.0, "meedoen": None}
    assert very_low(scores, ["mentaal", "zingeving"], 4.0) == ["mentaal"]
    assert very_low(scores, ["meedoen"], 4.0) == []


def test_the_shipped_texts_load_and_name_113():
    net = load_safety_net(NET)
    assert net.threshold == 4.0 and set(net.pillars) == {"mentaal", "zingeving"}
    assert {c.id for c in net.contacts} == {"huisarts", "coach", "113"}
    assert next(c for c in net.contacts if c.id == "113").phone == "0800-0113"


@pytest.mark.parametrize("change", [
    lambda d: d.update(threshold=11),
    lambda d: d.update(pillars=["humeur"]),
    lambda d: d["contacts"][2].update(url="http://113.nl"),
    lambda d: d.pop("heading"),
])
def test_a_broken_safety_net_file_is_refused_with_its_name(tmp_path, change):
    data = yaml.safe_load(NET.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "safety-net.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match="safety-net.yaml"):
        load_safety_net(path)


def test_a_very_low_score_shows_who_to_talk_to(client, make_resident, make_checkin, login_as, kort_items):
    resident = make_resident()
    checkin = make_checkin(resident["resident"], _answers(kort_items, 3))
    login_as(client, resident["user"])
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "Praat erover met iemand" in page
    assert "U gaf nu een laag cijfer voor Gevoel." in page  # which part, in the words of the check-in
    assert "huisarts" in page and "113 Zelfmoordpreventie" in page and 'href="tel:08000113"' in page
    assert "Uw coach" not in page  # no coach: no line about one
    assert "danger" not in page and "alarm" not in page


def test_two_low_parts_are_named_in_one_sentence_that_reads_well(client, make_resident, make_checkin, login_as,
                                                                 kort_items):
    # Found using the app: "Uw cijfer voor Gevoel en Zin in het leven is nu laag" (one score, two parts).
    resident = make_resident()
    answers = _answers(kort_items, 3) | dict.fromkeys(kort_items["zingeving"], 2)
    checkin = make_checkin(resident["resident"], answers)
    login_as(client, resident["user"])
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "U gaf nu een laag cijfer voor Gevoel en Zin in het leven." in page


def test_the_residents_own_coach_is_named(client, make_resident, make_staff, make_checkin, login_as, kort_items):
    resident = make_resident()
    make_staff("welzijnscoach", name="Sanne Visser", share_with=(resident["resident"],))
    checkin = make_checkin(resident["resident"], _answers(kort_items, 2))
    login_as(client, resident["user"])
    assert "Uw coach, Sanne Visser." in client.get(f"/uitslag/{checkin}").get_data(as_text=True)


def test_no_safety_net_above_the_threshold(client, make_resident, make_checkin, login_as, kort_items):
    resident = make_resident()
    checkin = make_checkin(resident["resident"], _answers(kort_items, 5))
    login_as(client, resident["user"])
    assert "Praat erover met iemand" not in client.get(f"/uitslag/{checkin}").get_data(as_text=True)


def test_the_safety_net_in_english(client, make_resident, make_checkin, login_as, kort_items):
    resident = make_resident()
    checkin = make_checkin(resident["resident"], _answers(kort_items, 3))
    login_as(client, resident["user"])
    client.post_form("/taal", {"lang": "en"})
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "Talk to someone about it" in page and "113 Suicide Prevention" in page
    assert "You gave a low score for Feelings this time." in page


def test_the_caseload_flags_a_very_low_score(client, make_resident, make_staff, make_checkin, login_as,
                                            kort_items):
    low, fine = make_resident("laag"), make_resident("goed")
    coach = make_staff("welzijnscoach", share_with=(low["resident"], fine["resident"]))
    make_checkin(low["resident"], _answers(kort_items, 3))
    make_checkin(fine["resident"], _answers(kort_items, 8))
    login_as(client, coach["user"])
    page = client.get("/coach?aandacht=erg_laag").get_data(as_text=True)
    assert "erg laag cijfer voor gevoel of zingeving" in page
    assert page.count('class="needs-attention"') == 1
