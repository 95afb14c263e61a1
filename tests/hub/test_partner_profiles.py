"""Partner profiles: configured in crossdock.yaml, matched by interchange sender, read by specs.

The spec here is a test spec over X12 846 whose two ``python:`` functions (below) read the
current profile exactly as the shipped spec functions do: which product id qualifier is the
SKU, and the location a document that names none means. The interchanges are written in the
test from the X12 004010 846 layout (LIN id pairs, QTY*33, BIA date and time).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from connectors.formats.edifact import EdifactFormat
from connectors.formats.idoc import IdocFormat
from connectors.formats.poslog import PoslogFormat
from connectors.formats.x12 import InterchangeHeader, X12Format, render_interchange
from connectors.record import RawRecord
from hub.cli.app import app
from hub.config import PartnerConfig, Settings, load_settings
from hub.documents import DocumentMapper
from hub.errors import ConfigError
from hub.golden import run_golden_case
from hub.partners import PartnerDirectory, Sender, envelope_sender
from mappings import SpecError, SpecRegistry, compile_spec, golden_cases, load_spec
from mappings.partner_profile import NO_PROFILE, PartnerProfile, active_profile, current_profile

WRITTEN = Path(__file__).parents[1] / "formats" / "written_here"

_SPEC = """\
id: test.partner-846
version: 1
source: {format: x12, message: "846"}
target: retail.inventory.adjusted@2
split: {each: LIN}
fields:
  location_id: {python: "tests.hub.test_partner_profiles:location", required: true}
  sku: {python: "tests.hub.test_partner_profiles:sku", required: true}
  counted_quantity.value:
    {find: QTY, where: {path: "1", equals: "33"}, path: "2", transform: decimal, required: true}
  counted_quantity.unit: {const: C62}
  reason: {const: correction}
  occurred_at: {format: "{$root.BIA.4}{$root.BIA.5}", transform: datetime, required: true}
"""


def sku(item: Mapping[str, Any]) -> str | None:
    """The LIN id the profile prefers (default: the buyer's SKU, then the vendor's number)."""
    lin = item["LIN"]
    pairs = [(lin[i], lin[i + 1]) for i in range(2, len(lin) - 1, 2)]
    chosen = current_profile().choose_id(pairs, default=("SK", "VN"))
    return chosen[1] if chosen else None


def location(item: Mapping[str, Any]) -> str | None:
    """The warehouse of the set's N1*WH, else the partner's default location."""
    return current_profile().default_location


def _advice(sender: str, *lines: list[str]) -> bytes:
    header = InterchangeHeader(
        sender, "RETAILCO", 5, 5, "IB", when=datetime(2026, 3, 10, 8, tzinfo=UTC)
    )
    body = [["BIA", "00", "SI", "INV-1", "20260310", "0800"]]
    for line in lines:
        body += [line, ["QTY", "33", "12", "EA"]]
    return render_interchange(header, [("846", [*body, ["CTT", str(len(lines))]])])


ADVICE = _advice(
    "ACMESUPPLY",
    ["LIN", "1", "SK", "SKU-1001", "VN", "AB3542"],
    ["LIN", "2", "VN", "AB3543", "SK", "SKU-1002"],
)


@pytest.fixture
def mapper(tmp_path: Path) -> DocumentMapper:
    spec = tmp_path / "test.partner-846.yaml"
    spec.write_text(_SPEC, encoding="utf-8")
    acme = PartnerConfig.model_validate(
        {
            "name": "acme",
            "senders": [{"format": "x12", "id": "ACMESUPPLY", "qualifier": "ZZ"}],
            "sku_qualifiers": ["VN", "SK"],
            "default_location": "DC-EAST",
        }
    )
    registry = SpecRegistry([compile_spec(load_spec(spec))])
    return DocumentMapper(registry, partners=PartnerDirectory([acme]))


def _events(mapper: DocumentMapper, data: bytes) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for outcome in mapper.translate_all(X12Format(), io.BytesIO(data), "advice.x12", "doc"):
        assert outcome.failures == [], outcome.failures
        found += [e.data.model_dump(mode="json") for e in outcome.events]
    return found


def test_the_partner_profile_chooses_the_sku_and_the_default_location(
    mapper: DocumentMapper,
) -> None:
    events = _events(mapper, ADVICE)
    # acme prefers the vendor's item number (VN) to the buyer's SKU, whatever the pair order
    assert [e["sku"] for e in events] == ["AB3542", "AB3543"]
    assert {e["location_id"] for e in events} == {"DC-EAST"}


def test_another_sender_maps_with_the_neutral_profile(mapper: DocumentMapper) -> None:
    other = _advice("OTHERSUPPLY", ["LIN", "1", "SK", "SKU-1001", "VN", "AB3542"])
    (outcome,) = mapper.translate_all(X12Format(), io.BytesIO(other), "other.x12", "doc")
    assert outcome.partner is not None
    assert outcome.partner.partner is None
    assert "no partner has X12 ISA06 'OTHERSUPPLY'" in outcome.partner.why
    # no default location: the required field fails, naming it
    (failure,) = outcome.failures
    assert "location_id" in str(failure.error)


def test_a_qualified_sender_needs_its_qualifier_and_beats_an_unqualified_one() -> None:
    loose = PartnerConfig(name="loose", senders=({"format": "x12", "id": "ACME"},))  # type: ignore[arg-type]
    strict = PartnerConfig(
        name="strict",
        senders=({"format": "x12", "id": "ACME", "qualifier": "01"},),  # type: ignore[arg-type]
    )
    directory = PartnerDirectory([loose, strict])
    assert directory.match_sender(Sender("x12", "ACME", "01")).partner is strict
    assert directory.match_sender(Sender("x12", "ACME", "ZZ")).partner is loose
    assert directory.match_sender(Sender("edifact", "ACME", None)).partner is None


def test_senders_are_read_from_each_envelope() -> None:
    (x12,) = X12Format().messages(io.BytesIO(ADVICE), "a.x12")
    assert isinstance(x12, RawRecord)
    assert envelope_sender("x12", x12) == Sender("x12", "ACMESUPPLY", "ZZ")
    interchange = (
        b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+RETAILCO:14+260302:0930+IC1'"
        b"UNH+M1+INVRPT:D:96A:UN'BGM+35+R1'UNT+3+M1'UNZ+1+IC1'"
    )
    (edifact,) = EdifactFormat().messages(io.BytesIO(interchange), "stock.edi")
    assert isinstance(edifact, RawRecord)
    assert envelope_sender("edifact", edifact) == Sender("edifact", "5412345000013", "14")
    # the IDoc written here from ORDERS05: EDI_DC40 SNDPRN 0000104711, SNDPRT KU
    idoc = next(
        IdocFormat().messages(io.BytesIO((WRITTEN / "idoc_orders05.xml").read_bytes()), "o")
    )
    assert isinstance(idoc, RawRecord)
    assert envelope_sender("idoc", idoc) == Sender("idoc", "0000104711", "KU")
    directory = PartnerDirectory(
        [PartnerConfig(name="sap", senders=({"format": "idoc", "id": "104711"},))]  # type: ignore[arg-type]
    )
    assert directory.match("idoc", idoc).partner is not None  # ALPHA-padded numbers match
    poslog = next(
        PoslogFormat().messages(io.BytesIO((WRITTEN / "poslog_return.xml").read_bytes()), "p")
    )
    assert isinstance(poslog, RawRecord)
    assert envelope_sender("poslog", poslog) is None


def test_every_partner_problem_is_reported_at_once(tmp_path: Path) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        """
partners:
  - name: acme
    senders: [{format: x12, id: ACME}]
    default_currency: usd
  - name: acme
    senders: [{format: x12, id: ACME}]
  - name: shop
    senders: [{format: shopify, id: shop.myshopify.com, qualifier: ZZ}]
  - name: nobody
    senders: []
    date_century: 200
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    for expected in (
        "partners.0.default_currency",
        "partners.2.senders.0",
        "remove qualifier",
        "partners.3.senders",
        "partners.3.date_century",
    ):
        assert expected in message, expected


def test_two_partners_claiming_one_sender_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="belongs to both 'a' and 'b'"):
        Settings.model_validate(
            {
                "partners": [
                    {"name": "a", "senders": [{"format": "edifact", "id": "X", "qualifier": "14"}]},
                    {"name": "b", "senders": [{"format": "edifact", "id": "X", "qualifier": "14"}]},
                ]
            }
        )


_ORDER_SPEC = """\
id: test.partner-850
version: 1
source: {format: x12, message: "850"}
target: retail.order.created@3
fields:
  order_id: {path: BEG.3, required: true}
  channel: {const: b2b}
  ordered_at: {path: BEG.5, transform: datetime, required: true}
  currency: {path: CUR.2}
  lines:
    each: PO1
    fields:
      line_no: {index: true, start: 1}
      sku: {path: PO1.7, required: true}
      quantity.value: {path: PO1.2, transform: decimal, required: true}
      unit_price.amount: {path: PO1.4, transform: decimal}
      unit_price.currency: {path: $root.CUR.2, when: {path: PO1.4, present: true}}
"""

ORDER = render_interchange(
    InterchangeHeader("BUYER", "RETAILCO", 9, 9, "PO", when=datetime(2026, 3, 2, tzinfo=UTC)),
    [
        (
            "850",
            [
                ["BEG", "00", "SA", "PO-1", "", "20260302"],
                ["CUR", "BY", "USD"],
                ["PO1", "1", "2", "EA", "4.50", "", "SK", "SKU-1"],
                ["PO1", "2", "1", "EA", "", "", "SK", "SKU-2"],  # priced by catalogue
                ["CTT", "2"],
            ],
        )
    ],
)


@pytest.mark.parametrize("required", [False, True])
def test_a_partner_expecting_prices_refuses_a_line_without_one(
    tmp_path: Path, required: bool
) -> None:
    spec = tmp_path / "test.partner-850.yaml"
    spec.write_text(_ORDER_SPEC, encoding="utf-8")
    buyer = PartnerConfig.model_validate(
        {
            "name": "buyer",
            "senders": [{"format": "x12", "id": "BUYER"}],
            "unit_price_required": required,
        }
    )
    registry = SpecRegistry([compile_spec(load_spec(spec))])
    mapper = DocumentMapper(registry, partners=PartnerDirectory([buyer]))
    (outcome,) = mapper.translate_all(X12Format(), io.BytesIO(ORDER), "po.x12", "doc")
    if not required:
        (event,) = outcome.events
        assert event.data.model_dump(mode="json")["lines"][1].get("unit_price") is None
        return
    assert outcome.events == []
    (failure,) = outcome.failures
    assert "lines[1].unit_price" in str(failure.error)
    assert "partner 'buyer' sends priced orders" in str(failure.error)


def test_explain_names_the_partner_and_why(tmp_path: Path) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        "partners:\n  - name: acme\n    senders: [{format: x12, id: ACMESUPPLY, qualifier: ZZ}]\n"
        "    sku_qualifiers: [VN, SK]\n    default_location: DC-EAST\n",
        encoding="utf-8",
    )
    path = tmp_path / "advice.x12"
    path.write_bytes(ADVICE)
    result = CliRunner().invoke(app, ["translate", "--explain", str(path), "--config", str(config)])
    assert "format:   x12: the x12 reader claims the content" in result.stdout
    assert "X12 846 (Inventory Inquiry/Advice) ×1: mapped" in result.stdout
    assert "spec x12.846@3 → retail.inventory.adjusted@2" in result.stdout
    assert "partner:  acme: X12 ISA06 'ACMESUPPLY' (ISA05 'ZZ') is a sender of partner 'acme'" in (
        result.stdout
    )
    assert "profile sku_qualifiers: VN, SK" in result.stdout
    assert "profile default_location: DC-EAST" in result.stdout


def test_the_profile_is_current_only_inside_its_block() -> None:
    acme = PartnerProfile(name="acme", date_century=19)
    assert current_profile() is NO_PROFILE
    with active_profile(acme):
        assert current_profile().expand_date("040317") == "19040317"
    assert current_profile() is NO_PROFILE
    assert NO_PROFILE.expand_date("040317") == "20040317"  # the POSIX window
    assert NO_PROFILE.expand_date("990317") == "19990317"
    assert NO_PROFILE.choose_id([("UP", "0123"), ("VN", "V-1")], default=("VN", "UP")) == (
        "VN",
        "V-1",
    )


def test_a_golden_case_is_mapped_with_its_partner_yaml(tmp_path: Path) -> None:
    spec = tmp_path / "test.partner-846.yaml"
    spec.write_text(_SPEC, encoding="utf-8")
    folder = tmp_path / "test.partner-846.golden"
    folder.mkdir()
    (folder / "acme.in.x12").write_bytes(ADVICE)
    (folder / "acme.partner.yaml").write_text(
        "name: acme\nsku_qualifiers: [VN, SK]\ndefault_location: DC-EAST\n", encoding="utf-8"
    )
    # read from ADVICE: LIN 1 and 2 carry VN AB3542 / AB3543, QTY*33*12, BIA 20260310 0800
    expected = [
        {
            "location_id": "DC-EAST",
            "sku": sku_,
            "counted_quantity": {"value": "12", "unit": "C62"},
            "reason": "correction",
            "occurred_at": "2026-03-10T08:00:00Z",
            "serial_numbers": [],
        }
        for sku_ in ("AB3542", "AB3543")
    ]
    (folder / "acme.out.json").write_text(json.dumps(expected), encoding="utf-8")
    (case,) = golden_cases(spec)
    assert case.partner() == PartnerProfile(
        name="acme", sku_qualifiers=("VN", "SK"), default_location="DC-EAST"
    )
    assert run_golden_case(spec, case).differences == []
    (folder / "acme.partner.yaml").write_text("name: acme\nsku_qualifiers: SK\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"acme\.partner\.yaml: .*sku_qualifiers"):
        golden_cases(spec)
