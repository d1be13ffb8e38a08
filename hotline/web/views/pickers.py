"""The picker endpoint: ``/pick/<kind>/?q=words`` answers the entries a picker offers, as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse

from ..pickers import KINDS

if TYPE_CHECKING:
    from hotline.orgs.permissions import AuthedRequest


@login_required
def pick(request: AuthedRequest, kind: str) -> JsonResponse:
    """Up to 20 entries of ``kind`` matching ``q``: reference data (the catalogue, units, places),
    which every signed-in member of staff may read."""
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404
    found = spec.search(request.GET.get("q", ""))
    return JsonResponse({"results": [{"code": o.code, "label": spec.label(o), "text": spec.text(o)} for o in found]})
