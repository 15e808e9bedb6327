"""The questionnaire and life-event definitions as plain values, loaded from YAML and validated at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

NO_LIFE_EVENT = "geen"  # the life-event answer "er is niets bijzonders gebeurd"
PILLAR_IDS = ("lichaam", "mentaal", "zingeving", "kwaliteit", "meedoen", "dagelijks")
LIFE_EVENTS_FILE = "life-events.yaml"
SAFETY_NET_FILE = "safety-net.yaml"
ID_PATTERN = r"^[a-z][a-z0-9_]{1,48}$"


class DefinitionError(ValueError):
    """A data file is broken; the message names the file, the item and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Dutch (source) and English."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        """Return the text in the locale, Dutch when the locale is unknown."""
        return self.en if locale == "en" else self.nl


class TextList(_Strict):
    nl: list[str]
    en: list[str]

    def get(self, locale: str) -> list[str]:
        return self.en if locale == "en" else self.nl


PICTURE_PATTERN = r"^[a-z0-9_-]+/[a-z0-9_-]+\.svg$"  # a file under webapp/static/


class Item(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    text: Text
    picture: str | None = Field(default=None, pattern=PICTURE_PATTERN)  # required in a face form


class Pillar(_Strict):
    id: str
    name: Text  # the official name, for coaches and exports
    short: Text  # the plain name a resident reads ("Lichaam", "Gevoel")
    intro: Text
    items: list[Item] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _known_pillar(cls, value: str) -> str:
        if value not in PILLAR_IDS:
            raise ValueError(f"onbekende pijler '{value}', kies uit {', '.join(PILLAR_IDS)}")
        return value

    @property
    def picture(self) -> str:
        """The pillar's picture, a path under static/ (one per known pillar, shipped with the app)."""
        return f"pillars/{self.id}.svg"


class Scale(_Strict):
    min: int
    max: int
    low_label: Text
    high_label: Text

    @model_validator(mode="after")
    def _range(self) -> Scale:
        if (self.min, self.max) != (0, 10):
            raise ValueError("de schaal moet van 0 tot en met 10 lopen")
        return self


class Face(_Strict):
    """One face of the easy-read scale: the 0-10 value stored as the answer, a word and a picture."""

    value: int = Field(ge=0, le=10)
    label: Text
    picture: str = Field(pattern=PICTURE_PATTERN)


class Form(_Strict):
    name: Text
    description: Text
    answer: Literal["cijfer", "gezichten"] = "cijfer"  # the 0-10 scale, or the faces
    # A face form's own faces (e.g. three for the simplest mode); without them it uses the questionnaire's.
    faces: list[Face] | None = None
    items: list[str] = Field(min_length=1)


def _check_faces(faces: list[Face], where: str) -> None:
    values = [face.value for face in faces]
    if not 3 <= len(values) <= 5 or values != sorted(set(values)) or (values[0], values[-1]) != (0, 10):
        raise ValueError(f"{where}: de gezichten lopen van 0 tot en met 10, oplopend, 3 tot 5 stuks")


class Questionnaire(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1)
    title: Text
    credit: Text
    scale: Scale
    pillars: list[Pillar]
    faces: list[Face] | None = None
    forms: dict[str, Form]

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        ids = [pillar.id for pillar in self.pillars]
        if tuple(ids) != PILLAR_IDS:
            raise ValueError(f"de pijlers moeten precies zijn, in deze volgorde: {', '.join(PILLAR_IDS)}")
        seen: set[str] = set()
        for pillar in self.pillars:
            for item in pillar.items:
                if item.id in seen:
                    raise ValueError(f"vraag '{item.id}' komt twee keer voor")
                seen.add(item.id)
        for name, form in self.forms.items():
            for item_id in form.items:
                if item_id not in seen:
                    raise ValueError(f"formulier '{name}' noemt onbekende vraag '{item_id}'")
            if len(set(form.items)) != len(form.items):
                raise ValueError(f"formulier '{name}' noemt een vraag twee keer")
            for pillar in self.pillars:
                if not any(item.id in form.items for item in pillar.items):
                    raise ValueError(f"formulier '{name}' heeft geen vraag voor pijler '{pillar.id}'")
        if self.faces is not None:
            _check_faces(self.faces, "faces")
        pictures = {item.id: item.picture for pillar in self.pillars for item in pillar.items}
        for name, form in self.forms.items():
            if form.faces is not None:
                if form.answer != "gezichten":
                    raise ValueError(f"formulier '{name}' heeft 'faces', maar antwoordt niet met gezichten")
                _check_faces(form.faces, f"formulier '{name}'")
            if form.answer == "gezichten":
                if self.faces is None and form.faces is None:
                    raise ValueError(f"formulier '{name}' gebruikt gezichten, maar 'faces' ontbreekt")
                for item_id in form.items:
                    if not pictures[item_id]:
                        raise ValueError(f"vraag '{item_id}' in formulier '{name}' heeft geen plaatje ('picture')")
        if {"kort", "uitgebreid"} - self.forms.keys():
            raise ValueError("de formulieren 'kort' en 'uitgebreid' zijn verplicht")
        if not set(self.forms["kort"].items) <= set(self.forms["uitgebreid"].items):
            raise ValueError("alle vragen van 'kort' moeten ook in 'uitgebreid' staan")
        return self

    # Convenience look-ups used by the app.
    def pillar(self, pillar_id: str) -> Pillar:
        """Return the pillar with this id."""
        return next(p for p in self.pillars if p.id == pillar_id)

    def form_pillars(self, form: str) -> list[tuple[Pillar, list[Item]]]:
        """Return each pillar with the items this form asks, in pillar order."""
        chosen = set(self.forms[form].items)
        return [(p, [i for i in p.items if i.id in chosen]) for p in self.pillars]

    def faces_for(self, form: str) -> list[Face] | None:
        """The faces a form is answered with (its own, else the questionnaire's); None for the 0-10 scale."""
        definition = self.forms[form]
        if definition.answer != "gezichten":
            return None
        return definition.faces or self.faces

    def allowed_scores(self, form: str) -> frozenset[int]:
        """The answers a form accepts: 0-10, or the faces' values."""
        faces = self.faces_for(form)
        if faces:
            return frozenset(face.value for face in faces)
        return frozenset(range(self.scale.min, self.scale.max + 1))

    def form_item_ids(self, form: str) -> dict[str, list[str]]:
        """Return {pillar id: [item ids]} for a form, as scoring expects."""
        return {p.id: [i.id for i in items] for p, items in self.form_pillars(form)}


class LifeEvent(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    short: Text
    because: Text | None = None  # completes "Omdat u kort geleden ...", for suggestions
    risks: TextList
    pillars_first: list[str]
    pillars_later: list[str]

    @property
    def is_nothing(self) -> bool:
        """Whether this is the answer "er is niets bijzonders gebeurd" (NO_LIFE_EVENT)."""
        return self.id == NO_LIFE_EVENT

    @field_validator("pillars_first", "pillars_later")
    @classmethod
    def _known_pillars(cls, values: list[str]) -> list[str]:
        for value in values:
            if value not in PILLAR_IDS:
                raise ValueError(f"onbekende pijler '{value}'")
        return values


class LifeEvents(_Strict):
    version: int = Field(ge=1)
    events: list[LifeEvent] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> LifeEvents:
        ids = [e.id for e in self.events]
        for event_id in ids:
            if ids.count(event_id) > 1:
                raise ValueError(f"gebeurtenis '{event_id}' komt twee keer voor")
        return self

    def get(self, event_id: str | None) -> LifeEvent | None:
        """Return the event with this id, or None."""
        return next((e for e in self.events if e.id == event_id), None)


class SafetyContact(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    text: Text
    phone: str | None = Field(default=None, pattern=r"^[0-9 +-]{3,20}$")
    url: str | None = Field(default=None, pattern=r"^https://")


class SafetyNet(_Strict):
    """Who to talk to after a very low score on how one feels or on meaning (texts are data)."""

    version: int = Field(ge=1)
    threshold: float = Field(ge=0, le=10)
    pillars: list[str] = Field(min_length=1)
    heading: Text
    intro: Text
    contacts: list[SafetyContact] = Field(min_length=1)

    @field_validator("pillars")
    @classmethod
    def _known_pillars(cls, values: list[str]) -> list[str]:
        for value in values:
            if value not in PILLAR_IDS:
                raise ValueError(f"onbekende pijler '{value}'")
        return values


@dataclass(frozen=True)
class Definitions:
    """Every questionnaire version, the life-event list and the safety net, loaded once at start-up."""

    questionnaires: dict[tuple[str, int], Questionnaire]
    life_events: LifeEvents
    safety_net: SafetyNet | None = None

    def latest(self, questionnaire_id: str) -> Questionnaire:
        """Return the newest version of a questionnaire."""
        versions = [v for (qid, v) in self.questionnaires if qid == questionnaire_id]
        if not versions:
            raise KeyError(questionnaire_id)
        return self.questionnaires[(questionnaire_id, max(versions))]

    def get(self, questionnaire_id: str, version: int) -> Questionnaire:
        """Return one stored version (old check-ins keep their own version)."""
        return self.questionnaires[(questionnaire_id, version)]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark else ""
        raise DefinitionError(f"{path.name}{where}: dit is geen geldige YAML") from exc
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"{path.name}: het bestand is niet in UTF-8 opgeslagen") from exc


def _describe(data: Any, loc: tuple) -> str:
    """Turn a pydantic location into 'item lichaam_gezond, veld text.en' using the raw data."""
    parts: list[str] = []
    node = data
    path: list[str] = []
    for step in loc:
        if isinstance(node, dict | list):
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                node = None
        else:
            node = None
        if isinstance(step, int) and isinstance(node, dict) and "id" in node:
            parts.append(f"'{node['id']}'")
            path = []
        else:
            path.append(str(step))
    label = " > ".join(parts)
    field = ".".join(path)
    if label and field:
        return f"{label}, veld '{field}'"
    return label or (f"veld '{field}'" if field else "het bestand")


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    if not isinstance(data, dict):
        raise DefinitionError(f"{path.name}: het bestand moet een YAML-mapping zijn")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{path.name}: {_describe(data, tuple(error['loc']))}: {message}")
        raise DefinitionError("\n".join(problems)) from None


def load_questionnaire(path: Path) -> Questionnaire:
    """Load one questionnaire file, raising DefinitionError that names file, item and field."""
    return _validate(Questionnaire, _read_yaml(path), path)


def load_life_events(path: Path) -> LifeEvents:
    """Load the life-event list."""
    return _validate(LifeEvents, _read_yaml(path), path)


def load_safety_net(path: Path) -> SafetyNet:
    """Load the safety-net texts."""
    return _validate(SafetyNet, _read_yaml(path), path)


def load_definitions(directory: str | Path) -> Definitions:
    """Load every questionnaire file and the life-event list from a directory."""
    directory = Path(directory)
    questionnaires: dict[tuple[str, int], Questionnaire] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in (LIFE_EVENTS_FILE, SAFETY_NET_FILE):
            continue
        q = load_questionnaire(path)
        if (q.id, q.version) in questionnaires:
            raise DefinitionError(f"{path.name}: '{q.id}' versie {q.version} bestaat al")
        questionnaires[(q.id, q.version)] = q
    if not questionnaires:
        raise DefinitionError(f"{directory}: geen vragenlijsten gevonden")
    life_events_path = directory / LIFE_EVENTS_FILE
    if not life_events_path.exists():
        raise DefinitionError(f"{LIFE_EVENTS_FILE}: bestand ontbreekt in {directory}")
    safety_net_path = directory / SAFETY_NET_FILE
    safety_net = load_safety_net(safety_net_path) if safety_net_path.exists() else None
    return Definitions(questionnaires, load_life_events(life_events_path), safety_net)
