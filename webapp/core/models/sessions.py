"""Login sessions kept on the server, so that logging out really ends them."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.extensions import db
from webapp.core.models._base import utcnow


class LoginSession(db.Model):
    """One logged-in browser. Its cookie carries a random token; only the token's hash is kept
    here, with the account and two times: nothing personal, nothing to steal from a backup.

    A signed cookie alone cannot be taken back: a copy would keep working until it expires. With
    this row, logging out (or out everywhere, a new password, a block) ends the session on the
    server, for every worker and every node, because they all read the same database.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Updated at most every few minutes (see security.SEEN_EVERY): for clearing out old rows only.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
