from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .periods import Kind


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=Kind.choices, initial=Kind.DAILY)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Choose a day that has begun."))
        return day
