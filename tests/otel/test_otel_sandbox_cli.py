"""`codat-customers sandbox --trace` prints a SERVER span per request, in the caller's trace."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

from codat_customers.plugins.opentelemetry import OpenTelemetryPlugin
from codat_customers.sandbox import DEMO_API_KEY
from opentelemetry.trace import SpanKind
from otel_support import Traces

from codat_customers import CodatCustomers


def test_the_sandbox_command_traces_requests_with_trace() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "codat_customers.sandbox", "--port", "0", "--trace"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = ""
        while "Press Ctrl-C" not in banner:
            line = process.stdout.readline()
            if not line:
                break
            banner += line
        url = re.search(r"at (http://\S+)", banner)
        assert url, banner
        traces = Traces()
        client = CodatCustomers(
            DEMO_API_KEY, server_url=url.group(1), plugins=[OpenTelemetryPlugin(traces.provider)]
        )
        with client:
            client.list({"company_id": "8a210b68-6988-11ed-a1eb-0242ac120002"}).unwrap()
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    (attempt,) = traces.of_kind(SpanKind.CLIENT)
    trace_id = f"0x{attempt.context.trace_id:032x}"
    parent_id = f"0x{attempt.context.span_id:016x}"
    assert f'"trace_id": "{trace_id}"' in output, output
    assert f'"parent_id": "{parent_id}"' in output
    assert '"kind": "SpanKind.SERVER"' in output
    assert DEMO_API_KEY not in output  # the banner (which shows it) was read before
