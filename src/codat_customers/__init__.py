"""codat-customers: a typed, transport-agnostic SDK for Codat's Customers API.

Two clients over one pure core and one set of plugins:

* :class:`CodatAccounting` reads like ``codat-accounting``: ``s.customers.list(request=...)``
  returns the model and raises ``errors.ErrorMessage`` / ``errors.SDKError``;
* :class:`CodatCustomers` returns ``returns`` ``Result`` values for pipelines.
"""

from pkgutil import extend_path

# The core, plugins and adapters are separate distributions that each contribute one
# subpackage of ``codat_customers``; extend the search path so they merge with this one.
__path__ = extend_path(__path__, __name__)

from .client import CallOptions, CodatCustomers, CreateOptions, resolve_server_url
from .downloads import AttachmentDownload
from .sdk import CodatAccounting, CustomersResource

try:  # the workspace's one version (VERSION at the repository root), set at build time
    from importlib.metadata import version as _distribution_version

    __version__ = _distribution_version("codat-customers")
except ImportError:  # PackageNotFoundError: a source tree on sys.path, not installed
    __version__ = "unknown"

__all__ = [
    "AttachmentDownload",
    "CallOptions",
    "CodatAccounting",
    "CodatCustomers",
    "CreateOptions",
    "CustomersResource",
    "__version__",
    "resolve_server_url",
]
