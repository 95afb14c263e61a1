"""The OpenBoxes inventory export (a warehouse system's CSV) is refused as a stock count, by name.

Decided from its columns: ``Product code`` (a SKU), ``Lot number``, ``Expiration date``
(DD/MM/YYYY), ``Bin location`` (a bin inside the one warehouse, not a store), ``OB QOH`` (the
system's quantity, empty in the template) and ``Physical QOH`` (the counted quantity). A stock
count needs the location counted and when it was counted: the file states neither, and the
connector's ``columns:`` only renames headers, it cannot supply a column the file does not
have. So the file is refused, naming the columns it lacks, with and without such a mapping.
"""

from __future__ import annotations

from hub.config import ConnectorSettings, Settings
from hub.translate import TranslationError, translate_file
from tests.corpus import corpus_file

OPENBOXES = "csv/openboxes_mainWarehouseInventory.csv"


def _outcome(settings: Settings) -> tuple[int, list[str]]:
    lines = list(translate_file(corpus_file(OPENBOXES), settings, connector="stock-count"))
    errors = [str(line) for line in lines if isinstance(line, TranslationError)]
    return len(lines) - len(errors), errors


def test_the_export_is_refused_as_no_file_of_the_stock_count_mapping() -> None:
    events, errors = _outcome(Settings())
    assert events == 0
    (error,) = errors
    assert "openboxes_mainWarehouseInventory.csv:line 1" in error
    assert "lacks required column(s) 'store_id'" in error
    assert "no column the mapping requires: not a file of this mapping" in error
    assert "'Physical QOH'" in error  # the header found is named


def test_a_columns_mapping_reads_its_sku_and_counts_but_cannot_give_location_or_time() -> None:
    mapped = ConnectorSettings(
        columns={"sku": "Product code", "counted_qty": "Physical QOH", "system_qty": "OB QOH"}
    )
    events, errors = _outcome(Settings(connectors=[mapped]))
    assert events == 0
    (error,) = errors
    assert "lacks required column(s) 'store_id' (header 'store_id'), 'counted_at'" in error
    assert "'sku'" not in error.partition(";")[0]  # the renamed columns were found
    assert "map to them with the connector's `columns:`" in error
