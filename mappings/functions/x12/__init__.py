"""Values the X12 mapping specs compute with ``python:`` (what a path alone cannot read).

One module per concern, every spec-facing function re-exported here so specs name them as
``mappings.functions.x12:<name>``:

- :mod:`.values`: dates of 6 or 8 digits, times of 4 to 8, amounts, units, currency;
- :mod:`.product_ids`: a line's typed ids, its SKU and GTIN;
- :mod:`.parties`: N1 loops by role;
- :mod:`.orders` (850), :mod:`.inventory` (846), :mod:`.invoices` (810), :mod:`.returns` (180).

Each function takes the node the spec is at (the message tree, or a loop item) and returns
text, a number, a date or a list; it reads the partner profile of the message where partners
differ (``mappings.partner_profile``) and raises ``ValueError`` naming the element that
breaks the standard.
"""

from mappings.functions.x12.inventory import advice_date, stock_positions, stock_unit
from mappings.functions.x12.invoices import (
    invoice_date,
    invoice_po_ref,
    invoice_total,
    invoice_unit,
    invoiced_unit_price,
    match_status,
    match_type,
    ordered_quantity,
    po_unit_price,
    price_variance,
    quantity_variance,
    receipt_refs,
    received_quantity,
    received_unit,
    total_variance,
)
from mappings.functions.x12.orders import (
    line_description,
    line_unit,
    order_currency,
    order_date,
    order_discount_total,
    order_grand_total,
    order_lines,
    order_number,
    order_shipping_total,
    order_subtotal,
    order_tax_total,
    requested_delivery,
)
from mappings.functions.x12.parties import address_lines, buyer_id, supplier_id
from mappings.functions.x12.product_ids import product_gtin, product_ids, product_sku
from mappings.functions.x12.returns import authorization_date, line_amount_total, return_unit
from mappings.functions.x12.values import currency

__all__ = [
    "address_lines",
    "advice_date",
    "authorization_date",
    "buyer_id",
    "currency",
    "invoice_date",
    "invoice_po_ref",
    "invoice_total",
    "invoice_unit",
    "invoiced_unit_price",
    "line_amount_total",
    "line_description",
    "line_unit",
    "match_status",
    "match_type",
    "order_currency",
    "order_date",
    "order_discount_total",
    "order_grand_total",
    "order_lines",
    "order_number",
    "order_shipping_total",
    "order_subtotal",
    "order_tax_total",
    "ordered_quantity",
    "po_unit_price",
    "price_variance",
    "product_gtin",
    "product_ids",
    "product_sku",
    "quantity_variance",
    "receipt_refs",
    "received_quantity",
    "received_unit",
    "requested_delivery",
    "return_unit",
    "stock_positions",
    "stock_unit",
    "supplier_id",
    "total_variance",
]
