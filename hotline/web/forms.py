"""The forms of every workbench. Forms only shape input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hotline import limits
from hotline.catalog.models import Matter
from hotline.evaluation.models import Revisit, Satisfaction
from hotline.evaluation.selectors import offered_grades
from hotline.intake.models import Channel
from hotline.linkage.models import Agency, Direction, LinkageMatter
from hotline.orgs.models import Unit
from hotline.tickets.models import Kind, ReplyClass, Urgency

from .pickers import MultiPickField, PickerInput, PickField


# Django puts its label suffix after every form label, except after the marks in the second string;
# both come from its catalogue, whose zh-Hans keeps a half-width ":" (m14). Naming them here puts
# them in ours, which translates them with full-width marks for every form of the site.
LABEL_SUFFIX = _(":")
LABEL_END_MARKS = _(":?.!")


def leaf_matters() -> QuerySet[Matter]:
    return Matter.objects.filter(is_leaf=True, is_active=True).order_by("path")


def dispatchable_units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.CENTRE).order_by("kind", "code")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files; the handling service checks their type and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class RegisterForm(forms.Form):
    requester_phone = forms.CharField(label=_("Caller's phone"), max_length=20, required=False)
    requester_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.filter(is_active=True), to_field_name="code", empty_label=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.HELP)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    content = forms.CharField(label=_("What the caller says"), widget=forms.Textarea(attrs={"rows": 5}))
    # The operator may write the title; left empty, intake writes it (place + problem, m9), and
    # the suggestion panel shows that title as the field's placeholder while the operator types.
    title = forms.CharField(label=_("Title"), max_length=limits.TITLE, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    matter = PickField("leaf", label=_("Matter"), required=False, widget=PickerInput("leaf", {"data-key": "alt+m"}))
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    confidential = forms.BooleanField(label=_("Confidential tip (never show the source)"), required=False)
    # 涉企诉求: a company's request names the company and its 统一社会信用代码.
    company_name = forms.CharField(label=_("Company (for a company's request)"), max_length=100, required=False)
    company_code = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)
    article = forms.IntegerField(required=False, widget=forms.HiddenInput)
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)  # the retry key
    # m17: an address in another city is forwarded to that city's 12345 centre, not refused.
    forward = forms.BooleanField(label=_("Forward to that city's 12345 centre"), required=False)


class DispatchForm(forms.Form):
    # 598 matters and 265 units: typed or picked as you type (``web.pickers``), never a long list.
    matter = PickField("leaf", label=_("Matter"))
    lead_unit = PickField("unit", label=_("Lead unit"))
    co_units = MultiPickField("unit", label=_("Co-units"), required=False)
    note = forms.CharField(label=_("Note to the units"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# No form that judges work offers a preselected verdict (M3): every such choice starts empty and a
# submit without one is refused with this kind of message.
CHOOSE = ("", _("— choose —"))


def verdict(label: Any, choices: Any, message: Any) -> forms.ChoiceField:
    """A required choice with nothing chosen beforehand and a clear message when none is made."""
    return forms.ChoiceField(label=label, choices=[CHOOSE, *choices], initial="", error_messages={"required": message})


class ContactForm(forms.Form):
    note = forms.CharField(
        label=_("How the citizen was reached and what was agreed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say how the citizen was reached and what was agreed.")},
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(forms.Form):
    pass


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=30, initial=3)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideClassForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("confirm the unit's class")), ("0", _("overturn it"))],
        coerce=lambda v: v == "1",
    )
    new_class = forms.ChoiceField(label=_("Class instead"), choices=[CHOOSE, *ReplyClass.choices], required=False)
    final_answer = forms.BooleanField(label=_("A final answer (终局答复)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FinalAnswerForm(forms.Form):
    final = forms.CharField(label=_("Code of the ticket with the final answer"), max_length=24)


class AppealForm(forms.Form):
    kind = verdict(
        _("Appeal against"),
        [
            ("revisit", _("the latest revisit result")),
            ("dispatch", _("the dispatch")),
            ("spot_check", _("the latest spot-check finding")),
        ],
        _("Choose what you appeal against."),
    )
    reason = forms.CharField(label=_("Reason and evidence"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideAppealForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"), choices=[("1", _("accept")), ("0", _("reject"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewReplyForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Review"),
        choices=[("1", _("pass it on to the revisit")), ("0", _("send it back (redo)"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SuperviseForm(forms.Form):
    level = verdict(
        _("Kind of order"),
        [
            ("reminder", _("reminder (催办)")),
            ("notice", _("supervision notice (督办)")),
            ("public", _("public notice (通报)")),
        ],
        _("Choose the kind of order."),
    )
    note = forms.CharField(label=_("What the unit must do"), widget=forms.Textarea(attrs={"rows": 2}))


class LongCycleForm(forms.Form):
    days = forms.IntegerField(label=_("Days to resolve, from the dispatch"), min_value=1, max_value=366, initial=90)
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Progress since the last update"), widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    result = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    # Optional: a reply without a class is "resolved" (the forms and clients made before classes).
    reply_class = forms.ChoiceField(
        label=_("Reply class"), choices=ReplyClass.choices, initial=ReplyClass.RESOLVED, required=False
    )
    evidence = forms.CharField(
        label=_("Evidence for the class (law, policy, facts)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachments = MultipleFileField(label=_("Photos and documents"))


class AssignForm(forms.Form):
    # The unit's own handlers; the ticket page fills the choices for the manager's unit.
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=get_user_model().objects.none())


class CoReplyForm(forms.Form):
    text = forms.CharField(label=_("Your part of the work"), widget=forms.Textarea(attrs={"rows": 3}))


class RevisitForm(forms.Form):
    outcome = verdict(_("Revisit"), Revisit.Outcome.choices, _("Choose the outcome of the revisit."))
    # Empty until the operator hears the answer (M3); an unreachable citizen leaves them empty.
    contacted = forms.TypedChoiceField(
        label=_("Did the unit contact you?"),
        choices=[CHOOSE, ("true", _("yes")), ("false", _("no"))],
        coerce=lambda v: v == "true",
        empty_value=None,
        required=False,
    )
    solved = forms.TypedChoiceField(
        label=_("Is it solved?"),
        choices=[CHOOSE, ("true", _("yes")), ("false", _("no"))],
        coerce=lambda v: v == "true",
        empty_value=None,
        required=False,
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=[CHOOSE, *Satisfaction.choices], required=False
    )
    actionable = forms.BooleanField(label=_("The unit can still act on it (reopen)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The grades of the centre's scale (three or five), by the policy in force.
        self.fields["satisfaction"].choices = [CHOOSE, *offered_grades()]  # type: ignore[attr-defined]


class RequesterRevisitForm(RevisitForm):
    """并单: the revisit of one merged ticket's requester about this ticket's reply."""

    requester = forms.CharField(label=_("Code of the merged ticket"), max_length=24)
    actionable = None  # type: ignore[assignment]  # a merged requester's answer never reopens the group


class AnswerForm(forms.Form):
    article = forms.IntegerField(label=_("Knowledge article"), widget=forms.HiddenInput)
    note = forms.CharField(label=_("Added to the answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Code of the original ticket"), max_length=24)


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"), choices=[("1", _("approve")), ("0", _("refuse"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), required=False)


class TransferForm(forms.Form):
    """转办: a police, fire, medical or traffic matter to 110/119/120/122, or another city's centre."""

    agency = forms.ModelChoiceField(label=_("Transfer to"), queryset=Agency.objects.filter(is_active=True))
    matter = forms.ModelChoiceField(
        label=_("Matter on the list"),
        queryset=LinkageMatter.objects.filter(is_active=True, direction=Direction.OUT).select_related("agency"),
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2}))
