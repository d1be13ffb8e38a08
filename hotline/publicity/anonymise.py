"""Removing what identifies a person before anything leaves through the public portal.

The requester's own name, a name the writer gives for themselves (我叫…, 联系人…), phone numbers,
identity-card numbers, e-mail addresses and the exact numbers of a building, unit, floor or room
are replaced. A surname with a form of address (王先生) is how published
cases name people already and stays. Place names above the house number (road, estate, street
office) stay: they are what makes a case useful to read.

Every step runs in time linear in the text: public pages anonymise whatever a ticket holds, so a
pattern that backtracks over long input would let one request tie up a web process.
"""

from __future__ import annotations

import re

from hotline.text import mask_id_numbers, mask_phones, mask_self_names

_LANDLINE = re.compile(r"(?<!\d)(?:0\d{2,3}[-\s]?)?[2-9]\d{6,7}(?!\d)")
# An e-mail address is ``[\w.+-]+@[\w-]+(?:\.[\w-]+)+``. As one pattern it is quadratic: from
# every position of a long run of word characters with no usable "@" after it, the engine scans to
# the end of the run and back (60 s for 100,000 digits). ``_mask_emails`` finds the same matches
# starting from each "@" instead, reading each character a bounded number of times.
_LOCAL_RUN = re.compile(r"[\w.+-]*")
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_HOUSE = re.compile(r"(?<![\d*])\d+(?=\s*(?:号楼|号院|号|栋|幢|单元|楼|层|室|户|排|巷))")
# The same in Chinese numerals: 建设巷十二号院三号楼二单元四零一室.
_HOUSE_CN = re.compile(
    r"(?<![〇零一二三四五六七八九十百两])[〇零一二三四五六七八九十百两]+(?=(?:号楼|号院|号(?!线)|栋|幢|单元|层|室|户))"
)
_LONG_NUMBER = re.compile(r"\d{5,}")


def anonymise(text: str, *, names: tuple[str, ...] = ()) -> str:
    """``text`` with personal details replaced by ``*``; ``names`` are removed wherever they occur."""
    if not text:
        return ""
    out = text
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, "**")
    out = _mask_emails(out)
    out = mask_id_numbers(out)
    out = mask_phones(out)
    out = _LANDLINE.sub("********", out)
    out = mask_self_names(out)
    out = _HOUSE.sub("*", out)
    out = _HOUSE_CN.sub("*", out)
    out = _LONG_NUMBER.sub(lambda m: "*" * len(m.group(0)), out)
    return out


def _mask_emails(text: str) -> str:
    r"""``re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "***", text)``, with the same result, in linear time.

    No character class of the pattern contains "@", so a match holds exactly one "@": its local
    part is the run of ``[\w.+-]`` just before it (cut at the end of the previous match, where the
    scan resumes), its domain the greedy ``_DOMAIN`` just after it. The runs before successive "@"
    and the domains after them do not overlap, so each character is read a bounded number of times.
    """
    at = text.find("@")
    if at < 0:
        return text
    size = len(text)
    backwards = text[::-1]  # the run before an "@" is read forwards here, in C
    parts: list[str] = []
    done = 0  # the end of the last match: nothing before it is looked at again
    while at >= 0:
        run = _LOCAL_RUN.match(backwards, size - at, size - done)
        assert run is not None  # the pattern also matches the empty run
        local = run.end() - (size - at)
        domain = _DOMAIN.match(text, at + 1) if local else None
        if domain is None:
            at = text.find("@", at + 1)
            continue
        parts.append(text[done : at - local])
        parts.append("***")
        done = domain.end()
        at = text.find("@", done)
    parts.append(text[done:])
    return "".join(parts)
