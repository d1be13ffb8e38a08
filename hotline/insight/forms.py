from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline import limits
from hotline.orgs.models import Unit

if TYPE_CHECKING:
    import datetime as dt


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=limits.PROJECT_TITLE)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.CENTRE)
    )
    place = forms.CharField(label=_("Place"), max_length=limits.PROJECT_PLACE)
    # The hot issue's matters, checked beforehand (M8): the before/after counts only these.
    matters = forms.TypedMultipleChoiceField(
        label=_("Matters"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The before/after comparison counts requests about these matters only; none checked: all."),
    )
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 4}))
    measures_from = forms.DateTimeField(label=_("Measures in force from"))
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: YYYY-MM-DD and what is done by then."),
    )

    def __init__(self, *args: Any, matter_choices: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["matters"]).choices = list(matter_choices)

    def clean_milestones(self) -> list[tuple[str, dt.date]]:
        import datetime as dt

        out = []
        for n, line in enumerate(self.cleaned_data["milestones"].splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            day, _sep, what = line.partition(" ")
            try:
                due = dt.date.fromisoformat(day)
            except ValueError:
                raise forms.ValidationError(_("Line %(n)d does not start with a date (YYYY-MM-DD).") % {"n": n})
            if not what.strip():
                raise forms.ValidationError(_("Line %(n)d names no milestone.") % {"n": n})
            out.append((what.strip(), due))  # the service refuses one longer than its cap
        return out
