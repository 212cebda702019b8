"""Retry configuration in the peer SDK's shapes.

``RetryConfig("backoff", BackoffStrategy(500, 60000, 1.5, 3600000), True)``.
"""

from codat_customers.plugins.context import DEFAULT_RETRY, BackoffStrategy, RetryConfig

__all__ = ["DEFAULT_RETRY", "BackoffStrategy", "RetryConfig"]
