"""User code with mistakes: each is flagged by mypy --strict and by basedpyright (strict).

Each ``# expect-<checker>[<code>]: <text>`` comment says that the next code line gets an
error with that code whose message contains ``<text>``; a line gets exactly the errors its
comments list, and lines without comments get none (``test_typing_checkers.py``). The five
mistakes of issue 9 come first, on both faces, sync and async; then mistakes in nested
models and enum values, the wrong request for an operation, and misused return values.

A bad dict literal passed straight as ``request`` is reported as a whole by both checkers:
the parameter is a union of the request struct and its TypedDict, and neither checker then
blames one key. Annotated with the TypedDict (the last block), a dict gets its key named.
"""

from __future__ import annotations

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import operations, shared

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
ACTIVE: shared.CustomerTypedDict = {"status": "Active"}
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"


def seed_mistakes(s: CodatAccounting) -> None:
    """The five everyday mistakes, through ``CodatAccounting().customers``."""
    # expect-mypy[arg-type]: expected "ListCustomersRequest | ListCustomersRequestTypedDict"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    s.customers.list(request={"company_id": COMPANY, "colour": "red"})
    # expect-mypy[arg-type]: expected "ListCustomersRequest | ListCustomersRequestTypedDict"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    s.customers.list(request={"company_idd": COMPANY})
    # expect-mypy[arg-type]: expected "ListCustomersRequest | ListCustomersRequestTypedDict"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    s.customers.list(request={"company_id": COMPANY, "page": "2"})
    # expect-mypy[arg-type]: expected "GetCustomerRequest | GetCustomerRequestTypedDict"
    # expect-pyright[reportArgumentType]: is not assignable to "GetCustomerRequestTypedDict"
    s.customers.get(request={"company_id": COMPANY})
    s.customers.create(
        # expect-mypy[arg-type]: "CreateCustomerRequest | CreateCustomerRequestTypedDict"
        # expect-pyright[reportArgumentType]: not assignable to "CreateCustomerRequestTypedDict"
        request={
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer": {"status": "Active", "customer_name": 5},
        }
    )


async def seed_async_mistakes(s: CodatAccounting) -> None:
    """The same through the ``*_async`` twins and the page iterators."""
    # expect-mypy[arg-type]: "list_async" of "CustomersResource"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    await s.customers.list_async(request={"company_idd": COMPANY})
    # expect-mypy[arg-type]: "get_async" of "CustomersResource"
    # expect-pyright[reportArgumentType]: is not assignable to "GetCustomerRequestTypedDict"
    await s.customers.get_async(request={"company_id": COMPANY})
    # expect-mypy[arg-type]: "iter_all" of "CustomersResource"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    s.customers.iter_all(request={"company_id": COMPANY, "page_size": "100"})
    # expect-mypy[arg-type]: "aiter_all" of "CustomersResource"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    s.customers.aiter_all(request={"company": COMPANY})


def result_mistakes(r: CodatCustomers) -> None:
    """The five mistakes through the Result face, and its paging and async methods."""
    # expect-mypy[arg-type]: expected "ListCustomersRequest | ListCustomersRequestTypedDict"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    r.list({"company_id": COMPANY, "colour": "red"})
    # expect-mypy[arg-type]: expected "ListCustomersRequest | ListCustomersRequestTypedDict"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    r.list({"company_idd": COMPANY})
    # expect-mypy[arg-type]: expected "ListCustomersRequest | ListCustomersRequestTypedDict"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    r.list({"company_id": COMPANY, "page": "2"})
    # expect-mypy[arg-type]: expected "GetCustomerRequest | GetCustomerRequestTypedDict"
    # expect-pyright[reportArgumentType]: is not assignable to "GetCustomerRequestTypedDict"
    r.get({"company_id": COMPANY})
    # expect-mypy[arg-type]: "CreateCustomerRequest | CreateCustomerRequestTypedDict"
    # expect-pyright[reportArgumentType]: not assignable to "CreateCustomerRequestTypedDict"
    r.create({"company_id": COMPANY, "connection_id": CONNECTION, "customer": {"status": 1}})
    # expect-mypy[arg-type]: "list_async" of "CodatCustomers"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    r.list_async({"company_idd": COMPANY})
    # expect-mypy[arg-type]: "iter_pages" of "CodatCustomers"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    r.iter_pages({"company_id": COMPANY, "page": "2"})
    # expect-mypy[arg-type]: "aiter_pages" of "CodatCustomers"
    # expect-pyright[reportArgumentType]: is not assignable to "ListCustomersRequestTypedDict"
    r.aiter_pages({"customer_id": "C-1"})


# Wrong types, keys and enum values inside the customer, its addresses, contacts and phones.
# expect-mypy[typeddict-item]: "Literal['Activ']", TypedDict item "status"
# expect-pyright[reportAssignmentType]: "Literal['Activ']" is not assignable to "CustomerStatus"
BAD_STATUS: shared.CustomerTypedDict = {"status": "Activ"}
# expect-mypy[typeddict-item]: "int", TypedDict item "customer_name" has type "str | None"
# expect-pyright[reportAssignmentType]: "Literal[5]" is not assignable to type "str | None"
BAD_NAME: shared.CustomerTypedDict = {"status": "Active", "customer_name": 5}
# expect-mypy[typeddict-item]: Missing key "status" for TypedDict "CustomerTypedDict"
# expect-pyright[reportAssignmentType]: "status" is required in "CustomerTypedDict"
NO_STATUS: shared.CustomerTypedDict = {"customer_name": "Acme"}
# expect-mypy[typeddict-item]: "int", TypedDict item "postal_code" has type "str | None"
# expect-pyright[reportAssignmentType]: "Literal[1]" is not assignable to type "str | None"
BAD_ADDRESS: shared.ItemsTypedDict = {"type": "Billing", "postal_code": 1}
# expect-mypy[typeddict-item]: "Literal['Home']", TypedDict item "type"
# expect-pyright[reportAssignmentType]: "Literal['Home']" is not assignable to type
BAD_ADDRESS_TYPE: shared.ItemsTypedDict = {"type": "Home"}
# expect-mypy[typeddict-item]: Missing key "number" for TypedDict "PhoneNumberItemsTypedDict"
# expect-pyright[reportAssignmentType]: "number" is required in "PhoneNumberItemsTypedDict"
NO_NUMBER: shared.PhoneNumberItemsTypedDict = {"type": "Fax"}
# expect-mypy[typeddict-item]: "Literal['Pager']", TypedDict item "type"
# expect-pyright[reportAssignmentType]: "Literal['Pager']" is not assignable to type
BAD_PHONE_TYPE: shared.PhoneNumberItemsTypedDict = {"number": None, "type": "Pager"}
# expect-mypy[typeddict-item]: "str", TypedDict item "phone" has type "Sequence[
# expect-pyright[reportAssignmentType]: "str" is not assignable to "PhoneNumberItemsTypedDict"
BAD_CONTACT: shared.ContactTypedDict = {"status": "Active", "phone": "+44 20 7946 0000"}
# expect-mypy[typeddict-item]: "str", TypedDict item "is_deleted" has type "bool | None"
# expect-pyright[reportAssignmentType]: "Literal['no']" is not assignable to type "bool | None"
BAD_DELETED: shared.MetadataTypedDict = {"is_deleted": "no"}
# expect-mypy[typeddict-item]: "list[str]", TypedDict item "content"
# expect-pyright[reportAssignmentType]: "list[str]" is not assignable to "dict[str, dict[str, Any]]"
BAD_CONTENT: shared.SupplementalDataTypedDict = {"content": ["a"]}


def nested_mistakes(s: CodatAccounting) -> None:
    """Mistakes deep inside a request passed inline."""
    s.customers.create(
        # expect-mypy[arg-type]: "CreateCustomerRequest | CreateCustomerRequestTypedDict"
        # expect-pyright[reportArgumentType]: not assignable to "CreateCustomerRequestTypedDict"
        request={
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer": {"status": "Active", "addresses": [{"type": "Billing", "city": 7}]},
        }
    )
    s.customers.update(
        # expect-mypy[arg-type]: "UpdateCustomerRequest | UpdateCustomerRequestTypedDict"
        # expect-pyright[reportArgumentType]: not assignable to "UpdateCustomerRequestTypedDict"
        request={
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": "C-1",
            "customer": {"status": "Active", "contacts": [{"status": "Active", "phone": [{}]}]},
        }
    )


def wrong_requests(s: CodatAccounting, r: CodatCustomers) -> None:
    """The request struct of another operation, and a dict that is not typed."""
    get = operations.GetCustomerRequest(company_id=COMPANY, customer_id="C-1")
    # expect-mypy[arg-type]: incompatible type "GetCustomerRequest"
    # expect-pyright[reportArgumentType]: "GetCustomerRequest" is not assignable to
    s.customers.list(request=get)
    untyped = {"company_id": COMPANY}
    # expect-mypy[arg-type]: incompatible type "dict[str, str]"
    # expect-pyright[reportArgumentType]: "dict[str, str]" is not assignable to
    r.list(untyped)


def seed_list_is_not_a_customer(s: CodatAccounting) -> shared.Customer:
    """``list`` returns a page (``Customers``)."""
    # expect-mypy[return-value]: (got "Customers", expected "Customer")
    # expect-pyright[reportReturnType]: "Customers" is not assignable to return type "Customer"
    return s.customers.list(request={"company_id": COMPANY})


def result_list_is_a_result(r: CodatCustomers) -> shared.Customers:
    """The Result face returns ``Result[Customers, CodatError]``, not the page."""
    # expect-mypy[return-value]: (got "Result[Customers, CodatError]", expected "Customers")
    # expect-pyright[reportReturnType]: "Result[Customers, CodatError]" is not assignable
    return r.list({"company_id": COMPANY})


async def async_get_is_a_coroutine(s: CodatAccounting) -> shared.Customer:
    """``get_async`` returns a coroutine, to be awaited."""
    # expect-mypy[return-value]: (got "Coroutine[Any, Any, Customer]", expected "Customer")
    # expect-pyright[reportReturnType]: "CoroutineType[Any, Any, Customer]" is not assignable
    return s.customers.get_async(request={"company_id": COMPANY, "customer_id": "C-1"})


# Annotated with the TypedDict, a dict gets the offending key named by both checkers.
# expect-mypy[typeddict-unknown-key]: Extra key "colour" for TypedDict
# expect-pyright[reportAssignmentType]: "colour" is an undefined item in type
UNKNOWN: operations.ListCustomersRequestTypedDict = {"company_id": COMPANY, "colour": "red"}
# expect-mypy[typeddict-item]: Missing key "company_id" for TypedDict
# expect-mypy[typeddict-unknown-key]: Extra key "company_idd" for TypedDict
# expect-pyright[reportAssignmentType]: "company_idd" is an undefined item in type
MISSPELT: operations.ListCustomersRequestTypedDict = {"company_idd": COMPANY}
# expect-mypy[typeddict-item]: (expression has type "str", TypedDict item "page" has type "int")
# expect-pyright[reportAssignmentType]: "Literal['2']" is not assignable to "int"
WRONG_TYPE: operations.ListCustomersRequestTypedDict = {"company_id": COMPANY, "page": "2"}
# expect-mypy[typeddict-item]: Missing key "customer_id" for TypedDict
# expect-pyright[reportAssignmentType]: "customer_id" is required in "GetCustomerRequestTypedDict"
MISSING: operations.GetCustomerRequestTypedDict = {"company_id": COMPANY}
# expect-mypy[typeddict-item]: Missing key "customer" for TypedDict
# expect-pyright[reportAssignmentType]: "customer" is required in "CreateCustomerRequestTypedDict"
NO_CUSTOMER: operations.CreateCustomerRequestTypedDict = {
    "company_id": COMPANY,
    "connection_id": "c",
}
NULL_CUSTOMER: operations.UpdateCustomerRequestTypedDict = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer_id": "C-1",
    # expect-mypy[typeddict-item]: (expression has type "None", TypedDict item "customer"
    # expect-pyright[reportAssignmentType]: "None" is not assignable to "CustomerTypedDict"
    "customer": None,
}
NESTED: operations.CreateCustomerRequestTypedDict = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    # expect-mypy[typeddict-item]: TypedDict item "customer" has type "CustomerTypedDict | Customer"
    # expect-pyright[reportAssignmentType]: is not assignable to "CustomerTypedDict"
    "customer": {"status": "Active", "customer_name": 5},
}


# The per-call options and the retry budget, with values of the wrong type.
def seed_option_mistakes(s: CodatAccounting) -> None:
    """Wrong per-call options on the seed face, sync."""
    s.customers.create(
        request={"company_id": COMPANY, "connection_id": CONNECTION, "customer": ACTIVE},
        # expect-mypy[arg-type]: "idempotency_key" to "create" of "CustomersResource"
        # expect-pyright[reportArgumentType]: cannot be assigned to parameter "idempotency_key"
        idempotency_key=123,
    )
    # expect-mypy[dict-item]: Dict entry 0 has incompatible type "str": "int"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "http_headers"
    s.customers.get(request={"company_id": COMPANY, "customer_id": "C-1"}, http_headers={"a": 1})
    # expect-mypy[arg-type]: "deadline_ms" to "list" of "CustomersResource"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "deadline_ms"
    s.customers.list(request={"company_id": COMPANY}, deadline_ms="5")


async def seed_async_option_mistakes(s: CodatAccounting) -> None:
    """Wrong per-call options on the seed face, async."""
    await s.customers.create_async(
        request={"company_id": COMPANY, "connection_id": CONNECTION, "customer": ACTIVE},
        # expect-mypy[arg-type]: "idempotency_key" to "create_async" of "CustomersResource"
        # expect-pyright[reportArgumentType]: cannot be assigned to parameter "idempotency_key"
        idempotency_key=123,
    )
    await s.customers.get_async(
        request={"company_id": COMPANY, "customer_id": "C-1"},
        # expect-mypy[dict-item]: Dict entry 0 has incompatible type "str": "int"
        # expect-pyright[reportArgumentType]: cannot be assigned to parameter "http_headers"
        http_headers={"a": 1},
    )
    # expect-mypy[arg-type]: "deadline_ms" to "list_async" of "CustomersResource"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "deadline_ms"
    await s.customers.list_async(request={"company_id": COMPANY}, deadline_ms="5")


def result_option_mistakes(r: CodatCustomers) -> None:
    """Wrong per-call options on the Result face, sync."""
    r.create(
        {"company_id": COMPANY, "connection_id": CONNECTION, "customer": ACTIVE},
        # expect-mypy[arg-type]: "idempotency_key" to "create" of "CodatCustomers"
        # expect-pyright[reportArgumentType]: cannot be assigned to parameter "idempotency_key"
        idempotency_key=123,
    )
    # expect-mypy[dict-item]: Dict entry 0 has incompatible type "str": "int"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "http_headers"
    r.get({"company_id": COMPANY, "customer_id": "C-1"}, http_headers={"a": 1})
    # expect-mypy[arg-type]: "deadline_ms" to "list" of "CodatCustomers"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "deadline_ms"
    r.list({"company_id": COMPANY}, deadline_ms="5")


async def result_async_option_mistakes(r: CodatCustomers) -> None:
    """Wrong per-call options on the Result face, async."""
    await r.create_async(
        {"company_id": COMPANY, "connection_id": CONNECTION, "customer": ACTIVE},
        # expect-mypy[arg-type]: "idempotency_key" to "create_async" of "CodatCustomers"
        # expect-pyright[reportArgumentType]: cannot be assigned to parameter "idempotency_key"
        idempotency_key=123,
    )
    # expect-mypy[dict-item]: Dict entry 0 has incompatible type "str": "int"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "http_headers"
    await r.get_async({"company_id": COMPANY, "customer_id": "C-1"}, http_headers={"a": 1})
    # expect-mypy[arg-type]: "deadline_ms" to "list_async" of "CodatCustomers"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "deadline_ms"
    await r.list_async({"company_id": COMPANY}, deadline_ms="5")


def budget_mistakes() -> None:
    """``retry_budget`` takes a RetryBudget (or None), not a number or a percentage."""
    # expect-mypy[arg-type]: "retry_budget" to "CodatCustomers" has incompatible type "int"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "retry_budget"
    CodatCustomers("key", retry_budget=10)
    # expect-mypy[arg-type]: "retry_budget" to "CodatAccounting" has incompatible type "str"
    # expect-pyright[reportArgumentType]: cannot be assigned to parameter "retry_budget"
    CodatAccounting(security=None, retry_budget="10%")
