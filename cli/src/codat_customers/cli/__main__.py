"""``python -m codat_customers.cli``: the same as ``codat-customers``."""

from __future__ import annotations

from . import main

if __name__ == "__main__":
    main()
