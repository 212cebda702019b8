"""Running the sandbox under uvicorn: in the foreground for the CLI, or in a background
thread for tests (`SandboxServer`)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import msgspec
import uvicorn
from starlette.applications import Starlette

from .app import DEMO_API_KEY, create_app, sandbox_state
from .clock import Clock, system_clock
from .faults import FaultConfig
from .seed import SeedInfo
from .state import SandboxState
from .storage import Store
from .writes import WriteConfig

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

__all__ = ["SandboxServer", "bind_socket", "uvicorn_config"]


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
    # without it, small responses on a kept-alive connection wait ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: Starlette, *, log_level: str = "warning") -> uvicorn.Config:
    """The uvicorn settings the sandbox runs with."""
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        # A client that drops a big download must not hold shutdown for long.
        timeout_graceful_shutdown=2,
    )


class SandboxServer:
    """A sandbox served by uvicorn in a background thread on ``127.0.0.1``.

    Use it as a context manager. Without ``db_path`` it gets a fresh temporary database,
    deleted on exit; with one, data survives for the next server on the same file. With
    ``snapshot``, a new database is filled from that snapshot file instead of seeded.
    ``companies=N`` seeds N more companies with ``customers`` customers each
    (:attr:`company_ids`). ``writes`` sets how pushes complete and when written records show
    (`WriteConfig`); ``push_mode="async"`` (or ``"immediate"``) is the shortcut for its mode.
    With ``tracer_provider``, requests are traced as SERVER spans (see `create_app`).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        customers: int = 40,
        api_key: str = DEMO_API_KEY,
        db_path: str | Path | None = None,
        faults: FaultConfig | None = None,
        clock: Clock = system_clock,
        host: str = "127.0.0.1",
        port: int = 0,
        snapshot: str | Path | None = None,
        companies: int = 0,
        writes: WriteConfig | None = None,
        push_mode: str | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        if push_mode is not None:
            writes = msgspec.convert(
                {**msgspec.to_builtins(writes or WriteConfig()), "push_mode": push_mode},
                WriteConfig,
            )
        self._store = Store(db_path)
        self.app = create_app(
            store=self._store,
            seed=seed,
            customers=customers,
            api_key=api_key,
            faults=faults,
            clock=clock,
            snapshot=snapshot,
            companies=companies,
            writes=writes,
            tracer_provider=tracer_provider,
        )
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._bound_port = 0
        self._socket: socket.socket | None = None

    # --- what tests read -------------------------------------------------------------

    @property
    def state(self) -> SandboxState:
        """The app's shared state (store, faults, seed)."""
        return sandbox_state(self.app)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._bound_port}"

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._bound_port

    @property
    def api_key(self) -> str:
        """The API key the sandbox accepts."""
        return self.state.api_key

    @property
    def auth_header(self) -> str:
        """The full ``Authorization`` header value: ``Basic <base64 of the key>``."""
        return self.state.auth_header

    @property
    def db_path(self) -> Path:
        """The SQLite file."""
        return self._store.path

    @property
    def seed(self) -> SeedInfo:
        """Ids of the seeded records."""
        info = self.state.seed
        assert info is not None, "the database was not seeded by this sandbox"
        return info

    @property
    def company_id(self) -> str:
        """The seeded company that has customers."""
        return self.seed.company_id

    @property
    def connection_id(self) -> str:
        """The connection of `company_id`."""
        return self.seed.connection_id

    @property
    def customer_id(self) -> str:
        """A seeded customer that has attachments."""
        return self.seed.customer_id

    @property
    def attachment_id(self) -> str:
        """The first attachment of `customer_id` (a PDF)."""
        return self.seed.attachment_ids[0]

    @property
    def attachment_ids(self) -> list[str]:
        """All attachments of `customer_id`: a PDF, a PNG and a CSV."""
        return list(self.seed.attachment_ids)

    @property
    def company_ids(self) -> list[str]:
        """Every seeded company that has customers: `company_id`, then the ``companies=N``."""
        return [self.company_id, *(c.company_id for c in self.seed.more_companies)]

    @property
    def unsynced_company_id(self) -> str:
        """A company whose customers were never synced (list and get answer 409)."""
        return self.seed.unsynced_company_id

    def set_faults(self, config: FaultConfig | None = None, **changes: object) -> FaultConfig:
        """Switch faults: a whole ``config``, or changes to the current one by field name."""
        faults = self.state.faults
        if config is None:
            config = msgspec.convert({**msgspec.to_builtins(faults.config), **changes}, FaultConfig)
        faults.configure(config)
        return config

    def clear_faults(self) -> None:
        """Switch every fault off."""
        self.state.faults.configure(FaultConfig())

    def set_writes(self, config: WriteConfig | None = None, **changes: object) -> WriteConfig:
        """Switch the push mode or the sync: a whole ``config``, or changes by field name."""
        writes = self.state.writes
        if config is None:
            config = msgspec.convert({**msgspec.to_builtins(writes.config), **changes}, WriteConfig)
        writes.configure(config)
        return config

    def sync(self) -> int:
        """Run a sync now (every landed write becomes visible); returns how many did."""
        return self.state.writes.sync()

    def complete_pushes(self) -> int:
        """Complete every Pending push now; returns how many there were."""
        return self.state.writes.complete_all()

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> SandboxServer:
        """Start serving; returns once the server accepts connections."""
        sock = bind_socket(self._host, self._port)
        self._bound_port = sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn_config(self.app))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"codat-sandbox-{self._bound_port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.005)
        self._socket = sock
        return self

    def stop(self) -> None:
        """Stop serving and close the database (a temporary one is deleted)."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = None
        self._thread = None
        self._socket = None
        self._store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
