"""A web worker leaves out what only `flask` commands and rare pages need (issue 18, memory)."""

import json
import os
import subprocess
import sys

# Each weighs 2-14 MB in every worker; they are imported where they are used.
LEFT_OUT = ("alembic", "flask_migrate", "webauthn", "icalendar", "pywebpush", "py_vapid", "typst")


def _loaded_after_create_app(env: dict) -> dict:
    code = ("import json, sys; from webapp import create_app; create_app({'SECRET_KEY': 'x' * 32}); "
            f"print(json.dumps({{m: m in sys.modules for m in {LEFT_OUT!r}}}))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_gunicorn_worker_loads_no_migration_tool_passkey_push_calendar_or_pdf_library():
    assert _loaded_after_create_app({"VEERKRACHT_WEB_WORKER": "1"}) == dict.fromkeys(LEFT_OUT, False)


def test_flask_commands_still_get_the_migrations():
    env = {key: value for key, value in os.environ.items() if key != "VEERKRACHT_WEB_WORKER"}
    loaded = _loaded_after_create_app(env | {"VEERKRACHT_WEB_WORKER": ""})
    assert loaded["flask_migrate"] and loaded["alembic"]


def test_gunicorn_config_marks_the_process_as_a_web_worker():
    """gunicorn reads gunicorn.conf.py before it loads the app (also with --preload)."""
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gunicorn.conf.py")
    code = f"import os, runpy; runpy.run_path({config!r}); print(os.environ['VEERKRACHT_WEB_WORKER'])"
    env = {key: value for key, value in os.environ.items() if key != "VEERKRACHT_WEB_WORKER"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
