from typing import Any

from django import template
from django.utils import timezone

from hotline.workcal.services import missing_years

from ..models import Ticket

register = template.Library()


@register.inclusion_tag("admin/workcal_warning.html")
def holiday_schedule_warning() -> dict[str, Any]:
    """Tell administrators which years need their holiday schedule entered, and what waits on it."""
    return {
        "years": missing_years(around=timezone.localdate()),
        "provisional": Ticket.objects.filter(deadlines_provisional=True).count(),
    }
