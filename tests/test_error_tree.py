"""One error root: every exception class Crossdock defines descends from ``CrossdockError``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest

from canonical import CrossdockError
from connectors.errors import ConnectorError
from connectors.soap.errors import SoapClientFault, SoapFault, SoapServerFault
from hub.errors import HubError
from hub.registry.errors import RegistryError
from hub.retry import DEFAULT_TABLE, Action
from hub.routing.errors import RoutingError
from mappings import MappingError, SpecError

PACKAGES = ("canonical", "mappings", "connectors", "hub")

#: exceptions that are control flow inside one module and never leave it
CONTROL_FLOW = {
    "mappings._codegen.Retry",  # the fast generated path hands a document to the checked one
    "mappings._codegen._NotColumnar",  # the spec reads more than columns: no row function
    # routing's Python lowering of CEL: "evaluate with CEL instead", caught by its one caller
    # (hub.routing.expressions) or inside native.py itself
    "hub.routing.native.Unsupported",
    "hub.routing.native._NotLowered",
    # a test double's failure: a recorded answer is missing (an AssertionError on purpose)
    "connectors.sdk.testing.transports.ReplayMiss",
}


def _defined_exceptions() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package in PACKAGES:
        root = importlib.import_module(package)
        names = [package] + [
            m.name for m in pkgutil.walk_packages(root.__path__, prefix=f"{package}.")
        ]
        for name in names:
            if name.startswith("hub.migrations."):  # alembic scripts run only under alembic
                continue
            with warnings.catch_warnings():
                # a deprecated re-export warns on import (connectors.sdk.registry): this walk
                # imports every module to collect its classes, not to use the old name
                warnings.simplefilter("ignore", DeprecationWarning)
                module = importlib.import_module(name)
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, BaseException) and obj.__module__ == name:
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(found.values(), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_error_crossdock_defines_descends_from_the_one_root() -> None:
    classes = _defined_exceptions()
    assert len(classes) > 60  # the walk found the packages' errors, not nothing
    strays = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, CrossdockError)
        and f"{c.__module__}.{c.__qualname__}" not in CONTROL_FLOW
    ]
    assert strays == []


@pytest.mark.parametrize(
    "family", [ConnectorError, HubError, RoutingError, SpecError, MappingError, SoapFault]
)
def test_each_family_sits_under_the_root(family: type[Exception]) -> None:
    assert issubclass(family, CrossdockError)
    assert issubclass(RegistryError, HubError)


def test_soap_faults_are_connector_errors_and_still_decided_by_their_rows() -> None:
    server = SoapServerFault("Op", "soap:Server", "busy")
    client = SoapClientFault("Op", "soap:Client", "bad sku")
    assert isinstance(server, ConnectorError)
    assert DEFAULT_TABLE.decide(server).action is Action.RETRY
    assert DEFAULT_TABLE.decide(client).action is Action.DEAD_LETTER


def test_except_sites_of_the_builtins_still_catch_crossdock_errors() -> None:
    with pytest.raises(ValueError, match="bad"):
        raise SpecError("x.yaml", ["bad"])
