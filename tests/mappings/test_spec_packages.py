"""A connector package's own mapping specs (entry point ``crossdock.mappings``) are listed,
golden-tested and mapped with, beside the shipped ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli.app import app
from mappings import SPECS_DIR, SpecError, installed_specs, spec_folders

SPEC = """\
# the WMS's stock objects (JSON, one per item) -> retail.inventory.adjusted v1
id: acme-wms.stock
version: 1
description: Acme WMS stock object -> retail.inventory.adjusted v1 (cycle count)
source: {format: json, message: stock}
target: retail.inventory.adjusted@1
fields:
  location_id: {path: store, required: true}
  sku: {path: sku, required: true}
  counted_quantity.value: {path: qty, transform: decimal, required: true}
  counted_quantity.unit: {const: C62}
  reason: {const: cycle_count}
  occurred_at: {path: at, transform: datetime, required: true}
"""

# written here from the spec above: what the two objects must give
OBJECTS = [
    {"id": 1, "store": "S001", "sku": "SKU-1", "qty": "3", "at": "2026-11-23T08:00:00Z"},
    {"id": 2, "store": "S001", "qty": "3", "at": "2026-11-23T08:00:00Z"},
]
EXPECTED = [
    {
        "location_id": "S001",
        "sku": "SKU-1",
        "counted_quantity": {"value": "3", "unit": "C62"},
        "reason": "cycle_count",
        "occurred_at": "2026-11-23T08:00:00Z",
    },
    {
        "error": {
            "location": "stock.in.json:line 2",
            "class": "MappingError",
            "reason": "mapping acme-wms.stock@1: field sku from sku (missing): "
            "required value is missing",
        }
    },
]


def install_package(site: Path, entry: str = "crossdock_acme_wms:SPECS_DIR") -> Path:
    """An installed connector package in ``site`` (a sys.path folder): its module, its specs
    folder with a golden case, and the dist-info naming the entry point."""
    module = site / "crossdock_acme_wms"
    specs = module / "specs" / "json"
    (specs / "retail.inventory.adjusted@1.golden").mkdir(parents=True)
    (module / "__init__.py").write_text(
        "from pathlib import Path\n\nSPECS_DIR = Path(__file__).parent / 'specs'\n"
    )
    (specs / "retail.inventory.adjusted@1.yaml").write_text(SPEC)
    golden = specs / "retail.inventory.adjusted@1.golden"
    (golden / "stock.in.json").write_text(json.dumps(OBJECTS))
    (golden / "stock.out.json").write_text(json.dumps(EXPECTED, indent=1))
    info = site / "crossdock_connector_acme_wms-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: crossdock-connector-acme-wms\nVersion: 0.1.0\n"
    )
    (info / "entry_points.txt").write_text(f"[crossdock.mappings]\nacme-wms = {entry}\n")
    return module / "specs"


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    specs = install_package(site)
    monkeypatch.syspath_prepend(str(site))
    # each test's package lives in its own folder: a module imported by an earlier test
    # would point at that one
    monkeypatch.delitem(sys.modules, "crossdock_acme_wms", raising=False)
    return specs


def test_an_installed_package_adds_its_folder_after_the_shipped_specs(package: Path) -> None:
    folders = spec_folders()
    assert (folders[0].name, folders[0].path) == ("crossdock", SPECS_DIR)
    assert ("acme-wms", package) in [(f.name, f.path) for f in folders]
    assert "acme-wms.stock" in installed_specs()


def test_mappings_list_shows_where_each_spec_comes_from(package: Path) -> None:
    listed = CliRunner().invoke(app, ["mappings", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {row["id"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert rows["acme-wms.stock"]["from"] == "acme-wms"
    assert rows["acme-wms.stock"]["source"] == "json/stock"
    assert rows["csv.stock-count"]["from"] == "crossdock"


def test_mappings_test_runs_the_packages_golden_cases(package: Path) -> None:
    del package
    ran = subprocess.run(
        [str(Path(sys.executable).parent / "crossdock"), "mappings", "test"],
        env={**os.environ, "PYTHONPATH": str(Path(sys.path[0])), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "acme-wms: acme-wms.stock@1" in ran.stdout
    row = next(line for line in ran.stdout.splitlines() if "acme-wms.stock@1" in line)
    assert "stock" in row
    assert "pass" in row


def test_a_package_case_that_differs_fails_mappings_test(package: Path) -> None:
    golden = package / "json" / "retail.inventory.adjusted@1.golden" / "stock.out.json"
    golden.write_text(json.dumps([EXPECTED[0]]))  # the error item left out
    result = CliRunner().invoke(app, ["mappings", "test"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "acme-wms: acme-wms.stock@1" in result.stdout


def test_an_entry_point_naming_no_folder_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_package(site, entry="crossdock_acme_wms:NOWHERE")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "crossdock_acme_wms", raising=False)
    with pytest.raises(SpecError, match=r"crossdock\.mappings acme-wms = crossdock_acme_wms"):
        spec_folders()
