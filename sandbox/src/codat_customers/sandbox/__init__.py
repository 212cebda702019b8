"""A local, stateful server of Codat's Customers API, for demos, tests and fault injection.

``SandboxServer`` runs it on a free localhost port in a background thread; ``create_app``
returns the ASGI app for in-process use; ``codat-customers sandbox`` serves it from the
command line; the ``codat_sandbox`` pytest fixture gives each test a fresh one.
"""

from .app import DEMO_API_KEY, create_app, sandbox_state
from .faults import FaultConfig
from .seed import (
    DEMO_COMPANY_ID,
    DEMO_CONNECTION_ID,
    UNSYNCED_COMPANY_ID,
    UNSYNCED_CONNECTION_ID,
    SeedInfo,
)
from .server import SandboxServer
from .state import SandboxState, auth_header_for
from .storage import Store

__all__ = [
    "DEMO_API_KEY",
    "DEMO_COMPANY_ID",
    "DEMO_CONNECTION_ID",
    "UNSYNCED_COMPANY_ID",
    "UNSYNCED_CONNECTION_ID",
    "FaultConfig",
    "SandboxServer",
    "SandboxState",
    "SeedInfo",
    "Store",
    "auth_header_for",
    "create_app",
    "sandbox_state",
]
