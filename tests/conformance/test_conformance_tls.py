"""TLS on every adapter, both faces: verification on by default, a private CA, host names,
and TLS failures classified by whether the request had been sent.

The servers are local HTTPS servers (:mod:`tls_support`) with certificates from a
``trustme`` CA, and they count the requests that reached them: "not sent" and "sent once"
are read at the server, not inferred from the client's errors.
"""

from __future__ import annotations

import pickle
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import trustme
import urllib3
from codat_customers.adapters.httpx import HttpxTransport
from codat_customers.adapters.urllib3 import Urllib3Transport
from codat_customers.core import ApiError, CertificateVerificationError, ConnectError, ProtocolError
from codat_customers.plugins import BackoffStrategy, RetryConfig
from conformance_support import Adapter, AttemptCounter, Driver, Style
from returns.result import Failure
from tls_support import Answer, Pki, Script, ScriptedServer, tls_server

from codat_customers import CodatAccounting

# Retries on for every failure the policy allows, after a millisecond or two.
RETRY_EVERYTHING = RetryConfig("backoff", BackoffStrategy(1, 5, 1.5, 2_000), True)
CUSTOMER = {"customer_name": "Acme", "status": "Active"}


@pytest.fixture(scope="module")
def pki() -> Pki:
    """A CA made for this module: trusted only by clients given its context."""
    return Pki(trustme.CA())


def _get(driver: Driver) -> dict[str, Any]:
    return {"company_id": driver.sandbox.company_id, "customer_id": "c1"}


def _update(driver: Driver) -> dict[str, Any]:
    sandbox = driver.sandbox
    return {
        "company_id": sandbox.company_id,
        "connection_id": sandbox.connection_id,
        "customer_id": "c1",
        "customer": CUSTOMER,
    }


def _request(driver: Driver, name: str) -> dict[str, Any]:
    return _get(driver) if name == "get" else _update(driver)


def _assert_no_secret(driver: Driver, error: BaseException) -> None:
    text = f"{error} {error!r}"
    assert driver.sandbox.api_key not in text
    assert driver.sandbox.auth_header not in text


# --- verification on by default ---------------------------------------------------------


@pytest.mark.parametrize("name", ["get", "update"])
def test_an_untrusted_certificate_is_a_clear_error_not_retried_and_nothing_reaches_the_server(
    driver: Driver, style: Style, pki: Pki, name: str
) -> None:
    counter = AttemptCounter()
    with tls_server(pki) as server:
        client = driver.client(
            server_url=server.url(), retry_config=RETRY_EVERYTHING, plugins=[counter]
        )
        error = driver.invoke(style, client, name, _request(driver, name)).failure()
    assert isinstance(error, CertificateVerificationError), repr(error)
    assert isinstance(error, ConnectError)  # connect-class: nothing was sent
    message = str(error)
    assert "certificate verify failed: unable to get local issuer certificate" in message
    assert "ssl_context=" in message  # says what to do
    assert error.outcome_unknown is False
    _assert_no_secret(driver, error)
    assert server.seen == []
    assert server.handshake_failures == 1
    # Retrying cannot make the certificate trusted: one attempt, even with retries on.
    assert counter.attempts == ["CertificateVerificationError"]


def test_a_supplied_ca_is_trusted(driver: Driver, style: Style, pki: Pki) -> None:
    with tls_server(pki, Script(answers={1: "ok"})) as server:
        client = driver.client(server_url=server.url(), ssl_context=pki.client_context())
        customer = driver.invoke(style, client, "get", _get(driver)).unwrap()
    assert customer.customer_name == "Acme"
    assert [(seen.method, seen.connection) for seen in server.seen] == [("GET", 1)]


def test_localhost_matches_the_certificate_too(driver: Driver, pki: Pki) -> None:
    with tls_server(pki, Script(answers={1: "ok"})) as server:
        client = driver.client(server_url=server.url("localhost"), ssl_context=pki.client_context())
        assert driver.invoke("result", client, "get", _get(driver)).unwrap().id == "c1"
    assert len(server.seen) == 1


def test_a_certificate_for_another_host_is_a_clear_error(
    driver: Driver, style: Style, pki: Pki
) -> None:
    with tls_server(pki, None, "api.example.test") as server:
        client = driver.client(
            server_url=server.url(), ssl_context=pki.client_context(), retry_config=RETRY_EVERYTHING
        )
        error = driver.invoke(style, client, "get", _get(driver)).failure()
    assert isinstance(error, CertificateVerificationError), repr(error)
    assert "certificate is not valid for '127.0.0.1'" in str(error), str(error)
    _assert_no_secret(driver, error)
    assert server.seen == []


# --- the seed face ------------------------------------------------------------------------


@pytest.fixture
def seed_server(pki: Pki) -> Iterator[ScriptedServer]:
    """An HTTPS server answering every GET with a customer."""
    with tls_server(pki, Script(answers={n: "ok" for n in range(1, 10)})) as server:
        yield server


def test_the_seed_client_verifies_by_default(seed_server: ScriptedServer) -> None:
    s = CodatAccounting(security="key", server_url=seed_server.url() + "/base")
    with pytest.raises(CertificateVerificationError, match="certificate verify failed"):
        s.customers.get(request={"company_id": "co", "customer_id": "c1"})
    assert seed_server.seen == []
    s.close()


@pytest.mark.parametrize("how", ["urllib3", "httpx-client"])
def test_the_seed_client_trusts_a_supplied_ca(
    seed_server: ScriptedServer, pki: Pki, how: str
) -> None:
    context = pki.client_context()
    options: dict[str, Any] = (
        {"transport": Urllib3Transport(ssl_context=context)}
        if how == "urllib3"
        else {"client": httpx.Client(verify=context)}
    )
    s = CodatAccounting(security="key", server_url=seed_server.url() + "/base", **options)
    customer = s.customers.get(request={"company_id": "co", "customer_id": "c1"})
    assert customer.customer_name == "Acme"
    assert seed_server.seen[0].path == "/base/companies/co/data/customers/c1"
    s.close()
    client = options.get("client")
    if isinstance(client, httpx.Client):
        client.close()


def test_a_transport_and_its_own_client_cannot_both_carry_tls_settings(pki: Pki) -> None:
    context = pki.client_context()
    with pytest.raises(ValueError, match="not both"):
        Urllib3Transport(urllib3.PoolManager(), ssl_context=context)
    with httpx.Client() as library_client, pytest.raises(ValueError, match="not both"):
        HttpxTransport(library_client, ssl_context=context)


# --- TLS failures: before the request was sent, or after --------------------------------


def _scripted_call(
    driver: Driver, pki: Pki, script: Script, name: str
) -> tuple[BaseException | None, list[int | str], ScriptedServer]:
    counter = AttemptCounter()
    with tls_server(pki, script) as server:
        client = driver.client(
            server_url=server.url(),
            ssl_context=pki.client_context(),
            retry_config=RETRY_EVERYTHING,
            plugins=[counter],
        )
        outcome = driver.invoke("result", client, name, _request(driver, name))
    error = outcome.failure() if isinstance(outcome, Failure) else None
    return error, counter.attempts, server


@pytest.mark.parametrize("answer", ["break-tls", "break-tls-mid-body"])
def test_a_tls_error_after_sending_an_update_is_not_resent(
    driver: Driver, pki: Pki, answer: Answer
) -> None:
    error, attempts, server = _scripted_call(driver, pki, Script(answers={1: answer}), "update")
    assert isinstance(error, ProtocolError), repr(error)
    assert error.outcome_unknown is True
    assert attempts == ["ProtocolError"]
    assert [seen.method for seen in server.seen] == ["PUT"]


@pytest.mark.parametrize("answer", ["break-tls", "break-tls-mid-body"])
def test_a_get_is_resent_after_a_tls_error_after_sending(
    driver: Driver, pki: Pki, answer: Answer
) -> None:
    script = Script(answers={1: answer, 2: "ok"})
    error, attempts, server = _scripted_call(driver, pki, script, "get")
    assert error is None
    assert attempts == ["ProtocolError", 200]
    assert [seen.method for seen in server.seen] == ["GET", "GET"]


def test_a_failed_handshake_before_an_update_is_resent(driver: Driver, pki: Pki) -> None:
    # The first connection answers the handshake with plain HTTP: TLS fails before a byte
    # of the request could be written, so even an update may go again.
    script = Script(handshakes={1: "not-tls"}, answers={1: "404"})
    error, attempts, server = _scripted_call(driver, pki, script, "update")
    assert attempts == ["ConnectError", 404]
    assert [(seen.method, seen.connection) for seen in server.seen] == [("PUT", 2)]
    assert isinstance(error, ApiError) and error.status == 404


def test_the_default_context_is_verifying(pki: Pki) -> None:
    """The contexts the tests hand out verify, so a pass above is not verification off."""
    context = pki.client_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_a_transport_given_an_ssl_context_says_it_cannot_be_pickled(
    adapter: Adapter, pki: Pki
) -> None:
    make = adapter.make_sync or adapter.make_async
    assert make is not None
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(make(ssl_context=pki.client_context()))
