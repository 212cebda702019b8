"""The pure core of codat-customers: models, request builders and response parsers.

Importing this package needs only ``msgspec`` and ``returns``. Nothing in it performs I/O,
logs, reads a clock, draws random numbers or keeps mutable module state: an operation is
``build(request_struct) -> HttpRequest`` and ``parse(HttpResponse) -> Result``.
"""

# Every public name of the submodules, re-exported: the package is the core's one API.
from . import errors, http, operations, transport
from .errors import *  # noqa: F403
from .http import *  # noqa: F403
from .operations import *  # noqa: F403
from .transport import *  # noqa: F403

__all__ = [*errors.__all__, *http.__all__, *operations.__all__, *transport.__all__]  # noqa: PLE0604
