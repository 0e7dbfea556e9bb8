"""The client's address, as the trusted reverse proxies report it.

Behind the README's proxy every request comes from the proxy's address (REMOTE_ADDR), and the
client's own address is in X-Forwarded-For, where each trusted proxy appends the address it
received the request from. With TRUSTED_PROXY_COUNT = n, the last n hops (REMOTE_ADDR and the
n - 1 rightmost X-Forwarded-For entries) are our proxies and the entry before them is the
client; anything further left was written by the client and is never believed. With n = 0
(the default: Django faces the network) X-Forwarded-For is ignored altogether. When
TRUSTED_PROXY_NETWORKS is set, a peer outside those networks is not a proxy of ours and its
X-Forwarded-For is ignored too.

Login throttling (django-axes), rate limits and security events all ask this one function.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def _trusted_peer(remote: str) -> bool:
    networks = getattr(settings, "TRUSTED_PROXY_NETWORKS", [])
    if not networks:
        return True
    address = _valid(remote)
    if address is None:
        return False
    return any(
        ipaddress.ip_address(address) in ipaddress.ip_network(net, strict=False) for net in networks
    )


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0 or not _trusted_peer(remote):
        return _valid(remote) or None
    forwarded = [
        hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop
    ]
    hops = [*forwarded, remote]
    # hops[-1] is the nearest proxy; hops[-count - 1] the client the farthest proxy saw.
    if len(hops) <= count:
        # A request that did not pass through every trusted proxy: only the peer is known.
        return _valid(remote) or None
    return _valid(hops[-count - 1]) or _valid(remote) or None
