"""The product speaks Chinese: every message has a zh-Hans translation, and the compiled
catalogue that ships matches the source."""

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of django.po; plural entries give their first form."""
    entries, current, key = [], {}, None
    for line in (LOCALE / "django.po").read_text("utf-8").splitlines() + [""]:
        if not line.strip():
            if "msgid" in current:
                msgstr = current.get("msgstr", current.get("msgstr[0]", ""))
                # A message with a context (pgettext) is looked up as "context\x04msgid", as gettext does.
                key_id = f"{current['msgctxt']}\x04{current['msgid']}" if "msgctxt" in current else current["msgid"]
                entries.append((key_id, msgstr))
            current, key = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        else:
            match = re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                key = match.group(1)
                current[key] = ast.literal_eval(match.group(2))
    return [(i, s) for i, s in entries if i]


def test_every_message_is_translated():
    untranslated = [msgid for msgid, msgstr in po_entries() if not msgstr]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in po_entries() if compiled.gettext(msgid) != msgstr and "%(n)" not in msgid]
    assert stale == [], "run `make messages`"
