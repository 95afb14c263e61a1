"""The text of an XML element that has attributes, as XML formats hand it to mapping specs.

It lives with the mapping engine because specs and their functions read it; the XML readers in
``connectors.formats`` build it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, SupportsIndex, overload

__all__ = ["XmlText"]


class XmlText(str):
    """The text of an element that has attributes: a ``str`` whose attributes read as keys."""

    attributes: dict[str, str]

    def __new__(cls, text: str, attributes: dict[str, str]) -> XmlText:
        """``text`` carrying ``attributes`` (keys ``@name``)."""
        obj = super().__new__(cls, text)
        obj.attributes = attributes
        return obj

    def get(self, key: str, default: Any = None) -> Any:
        """An attribute (``@name``), the text itself for ``#text``, else ``default``."""
        if key == "#text":
            return str(self)
        return self.attributes.get(key, default)

    @overload
    def __getitem__(self, key: str) -> str: ...
    @overload
    def __getitem__(self, key: SupportsIndex | slice) -> str: ...
    def __getitem__(self, key: Any) -> str:
        """An attribute by ``@name`` (``KeyError`` when absent); positions index the text."""
        if isinstance(key, str):
            if key == "#text":
                return str(self)
            return self.attributes[key]
        return str.__getitem__(self, key)

    def keys(self) -> Iterator[str]:
        """The attribute keys."""
        return iter(self.attributes)

    def __reduce__(self) -> tuple[Any, ...]:
        return (XmlText, (str(self), self.attributes))


# mapping paths step into Mappings: the text's attributes are one
Mapping.register(XmlText)
