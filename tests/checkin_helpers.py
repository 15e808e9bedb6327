"""Walk the check-in over HTTP, the way a browser without JavaScript does."""

from urllib.parse import urlsplit


def draft_id_from(location: str) -> str:
    return urlsplit(location).path.split("/")[2]


def start_checkin(client) -> str:
    response = client.post_form("/checkin/start")
    assert response.status_code == 302, response.status_code
    return draft_id_from(response.location)


def answer_steps(client, draft: str, kort_items: dict, scores: dict | None = None, default: int = 7,
                 talk: tuple = (), life_event: str = "verhuizing", upto: int = 6,
                 happened: tuple[int, int] | None = None) -> None:
    """`happened`: (month, year) the life-event happened; None answers "weet ik niet"."""
    token = client.csrf_token()
    event = {"life_event": life_event, "csrf_token": token}
    if happened:
        event.update(event_month=str(happened[0]), event_year=str(happened[1]))
    response = client.post_form(f"/checkin/{draft}/gebeurtenis", event)
    assert response.status_code == 302
    for step, items in enumerate(list(kort_items.values())[:upto], start=1):
        data = {"action": "next", "csrf_token": token}
        for item in items:
            value = (scores or {}).get(item, default)
            data[item] = "skip" if value is None else str(value)
            if item in talk:
                data[f"talk_{item}"] = "1"
        response = client.post_form(f"/checkin/{draft}/stap/{step}", data)
        assert response.status_code == 302, response.get_data(as_text=True)


def complete_checkin(client, kort_items: dict, **kwargs) -> str:
    """Do a whole check-in; return the check-in's public id."""
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items, **kwargs)
    response = client.post_form(f"/checkin/{draft}/versturen")
    assert response.status_code == 302
    return urlsplit(response.location).path.split("/")[-1]
