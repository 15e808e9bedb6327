"""The .ics file a resident adds to their phone's calendar: one all-day event with an alarm.

Built with the icalendar package; plain values in, bytes out. No health data: only the words
"Het is tijd voor uw Veerkracht check-in" and a link.
"""

import hashlib
from datetime import date, datetime, timedelta

ALARM_AT = timedelta(hours=9)  # 09:00 on the day (the all-day event starts at midnight)


def reminder_ics(on: date, title: str, text: str, link: str, key: str, now: datetime) -> bytes:
    """One event on `on` with a display alarm at nine; `key` makes the UID stable per resident and date,
    so adding a new file for the same date replaces the old one (the UID is a hash, never an id)."""
    from icalendar import Alarm, Calendar, Event  # here, not at start: only this download needs it

    cal = Calendar()
    cal.add("prodid", "-//Veerkracht//herinnering//NL")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", hashlib.sha256(f"{key}:{on.isoformat()}".encode()).hexdigest()[:32] + "@veerkracht")
    event.add("dtstamp", now)
    event.add("dtstart", on)
    event.add("dtend", on + timedelta(days=1))
    event.add("summary", title)
    event.add("description", f"{text}\n{link}")
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", ALARM_AT)
    event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical()
