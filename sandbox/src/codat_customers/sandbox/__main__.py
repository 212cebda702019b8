"""``python -m codat_customers.sandbox [options]``: the same as ``codat-customers sandbox``."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] != ["sandbox"]:
        arguments = ["sandbox", *arguments]
    sys.exit(main(arguments))
