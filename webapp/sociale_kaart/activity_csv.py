"""The sociale kaart as CSV, the way Excel writes it: check every row first, report by row and column."""

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from webapp.core.edge import EARLIEST_DATE, find_control_character, iso_date, whole_number
from webapp.core.questionnaires import PILLAR_IDS
from webapp.core.spreadsheet import csv_text, read_cell

COLUMNS = (
    "id", "naam", "organisatie", "organisatie_website", "organisatie_telefoon", "organisatie_email",
    "beschrijving", "status", "pijlers", "gebeurtenissen", "voorwaarden", "leeftijd_min", "leeftijd_max",
    "kosten", "bedrag", "wanneer", "locatie", "adres", "postcode", "plaats", "wijk", "rolstoel", "ringleiding",
    "ov", "aanmelden", "contactpersoon", "gecontroleerd_op", "alleen_voor_gebeurtenis",
)
REQUIRED = ("naam", "organisatie", "beschrijving", "status", "pijlers", "kosten", "locatie", "aanmelden",
            "gecontroleerd_op")
STATUSES = ("actief", "gepauzeerd", "gestopt")
COSTS = ("gratis", "bijdrage")
LOCATIONS = ("adres", "thuis", "online")
JOIN_ROUTES = ("zelf", "coach", "huisarts")
YES_NO = {"ja": True, "nee": False}
MAX_ROWS = 2000
LIMITS = {"naam": 150, "organisatie": 150, "organisatie_website": 255, "organisatie_telefoon": 40,
          "organisatie_email": 150, "beschrijving": 2000, "voorwaarden": 1000, "wanneer": 200, "adres": 150,
          "postcode": 10, "plaats": 80, "wijk": 80, "contactpersoon": 100}


@dataclass
class Problem:
    row: int      # the line number as Excel shows it (the header is row 1); 0: the whole file
    column: str   # "-": no one column
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message[:1].upper() + self.message[1:] + "."
        if self.column == "-":
            return f"Rij {self.row}: {self.message}"
        return f"Rij {self.row}, kolom '{self.column}': {self.message}"


def _amount(text: str) -> int:
    match = re.fullmatch(r"(?:€\s*)?([0-9]{1,4})(?:[.,]([0-9]{1,2}))?", text.strip())
    if not match:
        raise ValueError
    cents = (match.group(2) or "0").ljust(2, "0")
    return int(match.group(1)) * 100 + int(cents)


def format_amount(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100},{cents % 100:02d}"


_DUTCH_DATE = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")


def read_date(text: str) -> date | None:
    """A date as Dutch Excel writes it (3-12-2026, 03-12-2026, 3/12/2026) or as 2026-12-03; None otherwise."""
    text = text.strip()
    match = _DUTCH_DATE.fullmatch(text)
    if match is None:
        return iso_date(text)
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _row(raw: dict, line: int, life_event_ids: set[str], today: date, problems: list[Problem]) -> dict:
    def fail(column: str, message: str) -> None:
        problems.append(Problem(line, column, message))

    value = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    for column in REQUIRED:
        if not value[column]:
            fail(column, "dit veld is verplicht")
    for column, limit in LIMITS.items():
        if len(value[column]) > limit:
            fail(column, f"hoogstens {limit} tekens")
    out: dict = {"public_id": value["id"] or None}
    for column, choices in (("status", STATUSES), ("kosten", COSTS), ("locatie", LOCATIONS),
                            ("aanmelden", JOIN_ROUTES)):
        if value[column] and value[column].lower() not in choices:
            fail(column, f"'{value[column]}' kan niet; kies uit {', '.join(choices)}")
    pillars = [p.strip() for p in value["pijlers"].split("|") if p.strip()]
    for pillar in pillars:
        if pillar not in PILLAR_IDS:
            fail("pijlers", f"onbekende pijler '{pillar}'; kies uit {', '.join(PILLAR_IDS)}")
    events = [e.strip() for e in value["gebeurtenissen"].split("|") if e.strip()]
    for event in events:
        if event not in life_event_ids:
            fail("gebeurtenissen", f"onbekende gebeurtenis '{event}'")
    ages = {}
    for column in ("leeftijd_min", "leeftijd_max"):
        if value[column]:
            age = whole_number(value[column])
            if age is None or not 0 <= age <= 120:
                fail(column, "vul een leeftijd in als heel getal met de cijfers 0 tot en met 9, of laat leeg")
            else:
                ages[column] = age
    if len(ages) == 2 and ages["leeftijd_min"] > ages["leeftijd_max"]:
        fail("leeftijd_max", "de hoogste leeftijd is lager dan de laagste")
    cents = None
    if value["kosten"].lower() == "bijdrage":
        try:
            cents = _amount(value["bedrag"])
        except ValueError:
            fail("bedrag", "vul het bedrag in als 2,50")
    elif value["bedrag"]:
        fail("bedrag", "laat leeg als de activiteit gratis is")
    flags = {}
    for column in ("rolstoel", "ringleiding", "ov", "alleen_voor_gebeurtenis"):
        text = value[column].lower() or "nee"
        if text not in YES_NO:
            fail(column, "vul ja of nee in")
        flags[column] = YES_NO.get(text, False)
    verified = None
    if value["gecontroleerd_op"]:
        verified = read_date(value["gecontroleerd_op"])
        if verified is None:
            fail("gecontroleerd_op", "vul een datum in als 3-12-2026 of 2026-12-03")
        elif not EARLIEST_DATE <= verified <= today:
            fail("gecontroleerd_op", f"vul een datum in vanaf {EARLIEST_DATE.isoformat()} tot en met vandaag")
    if flags["alleen_voor_gebeurtenis"] and not events:
        fail("alleen_voor_gebeurtenis", "kies bij 'gebeurtenissen' voor wie de activiteit is, of vul nee in")
    if value["organisatie_email"] and "@" not in value["organisatie_email"]:
        fail("organisatie_email", "dit is geen e-mailadres")
    if value["organisatie_website"] and not value["organisatie_website"].startswith(("https://", "http://")):
        fail("organisatie_website", "begin met https://")
    out.update(
        name=value["naam"], organisation=value["organisatie"], organisation_url=value["organisatie_website"] or None,
        organisation_phone=value["organisatie_telefoon"] or None, organisation_email=value["organisatie_email"] or None,
        description=value["beschrijving"], status=value["status"].lower(), pillars=pillars, life_events=events,
        eligibility=value["voorwaarden"] or None, min_age=ages.get("leeftijd_min"), max_age=ages.get("leeftijd_max"),
        cost=value["kosten"].lower(), cost_cents=cents, schedule=value["wanneer"] or None,
        location_kind=value["locatie"].lower(), address=value["adres"] or None, postcode=value["postcode"] or None,
        city=value["plaats"] or None, wijk=value["wijk"] or None, wheelchair=flags["rolstoel"],
        hearing_loop=flags["ringleiding"], public_transport=flags["ov"], how_to_join=value["aanmelden"].lower(),
        contact_person=value["contactpersoon"] or None, last_verified_on=verified,
        for_event_only=flags["alleen_voor_gebeurtenis"],
    )
    return out


def check_row(values: dict, life_event_ids: set[str], today: date) -> tuple[dict, dict[str, str]]:
    """Check one activity given as CSV columns (the edit page uses this too): (fields, {column: problem})."""
    problems: list[Problem] = []
    row = _row(values, 0, life_event_ids, today, problems)
    return row, {p.column: p.message for p in problems}


def row_from_fields(fields: dict) -> dict:
    """The CSV columns for one activity's model fields (to fill the edit form)."""
    return dict(zip(COLUMNS, _cells(fields), strict=True))


def _cells(a: dict) -> list:
    yes_no = {True: "ja", False: "nee"}
    return [
        a["public_id"], a["name"], a["organisation"], a["organisation_url"] or "", a["organisation_phone"] or "",
        a["organisation_email"] or "", a["description"], a["status"], "|".join(a["pillars"]),
        "|".join(a["life_events"]), a["eligibility"] or "", a["min_age"] if a["min_age"] is not None else "",
        a["max_age"] if a["max_age"] is not None else "", a["cost"], format_amount(a["cost_cents"]),
        a["schedule"] or "", a["location_kind"], a["address"] or "", a["postcode"] or "", a["city"] or "",
        a["wijk"] or "", yes_no[a["wheelchair"]], yes_no[a["hearing_loop"]], yes_no[a["public_transport"]],
        a["how_to_join"], a["contact_person"] or "", a["last_verified_on"].isoformat(),
        yes_no[bool(a.get("for_event_only"))],
    ]


def same_activity(name: str, organisation: str) -> tuple[str, str]:
    """What makes two rows one activity: its name at one organisation, whatever the case or spaces."""
    return " ".join(name.split()).casefold(), " ".join(organisation.split()).casefold()


def parse(data: bytes, life_event_ids: set[str], today: date, known: Mapping[tuple[str, str], str] | None = None,
          known_ids: set[str] | None = None) -> tuple[list[dict], list[Problem]]:
    """Read a CSV file (';' or ',', with or without Excel's BOM); every problem is reported, none is fixed.

    `known_ids`: the catalogue's ids; a row with another id is refused. `known`: its activities by
    same_activity (two alike keep one id); a row without an id that names one of them, or names an
    earlier new row, is refused: importing a file twice must not list it twice."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, "-", "het bestand is niet als UTF-8 opgeslagen (kies in Excel 'CSV UTF-8')")]
    position = find_control_character(text, multiline=True)
    if position is not None:  # the same characters the app refuses in every form (webapp.core.edge)
        line = text.count("\n", 0, position) + 1
        return [], [Problem(line, "-", f"er staat een onzichtbaar stuurteken in (teken {ord(text[position]):#06x}); "
                                       "haal het weg en sla het bestand opnieuw op")]
    if not text.strip():
        return [], [Problem(0, "-", "het bestand is leeg")]
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]  # other columns may be left out: empty
    unknown = [h for h in header if h not in COLUMNS]
    problems = [Problem(1, c, "deze kolom ontbreekt") for c in missing]
    problems += [Problem(1, c, "deze kolom kennen we niet") for c in unknown]
    if problems:
        return [], problems
    if len(set(header)) != len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        return [], [Problem(1, c, "deze kolom staat er twee keer in") for c in twice]
    reader.fieldnames = header
    rows = []
    seen_ids: set[str] = set()
    new_rows: dict[tuple[str, str], int] = {}  # same_activity -> line, for rows without an id
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw:
                problems.append(Problem(line, "-", "deze rij heeft meer velden dan er kolommen zijn"))
                continue
            if not any((v or "").strip() for v in raw.values()):
                continue  # Excel leaves empty lines at the end
            raw = {key: read_cell((text or "").strip()) for key, text in raw.items()}  # undo export's guard
            row = _row(raw, line, life_event_ids, today, problems)
            if row["public_id"]:
                if known_ids is not None and row["public_id"] not in known_ids:
                    problems.append(Problem(line, "id", f"onbekende id '{row['public_id']}'"))
                if row["public_id"] in seen_ids:
                    problems.append(Problem(line, "id", "deze id staat twee keer in het bestand"))
                seen_ids.add(row["public_id"])
            elif row.get("name") and row.get("organisation"):
                key = same_activity(row["name"], row["organisation"])
                if key in (known or {}):
                    problems.append(Problem(line, "naam", f"deze activiteit staat al in de sociale kaart; zet haar "
                                                          f"id '{known[key]}' in de kolom 'id' om haar bij te werken"))
                elif key in new_rows:
                    problems.append(Problem(line, "naam", f"deze activiteit staat al in rij {new_rows[key]}"))
                new_rows.setdefault(key, line)
            rows.append(row)
            if len(rows) > MAX_ROWS:
                return [], [Problem(line, "-", f"te veel rijen (hoogstens {MAX_ROWS})")]
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, "-", f"het bestand is geen geldige CSV ({exc})"))
    return rows, problems


def export(activities: list[dict]) -> str:
    """Write activities (as dicts of model fields) as CSV that Excel opens with the right accents, with
    no cell that Excel would run as a formula (import undoes that guard)."""
    return csv_text(COLUMNS, (_cells(activity) for activity in activities))
