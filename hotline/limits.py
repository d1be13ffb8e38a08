"""How much text a person may send in each field: the one table of caps.

The models, forms and services read their caps from here. Every service that writes text a person
typed checks it with ``check_lengths`` before it writes anything: over-long text is refused with a
message that says so and changes nothing. Nothing is cut short silently. Lengths are counted in
characters, as Django's ``max_length`` and PostgreSQL's ``varchar`` count them.

A cap that is also a model's ``max_length`` changes with a migration (``make lint`` says when).
A cap also bounds the work done on the text later: public pages anonymise a ticket's content and
result, the classifier reads the content, exports copy all of it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# --- the ticket (接) ---
# A citizen's request (诉求内容) from any channel. Letters from the mayor's mailbox and the State
# Council's message board run longer than a phone call's notes.
CONTENT = 5000
TITLE = 120  # a ticket's, a knowledge article's or a typical case's title
ADDRESS = 255
REQUESTER_NAME = 50
EXTERNAL_ID = 100  # a channel's own id for a request (its retry key)

# --- work on a ticket (派 办 督 评) ---
# An account of work: a unit's result (办理结果), a co-unit's reply, a direct answer, the reply to a
# consultation task, a consultation's conclusion, a rectification project's measures.
RESULT = 5000
# A note or a reason: dispatch and contact notes, return, extension and invalidation reasons, the
# centre's decisions, revisit comments, spot-check findings, praise, consultation topics and tasks.
NOTE = 1000

# --- what the centre writes for others ---
# A knowledge article's answer becomes a ticket's result, with the operator's note after it.
ARTICLE_ANSWER = 3000
ARTICLE_KEYWORDS = 255
ARTICLE_SOURCE = 255
# A typical case is drafted from a ticket's content and result through the anonymiser, which can
# lengthen a text (a 7-digit landline becomes 8 stars): at most 8/7 of RESULT fits.
CASE_TEXT = 6000
PROJECT_TITLE = 200
PROJECT_PLACE = 100
MILESTONE = 200

# --- the public portal (宣): anyone may post, without an account ---
PORTAL_CONTENT = 2000
PORTAL_ADDRESS = 200
PUBLIC_COMMENT = 500  # a citizen's comment when rating, on the portal or from the SMS link


def too_long(**fields: tuple[str | None, int]) -> dict[str, str]:
    """For each ``name=(text, cap)`` whose text is longer than its cap, the message saying so."""
    return {
        name: _("Please keep this to %(max)d characters; it has %(n)d.") % {"max": cap, "n": len(text)}
        for name, (text, cap) in fields.items()
        if text is not None and len(text) > cap
    }


def check_lengths(**fields: tuple[str | None, int]) -> None:
    """Raise one ``ValidationError`` naming every field whose text is longer than its cap."""
    errors = too_long(**fields)
    if errors:
        raise ValidationError(errors)
