"""WTForms fields whose widgets write WTForms' own HTML with less Python work.

The enrollment page renders over twenty fields per request (the add forms of
activities, plan, assessments and notes, and a status select per step). WTForms
builds each attribute through ``Markup.format`` (a ``string.Formatter`` run per
attribute), scans ``dir(field.flags)``, inspects ``render_option``'s signature on
every select and translates each lazy label up to three times: 3 ms of the page's
18 ms. These widgets give the same text, character for character
(tests/web/test_fast_fields.py renders both and compares, for WTForms 3.3 as pinned),
so a template cannot tell them apart.

Only the attribute writing, the label and the base ``__call__`` of the select, the
textarea and the inputs are redone here; the rest is WTForms' own.
"""

import wtforms
from flask_babel import LazyString
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.core import Label as _Label
from wtforms.widgets.core import clean_key

from journey.web import fields as web_fields

# Attribute names as written in Python -> as rendered (``class_`` -> ``class``): a
# handful of names, the same for every request.
_NAMES: dict[str, str] = {}


def html_params(**kwargs) -> Markup:
    """``wtforms.widgets.html_params`` without ``Markup.format``: the same text.

    Sorted by name; ``True`` gives a bare attribute, ``False`` none; ``data_``
    and ``aria_`` names get hyphens and a trailing ``_`` is dropped (``class_``).
    """
    parts = []
    for key in sorted(kwargs):
        value = kwargs[key]
        if value is False:
            continue
        name = _NAMES.get(key)
        if name is None:
            name = _NAMES[key] = str(escape(clean_key(key)))
        parts.append(name if value is True else f'{name}="{_attr_value(value)}"')
    return Markup(" ".join(parts))  # noqa: S704  # nosec B704 # all escaped


def _attr_value(value) -> Markup:
    text = escape(value)
    if '"' in text:  # only a value that already was Markup can still hold one
        text = text.replace(Markup('"'), Markup("&quot;"))
    return text


def _text(value):
    """A lazy translation as its text, translated once (``escape`` and ``or`` would each
    translate it again); anything else as it is."""
    return str(value) if isinstance(value, LazyString) else value


def _add_flag_attrs(field, names, kwargs: dict, *, call: bool = False) -> None:
    """Validation flags the element repeats (required, maxlength …), as WTForms adds them
    (an input widget calls a callable flag, ``call``).

    A field's flags are the attributes set on its ``Flags`` object, which is what
    WTForms finds with ``dir()``.
    """
    flags = getattr(getattr(field, "flags", None), "__dict__", {})
    for name in names:
        if name in flags and name not in kwargs:
            value = flags[name]
            kwargs[name] = value() if call and callable(value) else value


class Select(widgets.Select):
    def __call__(self, field, **kwargs):
        if self.multiple or field.has_groups():
            return super().__call__(field, **kwargs)  # not used on our pages
        kwargs.setdefault("id", field.id)
        _add_flag_attrs(field, self.validation_attrs, kwargs)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        # As WTForms' Select reads them (SelectField's choices as Choice tuples).
        html.extend(self.render_option(choice) for choice in field._iter_choices_normalized())
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704  # nosec B704 # parts are Markup

    @classmethod
    def render_option(cls, choice, **kwargs):
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        if choice.render_kw or kwargs:
            attrs = {"value": value, **(choice.render_kw or {}), **kwargs}
            if choice.selected:
                attrs["selected"] = True
            attributes = html_params(**attrs)
        else:
            # The usual option: html_params' text for value (and selected) alone.
            selected = "selected " if choice.selected else ""
            attributes = f'{selected}value="{_attr_value(value)}"'
        text = escape(_text(choice.label) or choice.value)
        return Markup(f"<option {attributes}>{text}</option>")  # noqa: S704  # nosec B704


class TextArea(widgets.TextArea):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        _add_flag_attrs(field, self.validation_attrs, kwargs)
        # WTForms starts the content with a newline (a browser drops the first one).
        content = escape(field._value())
        return Markup(  # noqa: S704  # nosec B704 # attributes and content escaped
            f"<textarea {html_params(name=field.name, **kwargs)}>\r\n{content}</textarea>")


class _Input(widgets.Input):
    """WTForms' ``Input.__call__``, beneath each of WTForms' input widgets below (their
    own ``__call__``, e.g. the date input's min/max formatting, still runs first)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("type", self.input_type)
        if "value" not in kwargs:
            kwargs["value"] = field._value()
        datalist = getattr(field, "_datalist", None)
        if datalist is not None and "list" not in kwargs:
            kwargs["list"] = datalist if isinstance(datalist, str) else datalist.id
        _add_flag_attrs(field, self.validation_attrs, kwargs, call=True)
        return Markup(  # noqa: S704  # nosec B704 # attributes escaped
            f"<input {html_params(name=field.name, **kwargs)}>")


class TextInput(widgets.TextInput, _Input):
    pass


class NumberInput(widgets.NumberInput, _Input):
    pass


class DateInput(widgets.DateInput, _Input):
    pass


class TimeInput(widgets.TimeInput, _Input):
    pass


class PasswordInput(widgets.PasswordInput, _Input):
    """WTForms' password input (the value is never written back), faster."""


class Label(_Label):
    def __call__(self, text=None, **kwargs):
        if "for_" in kwargs:
            kwargs["for"] = kwargs.pop("for_")
        else:
            kwargs.setdefault("for", self.field_id)
        attributes = html_params(**kwargs)
        text = escape(_text(text or self.text))
        return Markup(  # noqa: S704  # nosec B704 # attributes and text escaped
            f"<label {attributes}>{text}</label>" if attributes else f"<label>{text}</label>")


class _FasterRendering:
    """Mixed into a field: its label renders with :class:`Label` (the widget is the
    field class's own ``widget``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label = Label(self.label.field_id, self.label.text)


# The fields, each with its faster widget and label; otherwise WTForms' (and journey.web's).

class SelectField(_FasterRendering, wtforms.SelectField):
    widget = Select()


class StringField(_FasterRendering, wtforms.StringField):
    widget = TextInput()


class TextAreaField(_FasterRendering, wtforms.TextAreaField):
    widget = TextArea()


class IntegerField(_FasterRendering, web_fields.IntegerField):
    widget = NumberInput()


class DateField(_FasterRendering, wtforms.DateField):
    widget = DateInput()


class TimeField(_FasterRendering, wtforms.TimeField):
    widget = TimeInput()


class PasswordField(_FasterRendering, wtforms.PasswordField):
    widget = PasswordInput()
