"""Pillar scores kept per check-in, and a summary row per resident for the caseload.

The caseload and the Impact figures derived every pillar score from the raw answers on every
page (377 ms for a caseload of 2,000, growing with it). A check-in's scores never change, so
they are computed once and kept in `measurement.scores`; existing check-ins are scored here, in
Python, with the same scoring code the app uses (webapp.core.scoring), on SQLite and PostgreSQL
alike. A check-in of a questionnaire version this installation does not know stays unscored
(NULL), as it did on the pages before.

An index on `measurement.completed_at` lets Impact find the first check-in of all without
reading every row.

`resident_summary` holds what the caseload shows per resident (dates, changes, flags); the app
keeps it current in the same transaction as every change. It starts empty here: the caseload
fills any missing row on first view, and `flask caseload rebuild-summaries` rebuilds all.

Revision ID: 20261203_0018
Revises: 20261203_0017
Create Date: 2026-12-03

"""
from decimal import ROUND_HALF_UP, Decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0018'
down_revision = '20261203_0017'
branch_labels = None
depends_on = None

BATCH = 2000  # check-ins scored per round trip


def _pillar_score(item_ids, answers):
    """webapp.core.scoring.pillar_score as of this revision: a migration must not change when the app does."""
    scores = [answers[i] for i in item_ids if answers.get(i) is not None]
    if not item_ids or len(scores) * 2 < len(item_ids):
        return None
    return float((Decimal(sum(scores)) / Decimal(len(scores))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _forms():
    """{(questionnaire id, version, form): {pillar: [item ids]}} from the app's questionnaire files."""
    from flask import current_app

    definitions = current_app.extensions["veerkracht_definitions"]
    return {(qid, version, form): questionnaire.form_item_ids(form)
            for (qid, version), questionnaire in definitions.questionnaires.items()
            for form in questionnaire.forms}


def _backfill_scores():
    bind = op.get_bind()
    measurement = sa.table("measurement", sa.column("id", sa.Integer), sa.column("questionnaire_id", sa.String),
                           sa.column("questionnaire_version", sa.Integer), sa.column("form", sa.String),
                           sa.column("scores", sa.JSON))
    answer = sa.table("answer", sa.column("measurement_id", sa.Integer), sa.column("item_id", sa.String),
                      sa.column("score", sa.Integer))
    forms = _forms()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(measurement.c.id, measurement.c.questionnaire_id, measurement.c.questionnaire_version,
                      measurement.c.form)
            .where(measurement.c.id > last).order_by(measurement.c.id).limit(BATCH)).all()
        if not rows:
            return
        first, last = rows[0].id, rows[-1].id
        answers = {row.id: {} for row in rows}
        for checkin_id, item_id, score in bind.execute(
                sa.select(answer.c.measurement_id, answer.c.item_id, answer.c.score)
                .where(answer.c.measurement_id.between(first, last))):
            answers[checkin_id][item_id] = score
        updates = []
        for row in rows:
            items = forms.get((row.questionnaire_id, row.questionnaire_version, row.form))
            if items is not None:  # unknown version: stays unscored
                updates.append({"key": row.id, "value": {p: _pillar_score(ids, answers[row.id])
                                                         for p, ids in items.items()}})
        if updates:
            bind.execute(measurement.update().where(measurement.c.id == sa.bindparam("key"))
                         .values(scores=sa.bindparam("value", type_=sa.JSON)), updates)


def upgrade():
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scores', sa.JSON(), nullable=True))
        batch_op.create_index('ix_measurement_completed_at', ['completed_at'], unique=False)
    _backfill_scores()
    op.create_table('resident_summary',
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('last_checkin_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('life_event', sa.String(length=50), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('largest_drop', sa.Float(), nullable=False),
    sa.Column('has_drop', sa.Boolean(), nullable=False),
    sa.Column('talk_count', sa.Integer(), nullable=False),
    sa.Column('is_very_low', sa.Boolean(), nullable=False),
    sa.Column('oldest_open_news_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_summary_resident_id_resident'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_resident_summary'))
    )
    with op.batch_alter_table('resident_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_summary_due_on'), ['due_on'], unique=False)


def downgrade():
    with op.batch_alter_table('resident_summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_summary_due_on'))
    op.drop_table('resident_summary')
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_index('ix_measurement_completed_at')
        batch_op.drop_column('scores')
