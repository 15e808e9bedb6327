"""Every route x every role: a new route without a rule here fails the suite."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.checkin_helpers import answer_steps, start_checkin
from tests.conftest import all_answers, empty_tables, form_item_ids, log_in, new_checkin, new_resident
from webapp.accounts import service as people
from webapp.core.extensions import db
from webapp.core.labels import Role
from webapp.core.models import Activity, Referral, Resident
from webapp.practices import service as practices
from webapp.wor import service as wor

ROLES_UNDER_TEST = ("anonymous", "owner", "other_resident", "coach_shared", "coach_other", "beheerder",
                    "verwijzer", "verwijzer_other")
LOGIN = "login"  # redirect to the login page
RESIDENT_ONLY = {"anonymous": LOGIN, "owner": 200, "other_resident": 200, "*": 403}
NOT_FOR_VERWIJZERS = {"verwijzer": 403, "verwijzer_other": 403}  # never a resident's page, referred or not
OWN_DRAFT = {"anonymous": LOGIN, "other_resident": 404, "coach_shared": 404, "coach_other": 404, "beheerder": 403,
             **NOT_FOR_VERWIJZERS}
SEEN_BY_SHARED_COACH = {"anonymous": LOGIN, "owner": 200, "coach_shared": 200, "other_resident": 404,
                        "coach_other": 404, "beheerder": 403, **NOT_FOR_VERWIJZERS}
COACHES = {"anonymous": LOGIN, "coach_shared": 200, "coach_other": 200, "*": 403}
# Welzijn op Recept: coach_other is the welzijnscoach who picked the world's referrals up; coach_shared is
# an ouderencoach; "verwijzer" made them, "verwijzer_other" works at another practice.
WELZIJNSCOACH = {"anonymous": LOGIN, "coach_other": 200, "*": 403}
VERWIJZERS = {"anonymous": LOGIN, "verwijzer": 200, "verwijzer_other": 200, "*": 403}

# endpoint -> (method, url template, {role: expected status}); "*" is every role not named.
MATRIX = {
    "main.home": ("GET", "/", {"*": 200}),
    "main.healthz": ("GET", "/healthz", {"*": 200}),
    "main.help_page": ("GET", "/uitleg", {"*": 200}),
    # The blank paper questionnaire holds no personal data: anyone may print it.
    "paper_form.blank": ("GET", "/vragenlijst-op-papier/eenvoudig.pdf", {"*": 200}),
    "main.set_language": ("POST", "/taal", {"*": 302}),
    "accounts.login": ("GET", "/inloggen", {"anonymous": 200, "*": 302}),
    "accounts.register": ("GET", "/registreren", {"anonymous": 200, "*": 302}),
    "accounts.activate": ("GET", "/activeren", {"anonymous": 200, "*": 302}),
    "accounts.logout": ("POST", "/uitloggen", {"anonymous": LOGIN, "*": 302}),
    "accounts.logout_everywhere": ("POST", "/overal-uitloggen", {"anonymous": LOGIN, "*": 302}),
    "accounts.reset_password": ("GET", "/wachtwoord-herstellen", {"anonymous": 200, "*": 302}),
    # Without a right password first there is no second step: back to the login page.
    "accounts.second_step": ("GET", "/inloggen/tweede-stap", {"anonymous": LOGIN, "*": 302}),
    "accounts.reset_second_factor": ("POST", "/beheer/medewerker/{staff}/tweede-stap-herstellen",
                                     {"anonymous": LOGIN, "beheerder": 302, "*": 403}),
    "accounts.staff_reset_code": ("POST", "/beheer/medewerker/{staff}/herstelcode",
                                  {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "accounts.change_password": ("GET", "/wachtwoord-wijzigen", {"anonymous": LOGIN, "*": 200}),
    "accounts.two_factor": ("GET", "/account/tweede-stap", RESIDENT_ONLY),
    # E-mail exists only with a mail server (none in this matrix; tests/test_email.py has one).
    "accounts.email": ("GET", "/account/e-mail", {**RESIDENT_ONLY, "owner": 404, "other_resident": 404}),
    "accounts.forgot_by_mail": ("GET", "/wachtwoord-vergeten/e-mail", {"*": 404}),
    "accounts.verify_email": ("GET", "/e-mail-bevestigen/geen-geldige-link", {"*": 400}),
    "accounts.reset_by_mail": ("GET", "/wachtwoord-herstellen/geen-geldige-link", {"*": 400}),
    "accounts.reset_code_by_coach": ("POST", "/coach/bewoner/{resident}/herstelcode", {**COACHES, "coach_other": 404}),
    "accounts.reset_code_by_number": ("GET", "/beheer/herstelcode", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "accounts.edit_staff": ("GET", "/beheer/medewerker/{staff}", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "accounts.move_residents": ("GET", "/beheer/medewerker/{staff}/bewoners-overdragen",
                                {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "accounts.block_staff": ("POST", "/beheer/medewerker/{staff}/blokkeren",
                             {"anonymous": LOGIN, "beheerder": 302, "*": 403}),
    "accounts.unblock_staff": ("POST", "/beheer/medewerker/{staff}/deblokkeren",
                               {"anonymous": LOGIN, "beheerder": 302, "*": 403}),
    "checkin.start": ("POST", "/checkin/start", {**RESIDENT_ONLY, "owner": 302, "other_resident": 302}),
    "checkin.resume": ("GET", "/checkin/{draft}", {**OWN_DRAFT, "owner": 302}),
    "checkin.life_event": ("GET", "/checkin/{draft}/gebeurtenis", {**OWN_DRAFT, "owner": 200}),
    "checkin.step": ("GET", "/checkin/{draft}/stap/1", {**OWN_DRAFT, "owner": 200}),
    "checkin.review": ("GET", "/checkin/{draft}/klaar", {**OWN_DRAFT, "owner": 200}),
    "checkin.submit": ("POST", "/checkin/{draft}/versturen", {**OWN_DRAFT, "owner": 302}),
    "checkin.discard": ("POST", "/checkin/{draft}/weggooien", {**OWN_DRAFT, "owner": 302}),
    "checkin.confirm_discard": ("GET", "/checkin/{draft}/opnieuw-beginnen", {**OWN_DRAFT, "owner": 200}),
    "results.result": ("GET", "/uitslag/{checkin}", SEEN_BY_SHARED_COACH),
    "results.summary_pdf": ("GET", "/uitslag/{checkin}/samenvatting.pdf", SEEN_BY_SHARED_COACH),
    "visits.handover": ("GET", "/checkin/{draft}/overdragen",
                         {"anonymous": LOGIN, "coach_shared": 404, "coach_other": 404, "*": 403}),
    # Without a hand-over in progress there is nothing to unlock: on to the caseload.
    "visits.unlock": ("GET", "/overdracht/terug", {**COACHES, "coach_shared": 302, "coach_other": 302}),
    "visits.unlock_options": ("POST", "/overdracht/terug/inlogsleutel/opties", COACHES),
    "visits.unlock_passkey": ("POST", "/overdracht/terug/inlogsleutel",
                              {**COACHES, "coach_shared": 400, "coach_other": 400}),
    "results.history": ("GET", "/geschiedenis", RESIDENT_ONLY),
    "results.compare": ("GET", "/geschiedenis/vergelijken?a={checkin}&b={earlier}", SEEN_BY_SHARED_COACH),
    "results.chart": ("GET", "/grafiek/{checkin}.svg?vs={earlier}", SEEN_BY_SHARED_COACH),
    "accounts.account": ("GET", "/account", RESIDENT_ONLY),
    "accounts.share": ("POST", "/account/delen", {**RESIDENT_ONLY, "owner": 400, "other_resident": 400}),
    "accounts.stop_sharing": ("POST", "/account/delen/{relation}/stoppen",
                             {**RESIDENT_ONLY, "owner": 302, "other_resident": 404}),
    "rights.access_log": ("GET", "/account/inzage", RESIDENT_ONLY),
    "accounts.set_wijk": ("POST", "/account/wijk", {**RESIDENT_ONLY, "owner": 302, "other_resident": 302}),
    "rights.download": ("GET", "/account/mijn-gegevens.json", RESIDENT_ONLY),
    "rights.download_pdf": ("GET", "/account/mijn-gegevens.pdf", RESIDENT_ONLY),
    "rights.delete_account": ("GET", "/account/verwijderen", RESIDENT_ONLY),
    "caseload.home": ("GET", "/coach", COACHES),
    "accounts.enrol": ("GET", "/coach/inschrijven", COACHES),
    "caseload.referrals": ("GET", "/coach/verwijzingen", COACHES),
    "caseload.resident": ("GET", "/coach/bewoner/{resident}", {**COACHES, "coach_other": 404}),
    "caseload.progress_chart": ("GET", "/coach/bewoner/{resident}/verloop.svg", {**COACHES, "coach_other": 404}),
    "visits.start": ("POST", "/coach/bewoner/{resident}/samen", {**COACHES, "coach_shared": 302, "coach_other": 404}),
    # Without a check-in together open on another device, "opnieuw beginnen" leads back to the resident.
    "visits.restart": ("GET", "/coach/bewoner/{resident}/samen/opnieuw",
                       {**COACHES, "coach_shared": 302, "coach_other": 404}),
    "accounts.activation_code": ("POST", "/coach/bewoner/{enrolled}/activatiecode", {**COACHES, "coach_other": 404}),
    "fhir.bundle": ("GET", "/coach/bewoner/{resident}/fhir.json", {**COACHES, "coach_other": 404}),
    "fhir.transaction": ("GET", "/coach/bewoner/{resident}/fhir-transactie.json", {**COACHES, "coach_other": 404}),
    "rights.erase_by_coach": ("GET", "/coach/bewoner/{enrolled}/verwijderen", {**COACHES, "coach_other": 404}),
    "accounts.close": ("POST", "/coach/bewoner/{resident}/afsluiten",
                    {**COACHES, "coach_shared": 302, "coach_other": 404}),
    "accounts.close_confirm": ("GET", "/coach/bewoner/{resident}/afsluiten", {**COACHES, "coach_other": 404}),
    "accounts.closed": ("GET", "/coach/afgesloten", COACHES),
    # Only the coach of the relation (here still open: nothing to undo, back to the list); others: no probing.
    "accounts.reopen": ("POST", "/coach/afgesloten/{relation}/terugzetten",
                        {**COACHES, "coach_shared": 302, "coach_other": 404}),
    "sociale_kaart.admin_list": ("GET", "/beheer/activiteiten", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "sociale_kaart.admin_import": ("POST", "/beheer/activiteiten/import",
                                {"anonymous": LOGIN, "beheerder": 400, "*": 403}),
    "sociale_kaart.admin_export": ("GET", "/beheer/activiteiten/export.csv",
                                {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "sociale_kaart.admin_new": ("GET", "/beheer/activiteiten/nieuw", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "sociale_kaart.admin_verified": ("POST", "/beheer/activiteiten/{activity}/gecontroleerd",
                                     {"anonymous": LOGIN, "beheerder": 302, "*": 403}),
    "sociale_kaart.admin_edit": ("GET", "/beheer/activiteiten/{activity}",
                                 {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "sociale_kaart.index": ("GET", "/wat-is-er-te-doen", {"*": 200}),
    "sociale_kaart.detail": ("GET", "/wat-is-er-te-doen/{activity}", {"*": 200}),
    "referrals.try_activity": ("POST", "/uitslag/{checkin}/proberen/{activity}",
                             {**SEEN_BY_SHARED_COACH, "owner": 302, "coach_shared": 302}),
    "referrals.status": ("POST", "/verwijzing/{referral}/status",
                                {**SEEN_BY_SHARED_COACH, "owner": 302, "coach_shared": 302}),
    "sociale_kaart.suggestions": ("GET", "/uitslag/{checkin}/suggesties", SEEN_BY_SHARED_COACH),
    "accounts.staff": ("GET", "/beheer", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "rights.erase_by_number": ("GET", "/beheer/bewoner-verwijderen", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "impact.page": ("GET", "/beheer/impact", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "impact.csv": ("GET", "/beheer/impact.csv", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    # No release of the figures in this world: the beheerder gets 404 (tests/test_impact.py serves one).
    "impact.chart": ("GET", "/beheer/impact/grafiek/verandering.svg?lang=nl&versie=onbekend",
                     {"anonymous": LOGIN, "beheerder": 404, "*": 403}),
    "passkeys.manage": ("GET", "/inlogsleutels", {"anonymous": LOGIN, "*": 200}),
    # Without the password the options are refused (400); the answer without options is refused too.
    "passkeys.add_options": ("POST", "/inlogsleutels/opties", {"anonymous": LOGIN, "*": 400}),
    "passkeys.add": ("POST", "/inlogsleutels/toevoegen", {"anonymous": LOGIN, "*": 400}),
    "passkeys.remove": ("POST", "/inlogsleutels/onbekend/verwijderen", {"anonymous": LOGIN, "*": 404}),
    "passkeys.login_options": ("POST", "/inloggen/inlogsleutel/opties", {"anonymous": 200, "*": 409}),
    "passkeys.login": ("POST", "/inloggen/inlogsleutel", {"anonymous": 400, "*": 409}),
    "accounts.new_staff": ("GET", "/beheer/medewerker-nieuw", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "reminders.next_checkin": ("GET", "/volgende-check-in", RESIDENT_ONLY),
    # Without a choice the form is refused (400); e-mail without a verified address too.
    "reminders.reminder": ("POST", "/volgende-check-in/herinnering", {**RESIDENT_ONLY, "owner": 400,
                                                                      "other_resident": 400}),
    "reminders.calendar": ("GET", "/volgende-check-in.ics", RESIDENT_ONLY),
    # Web push: a post without a subscription is refused (400); "uit" without a phone switches all of the
    # resident's own phones off (tests/test_push.py posts real subscriptions for every role).
    "reminders.push_on": ("POST", "/volgende-check-in/meldingen", {**RESIDENT_ONLY, "owner": 400,
                                                                   "other_resident": 400}),
    "reminders.push_off": ("POST", "/volgende-check-in/meldingen/uit", {**RESIDENT_ONLY, "owner": 302,
                                                                        "other_resident": 302}),
    # The "a week later" link in a reminder mail: the signed link is the permission (tests/test_reminder_job.py).
    "reminders.snooze": ("GET", "/herinnering/later/geen-geldige-link", {"*": 400}),
    # The call list: only a coach who follows the resident (an empty form: "gebeld" without a note,
    # and an empty number, which clears it).
    "reminders.called": ("POST", "/coach/bewoner/{resident}/gebeld", {**COACHES, "coach_shared": 302,
                                                                      "coach_other": 404}),
    # The coach's choice of form for a resident (an empty choice: the usual form).
    "visits.preferred_form": ("POST", "/coach/bewoner/{resident}/vragenlijst", {**COACHES, "coach_shared": 302,
                                                                                "coach_other": 404}),
    # Answers typed in from the paper questionnaire (issue 17): only a coach who follows the resident; an
    # empty form is refused with a message and stores nothing (tests/test_paper_entry.py).
    "paper_entry.enter": ("GET", "/coach/bewoner/{resident}/papier", {**COACHES, "coach_other": 404}),
    "paper_entry.save": ("POST", "/coach/bewoner/{resident}/papier", {**COACHES, "coach_shared": 400,
                                                                       "coach_other": 404}),
    "reminders.phone": ("POST", "/coach/bewoner/{resident}/telefoon", {**COACHES, "coach_shared": 302,
                                                                       "coach_other": 404}),
    "wor.mine": ("GET", "/verwijzer", VERWIJZERS),
    "wor.new": ("GET", "/verwijzer/nieuw", VERWIJZERS),
    "wor.queue": ("GET", "/coach/welzijn-op-recept", WELZIJNSCOACH),
    "wor.referral": ("GET", "/coach/welzijn-op-recept/{wor_linked}", WELZIJNSCOACH),
    "wor.enrol": ("GET", "/coach/welzijn-op-recept/{wor}/inschrijven", WELZIJNSCOACH),
    # Coach_other follows nobody: an empty search among their own residents (another coach's are never found).
    "wor.link": ("GET", "/coach/welzijn-op-recept/{wor}/koppelen", WELZIJNSCOACH),
    # Linked already: it cannot be given back; a message, nothing changes (tests/test_wor.py gives one back).
    "wor.release": ("POST", "/coach/welzijn-op-recept/{wor_linked}/teruggeven", {**WELZIJNSCOACH, "coach_other": 302}),
    # Already picked up by coach_other: nothing changes, back to the referral.
    "wor.pick_up": ("POST", "/coach/welzijn-op-recept/{wor}/oppakken", {**WELZIJNSCOACH, "coach_other": 302}),
    # An empty form: the page again with a message, nothing stored.
    "wor.attempt": ("POST", "/coach/welzijn-op-recept/{wor}/contactpoging", {**WELZIJNSCOACH, "coach_other": 400}),
    "wor.not_started": ("POST", "/coach/welzijn-op-recept/{wor}/niet-gestart",
                        {**WELZIJNSCOACH, "coach_other": 400}),
    "wor.note": ("POST", "/coach/welzijn-op-recept/{wor_linked}/terugkoppeling", {**WELZIJNSCOACH, "coach_other": 400}),
    # "Contact gelegd" cannot be closed as afgerond: a message, nothing changes.
    "wor.close": ("POST", "/coach/welzijn-op-recept/{wor}/afronden", {**WELZIJNSCOACH, "coach_other": 302}),
    # No resident linked yet ({wor}): a message, nothing changes; the empty form on a linked one is refused.
    "wor.sharing": ("POST", "/coach/welzijn-op-recept/{wor_linked}/keuze", {**WELZIJNSCOACH, "coach_other": 400}),
    "wor.own": ("GET", "/account/verwijzer", RESIDENT_ONLY),
    "wor.own_sharing": ("POST", "/account/verwijzer/{wor_linked}", {**RESIDENT_ONLY, "owner": 400,
                                                                     "other_resident": 404}),
    # Only the verwijzer who made the referral; another practice's verwijzer gets a 404 (no id probing).
    "wor.feedback_pdf": ("GET", "/verwijzer/{wor_linked}/terugkoppeling.pdf",
                         {"anonymous": LOGIN, "verwijzer": 200, "verwijzer_other": 404, "*": 403}),
    "wor.fhir": ("GET", "/verwijzer/{wor_linked}/fhir.json",
                 {"anonymous": LOGIN, "verwijzer": 200, "verwijzer_other": 404, "*": 403}),
    "wor.prices": ("GET", "/beheer/prijslijst", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "wor.figures": ("GET", "/beheer/rendement", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "wor.figures_csv": ("GET", "/beheer/rendement.csv", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    # Practice codes: only the beheerder manages them (an empty form or switch: the page again with a message);
    # a new code is shown once (200). Anyone may open the public referral link; an empty form is refused.
    "practices.admin": ("GET", "/beheer/praktijken", {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "practices.create": ("POST", "/beheer/praktijken/nieuw", {"anonymous": LOGIN, "beheerder": 400, "*": 403}),
    "practices.renew": ("POST", "/beheer/praktijken/{practice}/nieuwe-code",
                        {"anonymous": LOGIN, "beheerder": 200, "*": 403}),
    "practices.switch": ("POST", "/beheer/praktijken/{practice}/aan-uit",
                         {"anonymous": LOGIN, "beheerder": 400, "*": 403}),
    "practices.refer": ("GET", "/verwijzen", {"*": 200}),
    # For Prometheus, with METRICS_TOKEN or from METRICS_ALLOW only; no login opens it (tests/test_metrics.py).
    "ops.metrics": ("GET", "/metrics", {"*": 403}),
    # Offline home visits (issue 13). The app's manifest, its service worker and the kept visit page hold
    # nothing personal: every role gets them. The bundle and the upload only for a coach who follows the
    # resident; a form post is no upload (400), an upload needs the visit key (tests/test_offline.py).
    "offline.manifest": ("GET", "/manifest.webmanifest", {"*": 200}),
    "offline.service_worker": ("GET", "/sw.js", {"*": 200}),
    "offline.visit": ("GET", "/bezoek-zonder-internet", {"*": 200}),
    "offline.prepare": ("GET", "/coach/bewoner/{resident}/bezoek-voorbereiden", {**COACHES, "coach_other": 404}),
    "offline.bundle": ("POST", "/coach/bewoner/{resident}/bezoekpakket", {**COACHES, "coach_other": 404}),
    "offline.token": ("GET", "/bezoek-zonder-internet/sleutel", COACHES),
    "offline.upload": ("POST", "/bezoek-zonder-internet/versturen",
                       {**COACHES, "coach_shared": 400, "coach_other": 400}),
}


def test_every_route_has_a_rule_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(MATRIX), "add the new route to MATRIX with the expected outcome for every role"


def test_admin_roles_exist():
    assert set(Role.values()) == {"bewoner", "ouderencoach", "welzijnscoach", "beheerder", "verwijzer"}


# Endpoints whose POST changes what later requests see (a submitted or thrown-away draft, an ended
# relation, every session ended): each gets a world of its own. The others share one world.
CHANGES_THE_WORLD = {"checkin.submit", "checkin.discard", "accounts.stop_sharing", "accounts.close",
                     "accounts.logout_everywhere", "accounts.block_staff", "accounts.reset_second_factor",
                     "accounts.staff_reset_code"}


def build_world(app) -> dict:
    """An owner who shares with one coach, their check-ins and a draft; other people around them."""
    kort_items = form_item_ids(app)
    owner = new_resident(app, "eigenaar")
    other = new_resident(app, "buurman")
    earlier = new_checkin(app, owner["resident"], all_answers(kort_items, 4), days_ago=30)
    checkin = new_checkin(app, owner["resident"], all_answers(kort_items, 6))
    client = app.test_client()
    log_in(client, owner["user"])
    draft = start_checkin(client)
    answer_steps(client, draft, kort_items)
    users = {"owner": owner["user"], "other_resident": other["user"]}
    with app.test_request_context():
        staff = {
            "coach_shared": people.create_staff("coach-a", "coach-a-wachtwoord", ["ouderencoach"], "Coach A"),
            "coach_other": people.create_staff("coach-b", "coach-b-wachtwoord", ["welzijnscoach"], "Coach B"),
            "beheerder": people.create_staff("beheer", "beheer-wachtwoord", ["beheerder"], "Beheer"),
            "verwijzer": people.create_staff("huisarts-a", "huisarts-a-wachtwoord", ["verwijzer"], "Dokter A",
                                             "Praktijk De Linde"),
            "verwijzer_other": people.create_staff("poh-b", "poh-b-wachtwoord", ["verwijzer"], "POH B",
                                                   "Praktijk Het Anker"),
        }
        resident = db.session.scalar(select(Resident).where(Resident.public_id == owner["resident"]))
        relation = people.share_with_coach(resident, staff["coach_shared"].coach_code)
        enrolled = people.enrol_resident(staff["coach_shared"], "J. de V.", 1944, "Centrum", date(2026, 11, 1),
                                         "mondeling")
        activity = Activity(name="Wandelgroep", organisation="Welzijn", description="Samen wandelen.",
                            pillars=["lichaam"], last_verified_on=date.today())
        db.session.add(activity)
        db.session.flush()
        referral = Referral(resident_id=resident.id, activity_id=activity.id)
        db.session.add(referral)
        db.session.flush()
        wor_new = wor.create(staff["verwijzer"], "mevr. K.", "06 1234 5678", "Eenzaam.", None, "gewoon")
        wor_picked = wor.create(staff["verwijzer"], "dhr. L.", "06 8765 4321", "Weinig contact.", None, "snel")
        wor.pick_up(staff["coach_other"], wor_picked)
        wor.record_attempt(staff["coach_other"], wor_picked, "bereikt", None)
        wor_linked = wor.create(staff["verwijzer"], "mevr. M.", "06 1111 2222", "Rouw.", "overlijden_naaste", "gewoon")
        wor.pick_up(staff["coach_other"], wor_linked)
        practice, _code = practices.create("Huisartsenpraktijk De Berk", "huisartsenpraktijk")
        wor.create(practice, "mevr. P.", "06 3333 4444", "Alleen sinds de verhuizing.", None, "gewoon")
        wor_linked.resident_id, wor_linked.sharing, wor_linked.status = resident.id, "status_notitie", "in_begeleiding"
        db.session.flush()
        ids = {"wor": wor_picked.public_id, "wor_new": wor_new.public_id, "wor_linked": wor_linked.public_id,
               "relation": relation.public_id, "enrolled": enrolled.public_id, "activity": activity.public_id,
               "referral": referral.public_id, "staff": staff["coach_other"].public_id,
               "practice": practice.public_id}
        users.update({role: user.public_id for role, user in staff.items()})
        db.session.commit()
    return {"users": users, "ids": {"draft": draft, "checkin": checkin, "earlier": earlier,
                                    "resident": owner["resident"], **ids}}


def check_every_role(app, world, endpoint) -> None:
    method, template, expected = MATRIX[endpoint]
    url = template.format(**world["ids"])
    for role in ROLES_UNDER_TEST:
        client = app.test_client()
        if role != "anonymous":
            log_in(client, world["users"][role])
        want = expected[role] if role in expected else expected["*"]
        if method == "POST":
            response = client.post_form(url, {"lang": "nl"})
        else:
            response = client.get(url)
        if want == LOGIN:
            assert response.status_code == 302, (endpoint, role)
            assert response.location.startswith("/inloggen"), (endpoint, role)
        else:
            assert response.status_code == want, (endpoint, role, response.status_code)


@pytest.fixture(scope="class")
def one_world(app):
    """Built once for the class, emptied after its last test."""
    empty_tables(app)
    yield build_world(app)
    empty_tables(app)


@pytest.mark.shared_world
class TestRoutesInOneWorld:
    """The world is built once for every endpoint that leaves it as it was for the next."""

    @pytest.mark.parametrize("endpoint", sorted(set(MATRIX) - CHANGES_THE_WORLD))
    def test_route_answers_each_role_as_expected(self, app, one_world, endpoint):
        check_every_role(app, one_world, endpoint)


@pytest.mark.parametrize("endpoint", sorted(CHANGES_THE_WORLD))
def test_route_that_changes_the_world_answers_each_role_as_expected(app, endpoint):
    check_every_role(app, build_world(app), endpoint)
