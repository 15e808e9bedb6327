"""/metrics for Prometheus: only with METRICS_TOKEN or from METRICS_ALLOW; counts, never people."""

from flask import Blueprint, Response, abort, current_app, request

from webapp.core import clock, metrics
from webapp.core.extensions import db
from webapp.ops import rules
from webapp.reminders import service as reminder_service
from webapp.results import chartjobs

bp = Blueprint("ops", __name__)


@bp.before_app_request
def _watch_pool():
    metrics.watch_pool(db.engine)  # once per engine and worker; never connects


@bp.get("/metrics", endpoint="metrics")
def metrics_page():
    config = current_app.config
    if not config["METRICS_TOKEN"] and not config["METRICS_ALLOW"]:
        abort(404)  # not switched on
    if not rules.may_read_metrics(request.headers.get("Authorization"), request.remote_addr,
                                  config["METRICS_TOKEN"], config["METRICS_ALLOW"]):
        abort(403)
    metrics.watch_pool(db.engine)
    reminders = metrics.render_counts("veerkracht_reminders", "Reminders by status: verzonden, mislukt, bezig.",
                                      "status", reminder_service.status_counts())
    queue = metrics.render_counts(
        "veerkracht_job_queue_length",
        "Reminders due and not sent yet, by state: wachtend (not taken yet), opnieuw (failed, retried next run), "
        "bezig (being sent).", "state", reminder_service.queue_counts(clock.today()))
    charts = metrics.render_counts(
        "veerkracht_chart_jobs",
        "Charts waiting for the chart runner (flask draw-charts), by state: wachtend, bezig, blijft hangen.",
        "state", chartjobs.counts())
    return Response(metrics.render() + reminders + queue + charts, mimetype=metrics.CONTENT_TYPE)
