"""pluggy-based plugins for codat-customers: hook specifications and built-in plugins.

Register your own plugin object with ``client.register_plugin(obj)``; its methods marked
with :data:`hookimpl` implement hooks from :mod:`codat_customers.plugins.hookspecs`.
"""

from .auth import AuthPlugin, RotatingAuthPlugin, authorization_value, credential_fingerprint
from .cache import CachePlugin
from .calls import Send, Sleep, plan_call, run, run_async
from .context import DEFAULT_RETRY, BackoffStrategy, CallContext, RetryConfig
from .dispatch import CallHooks, CallPluginManager, call_hooks
from .idempotency import IdempotencyPlugin
from .logs import LoggingPlugin
from .markers import PROJECT, hookimpl, hookspec
from .outcomes import describe_failure, may_have_acted
from .registry import new_plugin_manager
from .retry import RetryBudget, RetryPlugin, is_replay_safe, parse_retry_after

__all__ = [
    "DEFAULT_RETRY",
    "PROJECT",
    "AuthPlugin",
    "RotatingAuthPlugin",
    "BackoffStrategy",
    "CachePlugin",
    "CallContext",
    "CallHooks",
    "CallPluginManager",
    "IdempotencyPlugin",
    "LoggingPlugin",
    "RetryBudget",
    "RetryConfig",
    "RetryPlugin",
    "Send",
    "Sleep",
    "authorization_value",
    "call_hooks",
    "credential_fingerprint",
    "describe_failure",
    "hookimpl",
    "hookspec",
    "is_replay_safe",
    "may_have_acted",
    "new_plugin_manager",
    "parse_retry_after",
    "plan_call",
    "run",
    "run_async",
]
