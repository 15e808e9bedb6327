"""Command-line tasks: flask --app webapp <command>."""

import click
from flask import Flask

from webapp.extensions import db
from webapp.services import demo


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed when there are no accounts yet.")
    def seed_demo_command(if_empty: bool) -> None:
        """Create fictional demo residents with several check-ins."""
        if if_empty and not demo.is_empty():
            click.echo("De database bevat al gegevens; geen demo-gegevens toegevoegd.")
            return
        created = demo.seed_demo()
        db.session.commit()
        if created:
            click.echo(f"Demo-bewoners aangemaakt: {', '.join(created)} (wachtwoord: {demo.DEMO_PASSWORD})")
        else:
            click.echo("De demo-bewoners bestonden al.")
