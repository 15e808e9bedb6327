"""Which pages the resident may reach while holding the coach's tablet (pure logic)."""

# Reachable whatever the draft: files, the language switch (it leads back to the same page),
# the unlock page itself, and pages that do not exist (their 404 page shows no links either).
ALWAYS = frozenset({"static", "main.healthz", "main.set_language", "visits.unlock", "visits.unlock_options",
                    "visits.unlock_passkey", None})
# The check-in screens of the draft being handed over.
DRAFT_SCREENS = frozenset({"visits.handover", "checkin.resume", "checkin.life_event", "checkin.step",
                           "checkin.review", "checkin.submit"})
# After "Klaar": the result and its chart, only to look at (the conversation is the coach's part).
RESULT_SCREENS = frozenset({"results.result", "results.chart"})


def allowed_during_handover(endpoint: str | None, method: str, view_args: dict | None, draft_id: str,
                            checkin_id: str | None) -> bool:
    """Whether a request stays inside the handed-over check-in (else: to the coach's unlock page)."""
    args = view_args or {}
    if endpoint in ALWAYS:
        return True
    if endpoint in DRAFT_SCREENS:
        return args.get("draft_id") == draft_id
    if endpoint in RESULT_SCREENS:
        return checkin_id is not None and args.get("checkin_id") == checkin_id and method in ("GET", "HEAD")
    return False
