"""Issue 19: every page every role can reach, with the demo data, is checked by axe-core and by the
W3C HTML checker (vnu), and fits a phone's width.

For each role the test logs in as a person would and follows the links from the start page
(breadth first, GET only, this site only), one page per route: /coach/bewoner/<a>/... and
/coach/bewoner/<b>/... count once. Every page must answer 200, pass axe-core with no violation in
the browser (after the page's own scripts ran) and pass vnu with no HTML error (the HTML as the
server sent it), and at 390, 768 and 1024 pixels wide nothing may stick out: not the page, and
no table that scrolls sideways inside its box (anyone may open any page on a phone or a tablet).
All failures are reported together at the end.
"""

import re
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import staff_log_in
from tests.e2e.test_checkin_browser import PHONE, sideways_overflow
from tests.e2e.vnu import validate, vnu_jar
from webapp import demo

pytestmark = pytest.mark.e2e

TABLET = {"width": 1024, "height": 768}
MAX_PAGES = 60  # per role; the demo has fewer routes than this
# Not pages: files to download, the chart images, and what leaves the site.
NOT_A_PAGE = re.compile(r"\.(pdf|json|ics|csv|svg|png|txt|xml)$|^/static/|^/metrics")
# An id in a path: a resident number, a public id, a check-in id (letters and digits, 6 or more).
ID_SEGMENT = re.compile(r"^(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{6,}$")


def route_of(url: str) -> str:
    """The route a URL stands for: ids replaced by *, query values dropped (their keys kept)."""
    parts = urlsplit(url)
    path = "/".join("*" if ID_SEGMENT.match(segment) else segment for segment in parts.path.split("/"))
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


@pytest.fixture
def demo_world(app):
    with app.app_context():
        demo.seed_demo()
        from webapp.core.extensions import db

        db.session.commit()


# Boxes that scroll sideways on their own (a table in .table-wrap): the page fits, the table does not.
SCROLLING_BOXES = """() => [...document.querySelectorAll('.table-wrap')]
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => (box.querySelector('caption') || box).textContent.trim().slice(0, 60))"""


# A phone, and a tablet held upright and on its side (a coach's home visit).
NARROW_SCREENS = (PHONE["width"], 768, 1024)


def too_wide(page) -> list[str]:
    """What does not fit a phone's or a tablet's width on this page: the page itself, or a table in
    its box."""
    viewport, problems = page.viewport_size, []
    try:
        for width in NARROW_SCREENS:
            overflow = sideways_overflow(page, width)
            problems += [f"at {width}px: page: {overflow}"] if overflow else []
            problems += [f"at {width}px: table scrolls sideways: {name}" for name in page.evaluate(SCROLLING_BOXES)]
        return problems
    finally:
        page.set_viewport_size(viewport)


def crawl(page, live_server: str, role: str, html_dir: Path) -> tuple[list[str], list[Path], list[str]]:
    """Visit every route this logged-in page can reach by links: (routes seen, saved HTML, failures)."""
    axe = Axe()
    start = page.url if page.url.startswith(live_server) else live_server + "/"
    queue, seen_routes, failures, saved = deque([start]), {}, [], []
    while queue and len(seen_routes) < MAX_PAGES:
        url = queue.popleft()
        route = route_of(url)
        if route in seen_routes:
            continue
        seen_routes[route] = url
        response = page.goto(url)
        if response is None or response.status != 200:
            failures.append(f"{role} {url}: status {response.status if response else 'none'}")
            continue
        if urlsplit(page.url).path.startswith("/inloggen") and role != "anonymous":
            failures.append(f"{role} {url}: sent to the login page")
            continue
        results = axe.run(page)
        if results.violations_count:
            failures.append(f"{role} {url}: axe-core\n{results.generate_report()}")
        failures += [f"{role} {url} {problem}" for problem in too_wide(page)]
        served = page.request.get(url)
        if served.headers.get("content-type", "").startswith("text/html"):
            path = html_dir / f"{role}-{len(saved):03d}.html"
            path.write_text(served.text(), encoding="utf-8")
            saved.append(path)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = href.split("#")[0]
            if not href.startswith(live_server):
                continue
            path_only = urlsplit(href).path
            if NOT_A_PAGE.search(path_only) or route_of(href) in seen_routes:
                continue
            queue.append(href)
    return list(seen_routes), saved, failures


ROLES = [
    # role, username (None: not logged in), staff (password + code), viewport
    ("anonymous", None, False, PHONE),
    ("bewoner", "anna", False, PHONE),
    ("coach", "marieke", True, TABLET),
    ("beheerder", "beheer", True, TABLET),
    ("verwijzer", "dokter", True, TABLET),
]


def test_every_page_of_every_role_passes_axe_and_vnu(new_page, live_server, demo_world, tmp_path):
    jar, why = vnu_jar()
    if jar is None:
        import os

        if os.environ.get("CI"):
            pytest.fail(f"vnu is needed in CI: {why}")
        pytest.skip(why)
    # The checker itself works: a page with a repeated id and a stray end tag fails.
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="nl"><title>x</title><p id="a">1</p><p id="a">2</div>')
    assert len(validate(jar, [broken])) >= 2
    all_failures, all_saved, report = [], [], []
    for role, username, staff, viewport in ROLES:
        page = new_page(viewport=viewport)
        if username and staff:
            staff_log_in(page, username, demo.DEMO_PASSWORD, demo.DEMO_TOTP_SECRET)
        elif username:
            page.goto("/inloggen")
            page.get_by_label("Gebruikersnaam", exact=True).fill(username)
            page.get_by_label("Wachtwoord", exact=True).fill(demo.DEMO_PASSWORD)
            page.get_by_role("button", name="Inloggen", exact=True).click()
            page.wait_for_url(lambda url: "/inloggen" not in url)
        else:
            page.goto("/")
        routes, saved, failures = crawl(page, live_server, role, tmp_path)
        report.append(f"{role}: {len(routes)} routes")
        all_saved += saved
        all_failures += failures
    # The crawl reached the pages that matter for each role (a broken menu would hide them).
    assert sum(int(line.split(": ")[1].split()[0]) for line in report) >= 40, report
    for error in validate(jar, all_saved):
        all_failures.append(f"vnu {Path(error['url']).name} line {error['line']}: {error['message']} "
                            f"[{error['extract']}]")
    print("\n".join(report), f"\nvnu checked {len(all_saved)} pages")
    assert not all_failures, "\n".join(report + all_failures)
