"""Finding what a request path names, or raising the 404/409 that Codat answers instead."""

from __future__ import annotations

from .errors import ApiError
from .storage import CompanyRow, Store

__all__ = ["require_company", "require_connection", "require_customer", "require_synced"]


def require_company(store: Store, company_id: str) -> CompanyRow:
    """The company, or 404."""
    company = store.company(company_id.lower())
    if company is None:
        raise ApiError(404, f"No company was found with ID {company_id}", service="ClientsApi")
    return company


def require_synced(store: Store, company_id: str) -> CompanyRow:
    """The company, or 404; 409 if its customers were never synced into Codat's cache."""
    company = require_company(store, company_id)
    if not company.customers_synced:
        raise ApiError(409, "The data set has not been requested.")
    return company


def require_connection(store: Store, company_id: str, connection_id: str) -> tuple[CompanyRow, str]:
    """The company and its connection's platform, or 404."""
    company = require_company(store, company_id)
    platform = store.connection_platform(company.id, connection_id.lower())
    if platform is None:
        raise ApiError(404, f"Data connection {connection_id} not found")
    return company, platform


def require_customer(store: Store, company: CompanyRow, customer_id: str) -> bytes:
    """The customer's stored document, or 404."""
    doc = store.get_customer(company.id, customer_id)
    if doc is None:
        raise ApiError(404, f"No data available for customer with ID {customer_id}")
    return doc
