"""Words Django's admin shows (to screen readers, on every index page) that its zh-Hans catalogue
does not translate. Naming them here puts them in our catalogue, which does."""

from django.utils.translation import gettext_lazy as _

ADMIN_WORDS = (_("Model name"), _("Add link"), _("Change or view list link"))
