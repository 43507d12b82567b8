"""Form fields shared by every feature."""

from wtforms import IntegerField as _WTFormsIntegerField

from journey.i18n import lazy_gettext as _l

# The largest value an INTEGER column holds on PostgreSQL (and SQLite's usual range).
INT_MAX = 2**31 - 1


class IntegerField(_WTFormsIntegerField):
    """WTForms' IntegerField that refuses numbers no column can hold.

    Without this a pasted "99999999999999999999" reaches NumberRange, which
    cannot compare it (OverflowError), or the database, which refuses it: a
    server error instead of a message.
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > INT_MAX:
            self.data = None
            raise ValueError(_l("The number is too large."))
