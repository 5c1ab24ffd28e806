"""Parse dates from inputs, metadata and datelines into UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_LANGS = ["en", "de", "fr", "es", "it"]
_ISO_DATE_START = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_MIN_YEAR, _MAX_YEAR = 1990, 2100


def _utc(dt: datetime, plausible: bool) -> datetime | None:
    if plausible and not (_MIN_YEAR <= dt.year <= _MAX_YEAR):
        return None
    try:
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 with a positive offset, etc.
        return None


_TIME_OF_DAY = re.compile(r"\d{1,2}[:.h]\d{2}(?![\d./-])|\d{4}-\d{2}-\d{2}[T ]\d{2}")


def precision(value: str | None) -> str | None:
    """`datetime` when a date string holds a time of day, `date` when it is a day only, None without one."""
    if not value:
        return None
    return "datetime" if _TIME_OF_DAY.search(value) else "date"


def parse_date(value: str | None, plausible: bool = True) -> datetime | None:
    """A UTC datetime for ISO strings and common written dates (en/de/fr/es/it), else None.

    Naive values are taken as UTC. With `plausible` (dates guessed from markup or text),
    years before 1990 or after 2100 give None; an input's own date field is parsed with
    `plausible=False`, since news archives reach back a century.
    """
    if not value or not isinstance(value, str):
        return None
    s = value.strip()
    if len(s) > 80:
        return None
    if _ISO.match(s):
        try:
            return _utc(datetime.fromisoformat(s.replace("Z", "+00:00")), plausible)
        except ValueError:
            pass
    try:
        from dateutil import parser as du

        return _utc(du.parse(s, dayfirst=not _ISO_DATE_START.match(s)), plausible)
    except (ValueError, OverflowError, TypeError):
        pass
    import dateparser

    try:
        dt = dateparser.parse(s, languages=_LANGS, settings={"PREFER_DAY_OF_MONTH": "first"})
    except Exception:  # dateparser raises a zoo of types on odd input; none is our bug
        return None
    return _utc(dt, plausible) if dt else None
