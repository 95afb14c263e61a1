"""The real Confluent client (confluent-kafka's SchemaRegistryClient) against a live server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError

from canonical import InventoryAdjustedV1
from tests.canonical.payloads import inventory_count
from tests.registry.conftest import ADMIN_TOKEN, json_schema

ClientFactory = Callable[..., SchemaRegistryClient]


@pytest.fixture
def clients() -> Iterator[list[SchemaRegistryClient]]:
    """Every client a test made, closed at the end (each holds an HTTP connection pool)."""
    made: list[SchemaRegistryClient] = []
    yield made
    for c in made:
        c.close()


@pytest.fixture
def connect(live_url: str, clients: list[SchemaRegistryClient]) -> ClientFactory:
    """Make a Confluent client for the live server, with the admin token unless told not to."""

    def make(token: str | None = ADMIN_TOKEN) -> SchemaRegistryClient:
        conf: dict[str, Any] = {"url": live_url, "max.retries": 0}
        if token:
            conf |= {
                "bearer.auth.credentials.source": "STATIC_TOKEN",
                "bearer.auth.token": token,
                "bearer.auth.logical.cluster": "crossdock",
            }
        client = SchemaRegistryClient(conf)
        clients.append(client)
        return client

    return make


def test_register_fetch_lookup_and_delete_with_the_confluent_client(connect: ClientFactory) -> None:
    sr = connect()
    v1 = Schema(json_schema({"sku": {"type": "string"}}), "JSON")
    schema_id = sr.register_schema("orders-value", v1)

    latest = sr.get_latest_version("orders-value")
    assert (latest.version, latest.schema_id) == (1, schema_id)
    assert latest.schema.schema_type == "JSON"
    assert json.loads(latest.schema.schema_str) == json.loads(v1.schema_str)

    fresh = connect()  # no cache: really asks the server
    by_id = fresh.get_schema(schema_id)
    assert by_id.schema_type == "JSON"
    assert json.loads(by_id.schema_str) == json.loads(v1.schema_str)
    found = fresh.lookup_schema("orders-value", v1)
    assert (found.version, found.schema_id) == (1, schema_id)
    assert [(v.subject, v.version) for v in fresh.get_schema_versions(schema_id)] == [
        ("orders-value", 1)
    ]

    # Same schema again: same id, no new version.
    assert sr.register_schema("orders-value", v1) == schema_id
    assert fresh.get_versions("orders-value") == [1]

    # Closed content model: adding an optional property is backward compatible.
    v2 = Schema(json_schema({"sku": {"type": "string"}, "qty": {"type": "integer"}}), "JSON")
    assert fresh.test_compatibility("orders-value", v2) is True
    assert sr.register_schema("orders-value", v2) != schema_id
    assert fresh.get_versions("orders-value") == [1, 2]

    assert sr.delete_version("orders-value", 2) == 2
    assert fresh.get_versions("orders-value") == [1]
    assert sorted(sr.delete_subject("orders-value")) == [1]
    assert "orders-value" not in fresh.get_subjects()
    assert sorted(sr.delete_subject("orders-value", permanent=True)) == [1, 2]
    with pytest.raises(SchemaRegistryError) as caught:
        fresh.get_versions("orders-value")
    assert caught.value.error_code == 40401


def test_incompatible_schema_is_409_40901_and_compatibility_can_be_set(
    connect: ClientFactory,
) -> None:
    sr = connect()
    sr.register_schema("prices-value", Schema(json_schema({"p": {"type": "string"}}), "JSON"))
    narrowed = Schema(json_schema({"p": {"type": "integer"}}), "JSON")

    assert sr.test_compatibility("prices-value", narrowed) is False
    with pytest.raises(SchemaRegistryError) as caught:
        sr.register_schema("prices-value", narrowed)
    assert (caught.value.http_status_code, caught.value.error_code) == (409, 40901)
    assert "/properties/p" in caught.value.error_message
    assert "fix:" in caught.value.error_message

    assert sr.get_compatibility() == "BACKWARD"
    with pytest.raises(SchemaRegistryError) as unset:
        sr.get_compatibility("prices-value")
    assert unset.value.error_code == 40408
    assert sr.set_compatibility("prices-value", "NONE") == {"compatibility": "NONE"}
    assert sr.get_compatibility("prices-value") == "NONE"
    assert sr.test_compatibility("prices-value", narrowed) is True
    assert sr.register_schema("prices-value", narrowed) > 0
    assert sr.set_compatibility(level="FULL") == {"compatibility": "FULL"}
    assert sr.get_compatibility() == "FULL"


def test_reads_need_no_token_but_writes_do(connect: ClientFactory) -> None:
    anonymous = connect(None)
    assert "retail.order.created" in anonymous.get_subjects()
    with pytest.raises(SchemaRegistryError) as caught:
        anonymous.register_schema("x-value", Schema(json_schema({}), "JSON"))
    assert (caught.value.http_status_code, caught.value.error_code) == (401, 40101)


def test_canonical_event_round_trips_through_the_json_serializer(connect: ClientFactory) -> None:
    sr = connect()
    schema_str = sr.get_latest_version("retail.inventory.adjusted").schema.schema_str
    assert schema_str is not None
    ctx = SerializationContext("retail.inventory.adjusted", MessageField.VALUE)
    # The topic name strategy maps topic "retail.inventory.adjusted" to subject
    # "retail.inventory.adjusted-value"; the serializer registers the schema there.
    serializer = JSONSerializer(schema_str, sr)
    event = InventoryAdjustedV1.model_validate(inventory_count()).model_dump(mode="json")

    wire = serializer(event, ctx)
    assert wire is not None
    assert wire[0] == 0  # Confluent framing: magic byte, then the schema id

    deserializer = JSONDeserializer(schema_str, schema_registry_client=connect(None))
    decoded = deserializer(wire, ctx)
    assert decoded == event
    assert InventoryAdjustedV1.model_validate(decoded) == InventoryAdjustedV1.model_validate(event)
    assert connect().get_latest_version("retail.inventory.adjusted-value").version == 1


def test_serializer_refuses_an_invalid_event(connect: ClientFactory) -> None:
    sr = connect()
    schema_str = sr.get_latest_version("retail.inventory.adjusted").schema.schema_str
    assert schema_str is not None
    serializer = JSONSerializer(schema_str, sr)
    ctx = SerializationContext("retail.inventory.adjusted", MessageField.VALUE)
    bad = inventory_count() | {"sku": 42}
    with pytest.raises(SerializationError, match=r"sku|42"):
        serializer(bad, ctx)


ADDRESS = {
    "$id": "https://example.com/address.schema.json",
    "type": "object",
    "properties": {"city": {"type": "string"}, "postalCode": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}
CUSTOMER = {
    "$id": "https://example.com/customer.schema.json",
    "title": "Customer",
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        # by reference name, resolved against this schema's $id
        "billing": {"$ref": "address.schema.json"},
        # by the referenced schema's own $id
        "shipping": {"$ref": "https://example.com/address.schema.json"},
    },
    "required": ["name", "billing"],
}


def test_json_serde_round_trip_with_a_referenced_schema(connect: ClientFactory) -> None:
    sr = connect()
    sr.register_schema("address-value", Schema(json.dumps(ADDRESS), "JSON"))
    refs = [SchemaReference("address.schema.json", "address-value", 1)]
    customer = Schema(json.dumps(CUSTOMER), "JSON", refs)
    ctx = SerializationContext("customers", MessageField.VALUE)
    # The serializer registers the schema with its references under "customers-value".
    serializer = JSONSerializer(customer, sr)
    value = {
        "name": "Ada",
        "billing": {"city": "Springfield", "postalCode": "12345"},
        "shipping": {"city": "Shelbyville"},
    }
    wire = serializer(value, ctx)
    assert wire is not None

    registered = connect().get_latest_version("customers-value")
    assert [(r.name, r.subject, r.version) for r in registered.schema.references] == [
        ("address.schema.json", "address-value", 1)
    ]
    assert connect().get_referenced_by("address-value", 1) == [registered.schema_id]

    # A fresh deserializer without a schema: the writer's schema and its references are read
    # from the registry by id (GET /schemas/ids/{id}, then each referenced version).
    deserializer = JSONDeserializer(None, schema_registry_client=connect(None))
    assert deserializer(wire, ctx) == value

    # The referenced schema is enforced on both sides.
    with pytest.raises(SerializationError):
        serializer({"name": "Bob", "billing": {"city": 7}}, ctx)
    forged = wire[:5] + json.dumps({"name": "Bob", "billing": {"town": "x"}}).encode()
    with pytest.raises(SerializationError):
        deserializer(forged, ctx)

    with pytest.raises(SchemaRegistryError) as caught:
        sr.delete_version("address-value", 1)
    assert (caught.value.http_status_code, caught.value.error_code) == (422, 42206)


def test_subject_names_with_a_slash_through_the_confluent_client(connect: ClientFactory) -> None:
    sr = connect()
    schema_id = sr.register_schema("team/orders-value", Schema(json_schema({}), "JSON"))
    assert "team/orders-value" in sr.get_subjects()
    assert sr.get_latest_version("team/orders-value").schema_id == schema_id
    assert sr.get_versions("team/orders-value") == [1]
    assert sr.delete_subject("team/orders-value") == [1]


def test_the_all_contexts_wildcard_prefix_lists_every_subject(connect: ClientFactory) -> None:
    # ":*:" is Confluent's own default for GET /subjects' subjectPrefix (SubjectsResource) and
    # what the Confluent CLI's `schema-registry subject list` sends unless --prefix is given;
    # ":*:ctx-" asks for "ctx-..." in every context. Here the default context is the only one.
    sr = connect()
    sr.register_schema("ctx-orders-value", Schema(json_schema({}), "JSON"))
    sr.register_schema("ctx-stock-value", Schema(json_schema({}), "JSON"))
    sr.delete_subject("ctx-stock-value")
    everything = sr.get_subjects()
    assert "ctx-orders-value" in everything
    assert sr.get_subjects(subject_prefix=":*:") == everything
    assert sr.get_subjects(subject_prefix=":*:ctx-") == ["ctx-orders-value"]
    assert sr.get_subjects(subject_prefix=":*:ctx-", deleted=True) == [
        "ctx-orders-value",
        "ctx-stock-value",
    ]
