"""Request structs of the eight Customers operations, under the peer SDK's names."""

from codat_customers.core import requests as _requests
from codat_customers.core.requests import *  # noqa: F403

__all__ = list(_requests.__all__)
