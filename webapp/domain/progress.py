"""A resident's timeline: each check-in with the weeks since the life-event it belongs to."""

from dataclasses import dataclass


@dataclass
class Entry:
    measurement: object
    life_event: str | None       # the life-event this check-in follows (the latest one reported)
    weeks_since_event: int | None


def timeline(measurements: list) -> list[Entry]:
    """Newest first. A life-event counts from the check-in where it was first reported."""
    entries = []
    current_event, reported_at = None, None
    for measurement in sorted(measurements, key=lambda m: (m.completed_at, m.id)):
        if measurement.life_event and measurement.life_event != "geen" and measurement.life_event != current_event:
            current_event, reported_at = measurement.life_event, measurement.completed_at
        weeks = (measurement.completed_at - reported_at).days // 7 if reported_at else None
        entries.append(Entry(measurement, current_event, weeks))
    return list(reversed(entries))
