"""Models in the peer SDK's layout.

``shared`` holds wire models, ``operations`` request structs, ``errors`` exceptions.
"""

from . import errors, operations, shared

__all__ = ["errors", "operations", "shared"]
