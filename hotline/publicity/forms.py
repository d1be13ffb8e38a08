from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline import limits
from hotline.tickets.models import Kind

PUBLIC_KINDS = [(k, label) for k, label in Kind.choices if k != Kind.PRAISE] + [(Kind.PRAISE, Kind.PRAISE.label)]


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of photos; the service checks what they really are, their size and how many."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PhotosInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


class SubmitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PUBLIC_KINDS, initial=Kind.HELP)
    content = forms.CharField(
        label=_("Your request"),
        max_length=limits.PORTAL_CONTENT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, where, since when. Please do not write your ID number."),
    )
    address = forms.CharField(label=_("Where (district, street, estate or road)"), max_length=limits.PORTAL_ADDRESS)
    requester_name = forms.CharField(label=_("Your name"), max_length=limits.REQUESTER_NAME, required=False)
    requester_phone = forms.CharField(label=_("Your mobile phone"), max_length=20)
    anonymous = forms.BooleanField(label=_("Keep my name from the unit"), required=False)
    photos = PhotosField(label=_("Photos (optional)"))
    answer = forms.CharField(label=_("Check"), max_length=4)
    challenge = forms.CharField(widget=forms.HiddenInput)
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Left empty by people; scripts fill every field they find.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings
        from django.template.defaultfilters import filesizeformat

        from .services import PORTAL_PHOTOS

        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _("Up to %(n)d photos (JPEG, PNG or WebP), each up to %(size)s.") % {
            "n": PORTAL_PHOTOS,
            "size": filesizeformat(settings.HOTLINE["ATTACHMENT_MAX_BYTES"]),
        }


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Ticket code"), max_length=24)
    last4 = forms.CharField(label=_("Last four digits of your phone"), min_length=4, max_length=4)


# Nothing is chosen for the citizen (M3): each answer starts empty and must be given.
_CHOOSE = ("", _("— choose —"))
_YES_NO = [_CHOOSE, ("1", _("yes")), ("0", _("no"))]


class RateForm(forms.Form):
    contacted = forms.TypedChoiceField(
        label=_("Did the unit contact you?"),
        choices=_YES_NO,
        coerce=lambda v: v == "1",
        error_messages={"required": _("Please say whether the unit contacted you.")},
    )
    solved = forms.TypedChoiceField(
        label=_("Is it solved?"),
        choices=_YES_NO,
        coerce=lambda v: v == "1",
        error_messages={"required": _("Please say whether the problem is solved.")},
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"),
        choices=[],
        error_messages={"required": _("Please say how satisfied you are.")},
    )
    note = forms.CharField(
        label=_("Anything to add"),
        required=False,
        max_length=limits.PUBLIC_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from hotline.evaluation.selectors import offered_grades

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["satisfaction"]).choices = [_CHOOSE, *offered_grades()]
