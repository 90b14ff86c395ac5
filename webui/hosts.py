"""The `Host` header, checked before Flask builds any URL from it.

Flask binds its URL map to the request's host, and Werkzeug encodes that host with IDNA:
a label over 63 characters or an empty one (`a..b`) raised inside every `url_for`, the
error page's own included, so such a request got a 500 with no security headers. A host
that is not a valid name, IPv4/IPv6 address and port is replaced by a harmless one before
Flask sees it, and the request is answered 400 (`BAD_HOST` marks it in the environ).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from typing import Any

BAD_HOST = "govpress.bad_host"
STAND_IN_HOST = "localhost"
MAX_HOST_CHARS = 253
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$", re.IGNORECASE)
_PORT = re.compile(r"^[0-9]{1,5}$")


def valid_host(value: str) -> bool:
    """Whether `value` is `name[:port]` or `[ipv6][:port]` that can go into a URL."""
    if value.startswith("["):
        address, bracket, port = value[1:].partition("]")
        if not bracket or (port and not port.startswith(":")):
            return False
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return False
        return _valid_port(port[1:])
    name, _, port = value.partition(":")
    return _valid_port(port) and _valid_name(name)


def _valid_port(port: str) -> bool:
    return not port or (_PORT.match(port) is not None and int(port) <= 65535)


def _valid_name(name: str) -> bool:
    try:
        encoded = name.encode("idna").decode("ascii")
        encoded.encode("ascii").decode("idna")  # `xn--` labels must decode too
    except UnicodeError:
        return False
    labels = encoded[:-1].split(".") if encoded.endswith(".") else encoded.split(".")
    return 0 < len(encoded) <= MAX_HOST_CHARS and all(_LABEL.match(label) for label in labels)


class HostCheck:
    """WSGI middleware: an unusable `Host` becomes `localhost`, and the request is marked;
    an empty one counts as none, so absolute links (feeds, OpenSearch) name the server's
    own address (`SERVER_NAME`) instead of `http:///`."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST")
        if host is not None and not host.strip():
            del environ["HTTP_HOST"]
        elif host is not None and not valid_host(host):
            environ["HTTP_HOST"] = STAND_IN_HOST
            environ[BAD_HOST] = True
        return self.app(environ, start_response)
