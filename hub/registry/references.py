"""Schema references: a schema's ``$ref`` to another subject's version, found by name or ``$id``.

A registered schema may name other registered versions (``{"name", "subject", "version"}``,
as Confluent's JSON serializers send them) and point at them with ``$ref``. A ``$ref`` reaches
a referenced schema when, resolved against the base URI of the schema it appears in, it equals
the reference's ``name`` (also resolved against that base: ``"address.json"`` under a root
whose ``$id`` is ``https://example.com/order.json`` is ``https://example.com/address.json``)
or the referenced schema's own ``$id``. That is how Confluent's registry and clients find them.

Two readers need the referenced schemas: the validator (``jsonschema-rs``), which gets them as a
:class:`jsonschema_rs.Registry` under every URI they answer to, and the compatibility checker,
which reads one document at a time and so gets :func:`bundle`: the root with each referenced
schema embedded under ``$defs`` and every ``$ref`` rewritten to a local JSON pointer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema_rs

__all__ = ["Reference", "bundle", "registry_for", "resource_uris"]

# Keywords whose values are data, not schemas: a "$ref" key inside them is not a reference.
_DATA_KEYWORDS = frozenset({"const", "default", "enum", "examples"})
_EMBED_PREFIX = "crossdock.reference."


@dataclass(frozen=True, slots=True)
class Reference:
    """One reference of a schema: the ``name`` its ``$ref`` uses, and the version it means."""

    name: str
    subject: str
    version: int


def _own_id(value: Any) -> str | None:
    if isinstance(value, Mapping) and isinstance(value.get("$id"), str):
        return urldefrag(value["$id"]).url or None
    return None


def resource_uris(root: Any, resources: Mapping[str, Any]) -> dict[str, str]:
    """Every URI a referenced schema answers to, mapped to its reference name.

    When two schemas claim one URI the first reference wins, as a resolver takes the first.
    """
    bases = [b for b in [_own_id(root), *map(_own_id, resources.values())] if b]
    uris: dict[str, str] = {}
    for name, value in resources.items():
        candidates = [name, *(urljoin(base, name) for base in bases)]
        own = _own_id(value)
        if own:
            candidates.append(own)
        for uri in candidates:
            uris.setdefault(urldefrag(uri).url, name)
    return uris


def registry_for(root: Any, resources: Mapping[str, Any]) -> jsonschema_rs.Registry | None:
    """The validator's registry of the referenced schemas (None when there are none)."""
    if not resources:
        return None
    uris = resource_uris(root, resources)
    return jsonschema_rs.Registry([(uri, resources[name]) for uri, name in uris.items()])


def bundle(root: Any, resources: Mapping[str, Any]) -> Any:
    """``root`` with the referenced schemas embedded and every ``$ref`` made local.

    Each referenced schema goes under ``$defs`` (an annotation to the checker), without its
    ``$id`` and ``$schema`` so that pointers inside it resolve against the bundle. A ``$ref``
    that reaches nothing known is left as it was: the checker reports it.
    """
    if not resources or not isinstance(root, Mapping):
        return root
    bundler = _Bundler(root, resources)
    existing = root.get("$defs")
    defs: dict[str, Any] = dict(existing) if isinstance(existing, Mapping) else {}
    for name, value in resources.items():
        rewritten = bundler.rewrite(value, _own_id(value) or name, name)
        if isinstance(rewritten, dict):
            rewritten = {k: v for k, v in rewritten.items() if k not in ("$id", "$schema")}
        defs[bundler.keys[name]] = rewritten
    bundled = bundler.rewrite(root, bundler.root_id or "", None)
    bundled["$defs"] = defs
    return bundled


class _Bundler:
    """Rewrites ``$ref`` s to pointers into the bundle of one root and its resources."""

    def __init__(self, root: Any, resources: Mapping[str, Any]) -> None:
        self.uris = resource_uris(root, resources)
        self.keys = {name: f"{_EMBED_PREFIX}{i}" for i, name in enumerate(resources)}
        self.root_id = _own_id(root)

    def rewrite(self, node: Any, base: str, current: str | None) -> Any:
        """A copy of ``node``, a schema of resource ``current`` (None: the root), refs local."""
        if isinstance(node, list):
            return [self.rewrite(item, base, current) for item in node]
        if not isinstance(node, Mapping):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = self.local(value, base, current)
            elif key in _DATA_KEYWORDS:
                out[key] = value
            else:
                out[key] = self.rewrite(value, base, current)
        return out

    def local(self, ref: str, base: str, current: str | None) -> str:
        """The local pointer a ``$ref`` becomes (itself when it reaches nothing known)."""
        target, fragment = urldefrag(urljoin(base, ref) if base else ref)
        name: str | None
        if ref.startswith("#") or target == urldefrag(base).url:
            name = current
        elif target in self.uris:
            name = self.uris[target]
        elif self.root_id and target == self.root_id:
            name = None
        else:
            return ref
        if fragment and not fragment.startswith("/"):
            return ref  # a plain-name anchor cannot be turned into a pointer
        if name is None:
            return f"#{fragment}"
        return f"#/$defs/{self.keys[name]}{fragment}"
