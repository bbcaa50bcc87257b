"""Where a request came from: the commenter's IP, for moderation and flood control."""

import ipaddress
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured

from ..conf import settings


@lru_cache(maxsize=8)
def _networks(cidrs):
    try:
        return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)
    except ValueError as error:
        raise ImproperlyConfigured(f"COMMENTS_TRUSTED_PROXIES: {error}") from error


def _parse(value):
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:203.0.113.7) is that IPv4 client.
    return getattr(address, "ipv4_mapped", None) or address


def client_ip(request):
    """The client's IP address as a string, or None.

    REMOTE_ADDR, unless it is one of COMMENTS_TRUSTED_PROXIES (comma-separated CIDRs); then
    the right-most X-Forwarded-For address that is not a trusted proxy. Addresses left of it
    were written by the client and prove nothing. With no trusted proxies (the default) the
    header is never read, so a reader can't choose the IP an editor sees.
    """
    trusted = _networks(tuple(settings.COMMENTS_TRUSTED_PROXIES))
    address = _parse(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return None

    def is_trusted(addr):
        return any(addr.version == net.version and addr in net for net in trusted)

    if not trusted or not is_trusted(address):
        return str(address)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        hop_address = _parse(hop)
        if hop_address is None:
            break  # A malformed hop: nothing left of it can be trusted either.
        if not is_trusted(hop_address):
            return str(hop_address)
    return str(address)
