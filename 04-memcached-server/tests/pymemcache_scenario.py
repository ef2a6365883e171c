#!/usr/bin/python3
"""A pymemcache session against a memcached-compatible server: python3 pymemcache_scenario.py PORT.

Exits 0 when every step behaves as memcached does, 1 with the failed check otherwise.
"""
import sys

from pymemcache.client.base import Client


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def main():
    client = Client(("127.0.0.1", int(sys.argv[1])), connect_timeout=5, timeout=5)
    check(client.set("greeting", b"hello", noreply=False), "set")
    check(client.get("greeting") == b"hello", "get after set")
    check(client.get("missing") is None, "get of a missing key")

    client.set_many({"a": b"1", "b": b"2", "c": b"3"}, noreply=False)
    check(client.get_many(["a", "b", "c", "nope"]) == {"a": b"1", "b": b"2", "c": b"3"},
          "get_many")

    value, cas = client.gets("greeting")
    check(value == b"hello" and cas is not None, "gets returns a cas")
    check(client.cas("greeting", b"changed", cas, noreply=False), "cas with the right unique")
    check(not client.cas("greeting", b"again", cas, noreply=False), "cas with a stale unique")
    check(client.get("greeting") == b"changed", "value after cas")

    client.set("counter", b"10")
    check(client.incr("counter", 5) == 15, "incr")
    check(client.decr("counter", 20) == 0, "decr clamps at zero")
    check(client.incr("no-counter", 1) is None, "incr of a missing key")

    check(client.touch("greeting", 100, noreply=False), "touch")
    check(not client.touch("missing", 100, noreply=False), "touch of a missing key")
    check(client.add("greeting", b"x", noreply=False) is False, "add of a present key")
    check(client.replace("greeting", b"replaced", noreply=False), "replace")
    check(client.append("greeting", b"!", noreply=False), "append")
    check(client.prepend("greeting", b"<", noreply=False), "prepend")
    check(client.get("greeting") == b"<replaced!", "value after append and prepend")

    binary = bytes(range(256)) + b"\r\nEND\r\n"
    client.set("binary", binary)
    check(client.get("binary") == binary, "binary-safe value")

    check(client.delete("greeting", noreply=False), "delete")
    check(not client.delete("greeting", noreply=False), "delete of a missing key")
    check(client.flush_all(noreply=False), "flush_all")
    check(client.get("a") is None, "flush_all empties the cache")

    stats = client.stats()
    check(b"curr_items" in stats and b"get_hits" in stats, "stats has memcached's names")
    check(client.version().startswith(b"1.6."), "version starts with memcached's version")
    client.close()


if __name__ == "__main__":
    main()
