"""Offline home visits: the installable app, the visit bundle and the once-only upload (issue 13)."""
