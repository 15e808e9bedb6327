"""The questionnaire and life-event files: shipped files are valid, broken ones are named clearly."""

import shutil
from pathlib import Path

import pytest
import yaml

from webapp.core.questionnaires import PILLAR_IDS, DefinitionError, load_definitions, load_questionnaire

DATA = Path(__file__).resolve().parent.parent / "questionnaires"
QUESTIONNAIRE = DATA / "veerkracht-v1.yaml"


def test_shipped_questionnaire_has_six_pillars_with_four_items_and_two_short():
    q = load_questionnaire(QUESTIONNAIRE)
    assert tuple(p.id for p in q.pillars) == PILLAR_IDS
    assert all(len(p.items) == 4 for p in q.pillars)
    kort = q.form_item_ids("kort")
    assert all(len(items) == 2 for items in kort.values())
    assert set(q.forms["kort"].items) <= set(q.forms["uitgebreid"].items)
    assert len(q.forms["uitgebreid"].items) == 24


def test_every_item_has_dutch_and_english_text():
    q = load_questionnaire(QUESTIONNAIRE)
    for pillar in q.pillars:
        for item in pillar.items:
            assert item.text.nl.strip() and item.text.en.strip()


def test_life_events_cover_the_brief_and_name_known_pillars():
    definitions = load_definitions(DATA)
    ids = [e.id for e in definitions.life_events.events]
    for expected in ("overlijden_naaste", "scheiding", "baanverlies", "pensioen", "verhuizing",
                     "mantelzorger", "ziekte", "inkomensdaling", "geen"):
        assert expected in ids
    death = definitions.life_events.get("overlijden_naaste")
    assert death.pillars_first == ["mentaal", "meedoen"]
    assert set(death.pillars_later) == {"dagelijks", "kwaliteit"}


@pytest.fixture
def broken(tmp_path):
    """Copy the data files and let a test change the questionnaire before loading."""
    shutil.copy(DATA / "life-events.yaml", tmp_path / "life-events.yaml")

    def write(change) -> Path:
        data = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
        change(data)
        path = tmp_path / "veerkracht-v1.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    return write


def _message(path: Path) -> str:
    with pytest.raises(DefinitionError) as info:
        load_definitions(path.parent)
    return str(info.value)


def test_missing_translation_names_file_item_and_field(broken):
    def drop_english(data):
        del data["pillars"][1]["items"][0]["text"]["en"]

    message = _message(broken(drop_english))
    assert "veerkracht-v1.yaml" in message
    assert "'mentaal'" in message and "'mentaal_humeur'" in message
    assert "text.en" in message


def test_duplicate_item_id_is_refused(broken):
    def duplicate(data):
        data["pillars"][0]["items"][1]["id"] = data["pillars"][0]["items"][0]["id"]

    assert "komt twee keer voor" in _message(broken(duplicate))


def test_unknown_pillar_is_refused(broken):
    def rename(data):
        data["pillars"][2]["id"] = "geluk"

    message = _message(broken(rename))
    assert "onbekende pijler 'geluk'" in message


def test_short_form_must_be_part_of_the_extended_form(broken):
    def drift(data):
        data["forms"]["uitgebreid"]["items"].remove(data["forms"]["kort"]["items"][0])

    assert "'kort' moeten ook in 'uitgebreid'" in _message(broken(drift))


def test_form_naming_an_unknown_item_is_refused(broken):
    def unknown(data):
        data["forms"]["kort"]["items"].append("lichaam_vliegen")

    assert "onbekende vraag 'lichaam_vliegen'" in _message(broken(unknown))


def test_scale_must_run_from_zero_to_ten(broken):
    def scale(data):
        data["scale"]["max"] = 5

    message = _message(broken(scale))
    assert "veld 'scale'" in message and "0 tot en met 10" in message


def test_unexpected_field_is_named(broken):
    def extra(data):
        data["pillars"][0]["items"][0]["txt"] = "tikfout"

    message = _message(broken(extra))
    assert "'lichaam_gezond'" in message and "txt" in message


def test_yaml_syntax_error_gives_file_and_line(tmp_path):
    shutil.copy(DATA / "life-events.yaml", tmp_path / "life-events.yaml")
    (tmp_path / "veerkracht-v1.yaml").write_text("id: veerkracht\npillars: [\n  - kapot", encoding="utf-8")
    message = _message(tmp_path / "veerkracht-v1.yaml")
    assert message.startswith("veerkracht-v1.yaml (regel")
    assert "geen geldige YAML" in message


def test_life_event_with_unknown_pillar_is_refused(tmp_path):
    shutil.copy(QUESTIONNAIRE, tmp_path / "veerkracht-v1.yaml")
    data = yaml.safe_load((DATA / "life-events.yaml").read_text(encoding="utf-8"))
    data["events"][0]["pillars_first"] = ["moed"]
    (tmp_path / "life-events.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    message = _message(tmp_path / "life-events.yaml")
    assert "life-events.yaml" in message and "'overlijden_naaste'" in message and "moed" in message


def test_app_refuses_to_start_with_a_broken_questionnaire(broken):
    from webapp import create_app

    path = broken(lambda data: data.pop("version"))
    with pytest.raises(DefinitionError, match="version"):
        create_app({"SECRET_KEY": "x", "QUESTIONNAIRE_DIR": str(path.parent),
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_two_versions_live_side_by_side(tmp_path):
    shutil.copy(DATA / "life-events.yaml", tmp_path / "life-events.yaml")
    shutil.copy(QUESTIONNAIRE, tmp_path / "veerkracht-v1.yaml")
    data = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    data["version"] = 2
    data["pillars"][0]["items"][0]["text"]["nl"] = "Nieuwe tekst."
    (tmp_path / "veerkracht-v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    definitions = load_definitions(tmp_path)
    assert definitions.latest("veerkracht").version == 2
    assert definitions.get("veerkracht", 1).pillars[0].items[0].text.nl != "Nieuwe tekst."
