"""Functions that mapping specs call by ``python:`` reference, one module per source standard.

They compute what a field-by-field path cannot say (a qualifier's choice, a derived total, a
code list look-up). They depend on the standard only, never on a connector, so the mapping
engine stays below ``connectors`` in the layers.
"""
