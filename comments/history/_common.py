"""Small helpers the readers share: opening what they're given, and the fields they all
clean the same way."""

import ipaddress
from contextlib import contextmanager
from datetime import UTC, datetime

from .records import UnreadableExport


@contextmanager
def opened(path_or_file):
    """A binary or text file to read from: a path is opened (binary) and closed afterwards;
    an open file is used as it is and left open, since its owner closes it. A file that can't
    be opened or read is an UnreadableExport like any other."""
    if hasattr(path_or_file, "read"):
        yield path_or_file
        return
    try:
        with open(path_or_file, "rb") as file:
            yield file
    except OSError as error:
        raise UnreadableExport(f"can't read {path_or_file}: {error.strerror or error}.") from None


def ip_or_blank(value):
    """A valid IP address (in its standard spelling) or "": old systems stored whatever a proxy
    passed on, and the site keeps only addresses it can use."""
    value = value.strip()
    if not value or "%" in value:  # an IPv6 zone ("fe80::1%eth0") is local to the old server
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def aware_utc(moment):
    """The datetime in UTC; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_datetime(value):
    """An ISO 8601 date and time (`2013-08-27T15:06:35Z`, `…+02:00`), or None if it isn't
    one. Python 3.11's fromisoformat reads `Z` and offsets."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
