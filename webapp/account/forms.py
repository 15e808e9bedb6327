from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ShareForm(FlaskForm):
    coach_code = StringField(
        _l("Code van uw coach"),
        description=_l("Uw coach geeft u deze code, bijvoorbeeld ABCD-EFGH."),
        validators=[DataRequired(_l("Vul de code van uw coach in.")), Length(max=20)],
    )
