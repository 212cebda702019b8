"""codat-customers: a typed, transport-agnostic SDK for Codat's Customers API."""

from pkgutil import extend_path

# The core, plugins and adapters are separate distributions that each contribute one
# subpackage of ``codat_customers``; extend the search path so they merge with this one.
__path__ = extend_path(__path__, __name__)
