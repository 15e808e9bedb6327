"""Caching and transfer headers: charts by ETag, compression, fingerprinted static files (issue 18)."""

from sqlalchemy import func, select

from tests.conftest import all_answers
from tests.test_request_path import Statements
from webapp.core.extensions import db
from webapp.core.models import AuditEvent


def _chart_views(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "chart.view"))


def _two_checkins(make_resident, make_checkin, kort_items, client, login_as):
    resident = make_resident()
    login_as(client, resident["user"])
    before = make_checkin(resident["resident"], all_answers(kort_items, 5), days_ago=30)
    now = make_checkin(resident["resident"], all_answers(kort_items, 7))
    return resident, f"/grafiek/{now}.svg?vs={before}"


def test_a_chart_is_cached_privately_with_an_etag_and_304_is_still_audited(
        app, client, make_resident, make_checkin, kort_items, login_as):
    _resident, url = _two_checkins(make_resident, make_checkin, kort_items, client, login_as)
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "image/svg+xml"
    cache = first.headers["Cache-Control"]
    assert "private" in cache and "no-store" not in cache and int(cache.split("max-age=")[1]) >= 86400
    etag = first.headers["ETag"]
    assert etag
    before = _chart_views(app)
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert _chart_views(app) == before + 2  # the chart and the one it is compared with


def test_a_cached_chart_is_served_without_reading_answers(
        app, client, make_resident, make_checkin, kort_items, login_as):
    _resident, url = _two_checkins(make_resident, make_checkin, kort_items, client, login_as)
    assert client.get(url).status_code == 200  # drawn and stored
    with Statements(app) as sql:
        assert client.get(url).status_code == 200
    assert not sql.touching("answer"), sql.sent
    # The user with its LoginSession; then the check-ins, their resident and the stored chart together.
    selects = [s for s in sql.sent if s.startswith("SELECT")]
    assert len(selects) == 2 and "chart_image" in selects[1], sql.sent


def test_a_chart_in_another_language_has_another_etag(app, client, make_resident, make_checkin, kort_items, login_as):
    _resident, url = _two_checkins(make_resident, make_checkin, kort_items, client, login_as)
    dutch = client.get(url + "&lang=nl")
    english = client.get(url + "&lang=en")
    assert dutch.headers["ETag"] != english.headers["ETag"]
    assert "Lichaam" in dutch.get_data(as_text=True) and "Body" in english.get_data(as_text=True)


def test_a_deploy_that_changes_the_drawing_code_gives_every_chart_a_new_etag(
        app, client, make_resident, make_checkin, kort_items, login_as, monkeypatch, tmp_path):
    """No hand-kept version number: the drawing and scoring code and matplotlib are in the key."""
    from webapp.results import service

    _resident, url = _two_checkins(make_resident, make_checkin, kort_items, client, login_as)
    before = client.get(url).headers["ETag"]
    code = tmp_path / "charts.py"
    for changed in ("# drawn one way\n", "# drawn another way\n"):
        code.write_text(changed)
        monkeypatch.setattr(service, "DRAWN_BY", (code, *service.DRAWN_BY[1:]))
        app.extensions.pop("veerkracht_chart_version", None)  # a new process after the deploy
        after = client.get(url)
        assert after.status_code == 200 and after.headers["ETag"] not in (before, None)
        before = after.headers["ETag"]
    monkeypatch.setattr(service.matplotlib, "__version__", "0.0-other")
    app.extensions.pop("veerkracht_chart_version", None)
    assert client.get(url).headers["ETag"] != before
    app.extensions.pop("veerkracht_chart_version", None)  # the next test starts from the real code


def test_a_chart_of_someone_else_is_not_found_even_with_an_etag(
        app, client, make_resident, make_checkin, kort_items, login_as):
    _resident, url = _two_checkins(make_resident, make_checkin, kort_items, client, login_as)
    etag = client.get(url).headers["ETag"]
    stranger = make_resident("vreemde")
    other = app.test_client()
    login_as(other, stranger["user"])
    assert other.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_pages_styles_scripts_and_charts_are_compressed(app, client, make_resident, make_checkin, kort_items,
                                                        login_as):
    import gzip

    page = client.get("/inloggen", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    assert b"<html" in gzip.decompress(page.data)
    for asset in ("app.css", "app.js"):
        response = client.get(f"/static/{asset}", headers={"Accept-Encoding": "br, gzip"})
        assert response.headers.get("Content-Encoding") in ("br", "gzip"), asset
    _resident, url = _two_checkins(make_resident, make_checkin, kort_items, client, login_as)
    chart = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert chart.headers["Content-Encoding"] == "gzip" and gzip.decompress(chart.data).startswith(b"<?xml")
    # The compressed chart's ETag still gives a 304.
    assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": chart.headers["ETag"]}
                      ).status_code == 304
    assert "Content-Encoding" not in client.get("/inloggen", headers={"Accept-Encoding": "identity"}).headers


def test_static_files_are_linked_with_a_content_hash_and_kept_a_year(app, client):
    import hashlib
    import re
    from pathlib import Path

    html = client.get("/inloggen").get_data(as_text=True)
    link = re.search(r'href="(/static/app\.css\?v=([0-9a-f]+))"', html)
    assert link, "the stylesheet is linked without a content hash"
    content = (Path(app.static_folder) / "app.css").read_bytes()
    assert hashlib.sha256(content).hexdigest().startswith(link.group(2))
    hashed = client.get(link.group(1))
    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    old = client.get("/static/app.css")  # an old, unhashed link still works, revalidated
    assert old.status_code == 200 and old.data == content and "immutable" not in old.headers.get("Cache-Control", "")
    stale = client.get("/static/app.css?v=000000000000")  # a hash from an earlier deploy
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")


def test_logging_out_drops_the_cached_charts_from_the_browser(client, make_resident, login_as):
    """Charts are cached privately for a year; on a shared tablet the next person must not find them."""
    person = make_resident()
    login_as(client, person["user"])
    response = client.post_form("/uitloggen")
    assert response.status_code == 302 and '"cache"' in response.headers["Clear-Site-Data"].split(", ")
    login_as(client, person["user"])
    assert '"cache"' in client.post_form("/overal-uitloggen").headers["Clear-Site-Data"].split(", ")


def test_a_charts_and_a_hashed_static_files_compressed_body_is_made_once_per_worker(
        app, client, make_resident, make_checkin, kort_items, login_as, monkeypatch):
    import gzip
    import re
    from pathlib import Path

    import flask_compress.flask_compress as flask_compress

    made = []
    real = flask_compress._compress_data
    monkeypatch.setattr(flask_compress, "_compress_data", lambda app_, data, algorithm: made.append(len(data))
                        or real(app_, data, algorithm))
    _resident, url = _two_checkins(make_resident, make_checkin, kort_items, client, login_as)
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    again = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == again.status_code == 200 and again.data == first.data
    assert gzip.decompress(again.data).startswith(b"<?xml")
    assert len(made) == 1, "the kept compressed chart is sent the second time"
    # The same chart in another language is another body, compressed on its own.
    assert client.get(url + "&lang=en", headers={"Accept-Encoding": "gzip"}).status_code == 200 and len(made) == 2
    # Someone who may not see the chart gets no kept body: their request is refused first.
    stranger = app.test_client()
    login_as(stranger, make_resident("vreemde")["user"])
    assert stranger.get(url, headers={"Accept-Encoding": "gzip"}).status_code == 404
    # A static file linked with its content hash is compressed once; pages every time.
    hashed = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', client.get("/").get_data(as_text=True)).group(1)
    made.clear()
    for _ in range(2):
        assert client.get(hashed, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
        assert client.get("/uitleg", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    assert len(made) == 3  # the stylesheet once, the page twice
    # A part of the file (a range) is never kept under the whole file's name.
    part = client.get(hashed, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100
    part.close()  # a range is sent as it is read from the file, as a server would
    whole = client.get(hashed, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(whole.data) == (Path(app.static_folder) / "app.css").read_bytes()


def test_kept_bodies_keep_only_named_ones_and_stay_within_their_limit():
    from webapp.core.assets import KeptBodies

    kept = KeptBodies(limit=10)
    kept.set("br;", b"a page")  # no name: never kept
    assert kept.get("br;") is None and kept.size == 0
    kept.set("br;chart:a", b"12345")
    kept.set("br;chart:b", b"12345")
    assert kept.get("br;chart:a") == b"12345"  # a is now the most recently used
    kept.set("br;chart:c", b"12345")
    assert kept.get("br;chart:b") is None and kept.get("br;chart:a") == b"12345" and kept.size == 10
    kept.set("br;chart:huge", b"x" * 11)
    assert kept.get("br;chart:huge") is None and kept.size == 10
