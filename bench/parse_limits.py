"""How long parsing hostile and huge bodies takes, at sizes n, 2n and 4n: figures, not tests.

Each shape is parsed by ``GET.parse`` (the core, no socket) at three sizes, and its depth
scan is timed alone; a linear cost doubles from one column to the next, a quadratic one
quadruples. Bodies that decode into many containers (the "wide" row) spend their time in
msgspec and the garbage collector, not in the scan. The last
rows compare a page of customers parsed by the core with msgspec's bare decode of the same
bytes, and show what the depth scan alone costs on them (the default parsers run it only
where the recursion limit was raised on CPython < 3.12: see ``MAX_JSON_DEPTH``).

    uv run --all-extras python bench/parse_limits.py            # n = 250,000
    uv run --all-extras python bench/parse_limits.py --n 50000  # quicker

Every figure is the best of ``--repeats`` runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import msgspec
from codat_customers.core import GET, LIST, HttpResponse
from codat_customers.core.models import Customers
from codat_customers.core.operations import _nested_deeper_than
from fixtures import customers_page

JSON = {"content-type": "application/json"}


def _customer_around(inner: bytes) -> bytes:
    return b'{"status":"Active","supplementalData":{"content":{"x":{"y":' + inner + b"}}}}"


SHAPES: dict[str, Callable[[int], bytes]] = {
    "deep: n x '['": lambda n: b"[" * n,
    "deep: n x '[' + n x ']' in supplementalData": lambda n: _customer_around(b"[" * n + b"]" * n),
    "deep: n x '[\"]\",' (closers in strings)": lambda n: b'["]",' * n,
    "long string: 40n bytes": lambda n: (
        b'{"status":"Active","customerName":"' + b"x" * (40 * n) + b'"}'
    ),
    "many keys: n keys": lambda n: _customer_around(
        b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(n)) + b"}"
    ),
    "wide: n arrays of depth 10": lambda n: _customer_around(
        b"[" + b",".join([b"[" * 10 + b"]" * 10] * n) + b"]"
    ),
}


def best_ms(action: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``action``, in milliseconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    """Print one row per shape: size and time at n, 2n and 4n."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sizes = (args.n, 2 * args.n, 4 * args.n)
    print("parse / depth scan alone, best of", args.repeats)
    print(f"{'shape':<48} " + " ".join(f"{'n=' + format(n, ','):>28}" for n in sizes))
    for name, make in SHAPES.items():
        cells = []
        for n in sizes:
            body = make(n)
            response = HttpResponse(200, JSON, body)
            ms = best_ms(lambda response=response: GET.parse(response), args.repeats)
            scan = best_ms(lambda body=body: _nested_deeper_than(body, 128), args.repeats)
            cells.append(f"{len(body) / 1e6:5.1f} MB {ms:7.1f} / {scan:6.1f} ms")
        print(f"{name:<48} " + " ".join(f"{cell:>28}" for cell in cells))
    decoder = msgspec.json.Decoder(Customers)
    print()
    print(f"{'page of customers':<24} {'MB':>6} {'msgspec':>10} {'core':>10} {'scan':>10}")
    for count in (1250, 2500, 5000):
        body = customers_page(count)
        response = HttpResponse(200, JSON, body)
        bare = best_ms(lambda body=body: decoder.decode(body), args.repeats)
        core = best_ms(lambda response=response: LIST.parse(response), args.repeats)
        scan = best_ms(lambda body=body: _nested_deeper_than(body, 128), args.repeats)
        print(
            f"{count:>8} customers{'':<7} {len(body) / 1e6:6.1f} "
            f"{bare:8.1f}ms {core:8.1f}ms {scan:8.1f}ms"
        )


if __name__ == "__main__":
    main()
