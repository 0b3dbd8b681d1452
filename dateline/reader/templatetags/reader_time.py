"""Times in reader HTML, written one way everywhere (post fragments, the blog header, the index, the corrections log).

``{% load reader_time %}``, inside ``{% timezone blog.time_zone %}`` so values are shown in the blog's zone.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.filter(expects_localtime=True)
def machine_time(value: datetime | None) -> str:
    """The ``datetime`` attribute of ``<time>``: ISO 8601 to the whole second, with the offset.

    Not ``|date:'c'``: that keeps microseconds ("…17.468903+00:00"), which every post published through the API has,
    and HTML allows at most three fraction digits (the W3C checker rejects the page). Readers see minutes anyway.
    """
    if not value:
        return ""
    return value.replace(microsecond=0).isoformat()


@register.filter(expects_localtime=True)
def clock(value: datetime | None, day_of: datetime | None = None) -> str:
    """"07:10", or "30 Nov, 21:50" when ``value`` is not on the local day of ``day_of``.

    A time alone reads as "today's": an edit six days after the post was published must say so. ``day_of`` is the
    moment the time is read against — the post's publication for its "Updated" and correction times, the blog's
    coverage start for post times (so a blog that runs past midnight dates its later posts).
    """
    if not value:
        return ""
    same_day = day_of is None or value.date() == timezone.localtime(day_of).date()
    return dateformat.format(value, "H:i" if same_day else "j M, H:i")  # as the corrections log writes dates
