"""Real-browser fixtures: the app on a live HTTP server, driven by Debian's chromium via Playwright."""

import os
import re
import shutil
import sys
import threading
import traceback
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
E2E_DIR = Path(__file__).parent
ARTIFACTS = E2E_DIR.parent.parent / "test-artifacts"  # gitignored; screenshots for humans


def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e is an e2e test (`pytest -m "not e2e"` leaves them out)."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, add where each of the live server's request threads is: a request
    that never answered (waiting for a database lock, say) then shows in the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and E2E_DIR in item.path.parents:
        frames = sys._current_frames()
        stacks = [f"--- {thread.name}\n" + "".join(traceback.format_stack(frames[thread.ident]))
                  for thread in threading.enumerate()
                  if thread.ident in frames and thread is not threading.current_thread()
                  and thread.name.startswith(("live-server", "Thread-"))]
        if stacks:
            report.sections.append(("live server threads", "\n".join(stacks)))


def _no_browser(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; browser tests must not be skipped in CI", pytrace=False)
    pytest.skip(reason)


def _closing(app):
    """Close the app's response even when Werkzeug's server does not.

    When the browser drops a connection mid-response (it often cancels an icon or a prefetch),
    Werkzeug's server raises while draining the socket and skips the response's close(): the
    open static file would be reported as a ResourceWarning in whichever test runs next. The
    body is passed on as a generator, which closes the response when it is closed or collected.
    """
    def wsgi(environ, start_response):
        result = app(environ, start_response)

        def body():
            try:
                yield from result
            finally:
                if hasattr(result, "close"):
                    result.close()
        return body()
    return wsgi


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the test app over real HTTP on a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _no_browser("Debian chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the playwright Python package is not installed (pip install -e '.[dev]')")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser, live_server, app):
    """Open pages in fresh browser contexts (own cookies); all are closed after the test.

    Requesting `app` here makes the root conftest empty the database after each browser test.
    """
    contexts = []

    def open_page(**context_options):
        options = {"locale": "nl-NL", "base_url": live_server, **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def resident(make_resident):
    """A resident with a login (password: tests.conftest.PASSWORD)."""
    return make_resident()


def staff_log_in(page, username: str, password: str, secret: str | None = None) -> None:
    """Log a coach or beheerder in as they would: password, then the code from their app.

    A staff member without an app yet sets it up on the way (the key is read off the page, as a
    person would type it into the app); one made by make_staff has the test app already.
    """
    import pyotp
    from playwright.sync_api import expect

    from tests.conftest import STAFF_TOTP_SECRET

    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Tweede stap( instellen)?$"))
    if page.get_by_role("heading", name="Tweede stap instellen", level=1).count():
        secret = "".join(page.locator("strong.code").inner_text().split())
        page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Instellen en inloggen").click()
        expect(page.get_by_role("heading", name="Uw herstelcodes", level=1)).to_be_visible()
        page.get_by_role("link", name="Verder").click()
    else:
        page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret or STAFF_TOTP_SECRET).now())
        page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def printed_code(page, button: str, screenshot) -> str:
    """Press the button that prints a one-time code; check the sheet (axe-clean) and return the code."""
    from tests.e2e.test_checkin_browser import assert_no_axe_violations

    page.get_by_role("button", name=button).click()
    code = page.locator("strong.code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert_no_axe_violations(page)
    page.screenshot(path=screenshot, full_page=True)
    return code


def open_menu(page) -> None:
    """On a phone the header's links and "Uitloggen" sit behind "Menu": open it (once). Call it once
    the page a click led to is shown, or it may open the menu of the page being left."""
    page.wait_for_load_state()
    summary = page.locator("details.menu > summary")
    if summary.is_visible() and page.locator("details.menu[open]").count() == 0:
        summary.click()


def menu_link(page, name: str):
    """A link in the header's menu, opening the menu first on a phone."""
    open_menu(page)
    return page.get_by_role("link", name=name, exact=True)


def log_out(page) -> None:
    """Log out and wait until the server said so (the offline script first wipes this device's store)."""
    from playwright.sync_api import expect

    open_menu(page)
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("status").filter(has_text="uitgelogd")).to_be_visible()


def press_next(page, tap: bool = False) -> None:
    """Press "Volgende" and wait for the next page (its address differs), so that what the test
    looks up next is on that page and not on the one still on screen."""
    before = page.url
    button = page.get_by_role("button", name="Volgende")
    button.tap() if tap else button.click()
    page.wait_for_url(lambda url: url != before)
