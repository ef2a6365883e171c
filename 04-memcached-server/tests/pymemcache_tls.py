#!/usr/bin/python3
"""pymemcache over TLS against a server started with -Z.

usage: pymemcache_tls.py HOST PORT CA_FILE [CLIENT_CERT CLIENT_KEY]

Sets, gets, deletes and counts with the certificate checked against CA_FILE and HOST; with a
client certificate it presents one. Prints "refused: ..." and exits 3 if the handshake or the
first request fails, so a test can tell a refused client from a broken server.
"""
import ssl
import sys

from pymemcache.client.base import Client


def main():
    host, port, ca_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    context = ssl.create_default_context(cafile=ca_file)  # verifies the chain and the name
    if len(sys.argv) > 5:
        context.load_cert_chain(sys.argv[4], sys.argv[5])
    client = Client((host, port), tls_context=context, connect_timeout=5, timeout=5)
    try:
        client.version()
    except (ssl.SSLError, OSError, ConnectionError) as error:
        print(f"refused: {error!r}")
        return 3
    assert client.set("tls:key", b"over TLS", noreply=False)
    assert client.get("tls:key") == b"over TLS"
    value = b"x" * 300_000  # several TLS records each way
    assert client.set("tls:big", value, noreply=False)
    assert client.get("tls:big") == value
    assert client.get_many(["tls:key", "tls:missing"]) == {"tls:key": b"over TLS"}
    client.set("tls:n", b"41")
    assert client.incr("tls:n", 1) == 42
    assert client.delete("tls:key", noreply=False)
    assert client.get("tls:key") is None
    client.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
