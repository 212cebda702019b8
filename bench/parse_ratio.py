"""Quick check while working: our parse of a list page versus a bare msgspec decode.

Run: ``uv run python bench/parse_ratio.py``. Prints microseconds per call (min of repeats)
and the ratio to the floor; the aim is at most 1.3x for pages of 100 and 5000.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from codat_customers.core import LIST, HttpResponse
from codat_customers.core.models import Customers
from fixtures import customers_page


def best(func: object, number: int) -> float:
    """Best per-call seconds over 7 repeats."""
    timer = timeit.Timer(func)  # type: ignore[arg-type]
    return min(timer.repeat(repeat=7, number=number)) / number


def main() -> None:
    """Print the ratio for pages of 1, 100 and 5000 customers."""
    headers = {"content-type": "application/json"}
    for count, number in ((1, 20000), (100, 400), (5000, 8)):
        body = customers_page(count)
        decoder = msgspec.json.Decoder(Customers)
        floor = best(lambda d=decoder, b=body: d.decode(b), number)
        ours = best(lambda b=body: LIST.parse(HttpResponse(200, headers, b)), number)
        print(
            f"page of {count:>4}: floor {floor * 1e6:9.1f} us  parse {ours * 1e6:9.1f} us"
            f"  ratio {ours / floor:5.2f}x"
        )


if __name__ == "__main__":
    main()
