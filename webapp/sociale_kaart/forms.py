"""The beheerder's CSV import of the sociale kaart."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV-bestand"),
        description=_l("Zoals Excel het opslaat: CSV UTF-8, gescheiden door ; of ,. De kolommen staan in de README."),
        validators=[FileRequired(_l("Kies een bestand.")),
                    FileAllowed(["csv", "txt"], _l("Kies een CSV-bestand (.csv)."))],
    )
