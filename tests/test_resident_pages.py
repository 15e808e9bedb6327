"""What a resident reads on her own pages: found by using the app as a resident would."""

import io
import re

from pypdf import PdfReader

from tests.conftest import all_answers


def test_the_resident_reads_the_life_event_in_the_sentence_she_chose_and_staff_the_short_name(
        client, make_resident, login_as, make_checkin, kort_items, make_staff):
    """She tapped "Ik zorg nu voor iemand die ziek is ..." and her result said "Mantelzorger
    geworden", a word she may not use of herself, on every page and in both PDFs."""
    owner = make_resident()
    checkin = make_checkin(owner["resident"], all_answers(kort_items, 5), life_event="mantelzorger")
    chosen = "Ik zorg nu voor iemand die ziek is of hulp nodig heeft"
    login_as(client, owner["user"])
    pages = [client.get(url).get_data(as_text=True) for url in (f"/uitslag/{checkin}", "/geschiedenis")]
    pdfs = ["".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(url).data)).pages)
            for url in (f"/uitslag/{checkin}/samenvatting.pdf", "/account/mijn-gegevens.pdf")]
    for text in pages + [" ".join(pdf.split()) for pdf in pdfs]:
        assert chosen in text and "Mantelzorger geworden" not in text
    login_as(client, make_staff(name="W", share_with=(owner["resident"],))["user"])
    staff = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert "Gebeurtenis: Mantelzorger geworden." in staff and chosen not in staff


def test_a_resident_without_a_coach_is_offered_the_summary_to_print_too(
        client, make_resident, login_as, make_checkin, kort_items):
    # Found using the app: the button stood only in the card about the coach, so she never saw it.
    owner = make_resident()
    checkin = make_checkin(owner["resident"], all_answers(kort_items, 5))
    login_as(client, owner["user"])
    page = client.get(f"/uitslag/{checkin}").get_data(as_text=True)
    assert page.count(f"/uitslag/{checkin}/samenvatting.pdf") == 1
    assert client.get(f"/uitslag/{checkin}/samenvatting.pdf").status_code == 200


def test_history_says_a_lower_score_is_fine_only_when_a_score_went_down(
        client, make_resident, login_as, make_checkin, kort_items):
    owner = make_resident()
    make_checkin(owner["resident"], all_answers(kort_items, 5), days_ago=30)
    make_checkin(owner["resident"], all_answers(kort_items, 7))
    login_as(client, owner["user"])
    comfort = "Een lager cijfer is niet erg."
    assert "beter" in client.get("/geschiedenis").get_data(as_text=True)
    assert comfort not in client.get("/geschiedenis").get_data(as_text=True)  # everything went up
    make_checkin(owner["resident"], all_answers(kort_items, 4))
    assert comfort in client.get("/geschiedenis").get_data(as_text=True)


def test_a_new_resident_is_not_told_of_a_next_check_in_before_the_first(client, make_resident, login_as,
                                                                       make_checkin, kort_items):
    owner = make_resident()
    login_as(client, owner["user"])
    assert "Uw volgende check-in" not in client.get("/").get_data(as_text=True)  # the first one is this page's
    make_checkin(owner["resident"], all_answers(kort_items, 5))
    assert "Uw volgende check-in" in client.get("/").get_data(as_text=True)


def test_two_check_ins_of_one_day_are_told_apart_by_their_time(client, make_resident, login_as, make_checkin,
                                                                kort_items):
    owner = make_resident()
    older = make_checkin(owner["resident"], all_answers(kort_items, 5))
    newer = make_checkin(owner["resident"], all_answers(kort_items, 7))
    login_as(client, owner["user"])
    page = client.get(f"/geschiedenis/vergelijken?a={older}&b={newer}").get_data(as_text=True)
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page, re.S).group(1)
    assert re.search(r"De blauwe lijn is \d+ \w+ \d{4}, \d{1,2}:\d\d\. De oranje stippellijn is \d+ \w+ \d{4}, "
                     r"\d{1,2}:\d\d\.", " ".join(caption.split())), caption


def test_the_account_page_leads_to_the_next_check_in_and_reminders(client, make_resident, login_as):
    # Found using the app: reminders were only behind a link on the home page.
    login_as(client, make_resident()["user"])
    assert 'href="/volgende-check-in"' in client.get("/account").get_data(as_text=True)


def test_the_data_download_says_when_it_happened_and_who_else_looked(app, client, make_resident, login_as,
                                                                    make_checkin, kort_items, make_staff):
    # Found using the app: 6 pages for 2 check-ins, mostly "bekeken · uzelf", and the month she gave
    # for the life-event was missing.
    from datetime import date

    from sqlalchemy import select

    from webapp.core.extensions import db
    from webapp.core.models import Checkin

    owner = make_resident()
    checkin = make_checkin(owner["resident"], all_answers(kort_items, 5), life_event="verhuizing")
    with app.app_context():
        db.session.scalar(select(Checkin).where(Checkin.public_id == checkin)).life_event_on = date(2026, 10, 1)
        db.session.commit()
    coach = make_staff(name="Coach Kijkt", share_with=(owner["resident"],))
    login_as(client, coach["user"])
    client.get(f"/uitslag/{checkin}")
    login_as(client, owner["user"])
    for _ in range(5):
        client.get(f"/uitslag/{checkin}")
    pdf = client.get("/account/mijn-gegevens.pdf").data
    text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "oktober 2026" in text
    assert "welzijnscoach" in text and "· uzelf" not in text and "Wat u zelf deed" in text
