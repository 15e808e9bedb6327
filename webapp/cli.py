"""Command-line tasks: flask --app webapp <command>."""

import signal
import threading
from datetime import timedelta

import click
import pyotp
from flask import Flask

from webapp import demo
from webapp.accounts import service as people
from webapp.core import clock, mail
from webapp.core.extensions import db
from webapp.core.labels import STAFF_ROLES
from webapp.core.passwords import MIN_LENGTH, is_common
from webapp.ops.rules import BackupError
from webapp.reminders import job as reminder_job
from webapp.reminders import push as reminder_push
from webapp.reminders import service as reminder_service
from webapp.rights import service as rights


def _ops():
    """Backups and upgrades: alembic (about 11 MB) is loaded by these commands, not in every web worker."""
    from webapp.ops import service

    return service


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed when there are no accounts yet.")
    def seed_demo_command(if_empty: bool) -> None:
        """Create fictional demo residents with several check-ins, and demo staff."""
        if if_empty and not demo.is_empty():
            click.echo("De database bevat al gegevens; geen demo-gegevens toegevoegd.")
            return
        created = demo.seed_demo()
        db.session.commit()
        if created:
            click.echo(f"Demo-accounts aangemaakt: {', '.join(created)} (wachtwoord: {demo.DEMO_PASSWORD})")
        else:
            click.echo("De demo-accounts bestonden al.")

    @app.cli.command("demo-code")
    @click.argument("username")
    def demo_code_command(username: str) -> None:
        """Print the current second-factor code of a demo staff account (only those: their key is public)."""
        user = people.by_username(username)
        if user is None or user.totp_secret != demo.DEMO_TOTP_SECRET:
            raise click.ClickException(f"'{username}' is geen demo-account met de gedeelde demo-sleutel.")
        click.echo(pyotp.TOTP(user.totp_secret).at(clock.now()))

    @app.cli.command("purge-inactive")
    @click.option("--months", type=click.IntRange(min=1), required=True, help="Inactive for this many months.")
    @click.option("--apply", "apply_", is_flag=True, help="Really erase; without it this is a dry run.")
    def purge_inactive_command(months: int, apply_: bool) -> None:
        """Erase residents with no activity for N months (a dry run unless --apply is given)."""
        cutoff = clock.now() - timedelta(days=round(months * 30.44))
        stale = rights.inactive_residents(cutoff)
        for resident in stale:
            click.echo(f"{'verwijderd' if apply_ else 'zou verwijderen'}: bewoner {resident.public_id}")
            if apply_:
                rights.erase(resident)
        if apply_:
            db.session.commit()
            click.echo(f"{len(stale)} bewoner(s) verwijderd.")
        else:
            db.session.rollback()
            click.echo(f"Proefdraai: {len(stale)} bewoner(s) zouden worden verwijderd. Gebruik --apply om dat te doen.")

    @app.cli.command("send-reminders")
    def send_reminders_command() -> None:
        """Send every due reminder once, by e-mail and web push (run it from cron, e.g. every hour); failed ones
        retry next run."""
        if not mail.configured() and not reminder_push.configured():
            raise click.ClickException("Geen MAIL_SERVER en geen VAPID-sleutels ingesteld: er kunnen geen "
                                       "herinneringen worden verstuurd.")
        site = app.config["PUBLIC_URL"].rstrip("/")
        report = reminder_job.send_due(
            clock.today(), site + "/",
            lambda due: f"{site}/herinnering/later/{reminder_service.snooze_token(due.resident_public_id, due.on)}")
        click.echo(report.line())

    @app.cli.command("draw-charts")
    @click.option("--follow", is_flag=True, help="Keep running: draw each chart as soon as its check-in is sent.")
    def draw_charts_command(follow: bool) -> None:
        """Draw the charts of sent check-ins outside the web requests (with CHART_JOBS=1); once, or with --follow
        until stopped (SIGTERM or Ctrl-C end it after the chart being drawn)."""
        from webapp.results import chartjobs

        if not follow:
            click.echo(chartjobs.run_once().line())
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        click.echo("Grafieken tekenen: wacht op nieuwe check-ins (stoppen met Ctrl-C).")
        chartjobs.follow(stop, on_report=lambda report: click.echo(report.line()))

    @app.cli.command("vapid-keys")
    def vapid_keys_command() -> None:
        """Print a new VAPID key pair for web push reminders, as lines for the environment file."""
        private, public = reminder_push.new_key_pair()
        click.echo(f"VAPID_PRIVATE_KEY={private}\nVAPID_PUBLIC_KEY={public}\nVAPID_SUBJECT=mailto:beheer@example.nl")
        click.echo("# Houd VAPID_PRIVATE_KEY geheim. Een nieuw paar zet de meldingen op alle telefoons uit.", err=True)

    @app.cli.command("rebuild-summaries")
    def rebuild_summaries_command() -> None:
        """Recompute every resident's caseload summary from their check-ins and referrals."""
        from webapp.caseload import summaries

        count = summaries.rebuild()
        db.session.commit()
        click.echo(f"{count} samenvattingen opnieuw berekend.")

    @app.cli.command("backup")
    def backup_command() -> None:
        """Make an encrypted backup of the database in BACKUP_DIR (keeps the newest BACKUP_KEEP)."""
        try:
            path = _ops().backup()
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Back-up gemaakt: {path}")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False))
    def restore_command(file: str) -> None:
        """Put a backup back into an empty database, migrate it forward and erase the erased residents again."""
        try:
            restored = _ops().restore(file)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Back-up van {restored.manifest['created_at']} teruggezet (schema {restored.manifest['revision']}"
                   f", nu {restored.revision}). Opnieuw verwijderd op verzoek: {restored.reerased} bewoner(s).")

    @app.cli.command("upgrade-safely")
    def upgrade_safely_command() -> None:
        """Upgrade the schema; first back up a database that holds data, and undo a failed upgrade."""
        try:
            _ops().upgrade_safely(click.echo)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc

    @app.cli.command("backup-key")
    def backup_key_command() -> None:
        """Print a new key for BACKUP_KEY."""
        click.echo(_ops().new_key())

    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--role", "roles", multiple=True, required=True,
                  type=click.Choice([role.value for role in STAFF_ROLES]),
                  help="Repeat for a coach who is both ouderencoach and welzijnscoach.")
    @click.option("--name", "display_name", required=True, help="The name residents see.")
    @click.option("--organisation", default=None)
    @click.option("--phone", default=None)
    @click.password_option(help="At least 10 characters; asked for when left out.")
    def create_user_command(username, roles, display_name, organisation, phone, password) -> None:
        """Create a coach or beheerder account."""
        if len(password) < MIN_LENGTH or is_common(password):
            raise click.ClickException(
                f"Het wachtwoord moet minstens {MIN_LENGTH} tekens hebben en mag geen veelgebruikt wachtwoord zijn."
            )
        if people.username_taken(username):
            raise click.ClickException(f"De gebruikersnaam '{username}' is al bezet.")
        user = people.create_staff(username, password, list(roles), display_name, organisation, phone)
        db.session.commit()
        click.echo(f"Account gemaakt: {user.username} ({user.role_label})"
                   + (f", code voor bewoners: {user.coach_code}" if user.coach_code else ""))
