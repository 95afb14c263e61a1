"""``${NAME}`` in crossdock.yaml: a value read from the environment when the file is loaded.

Secrets stay out of the file: ``access_token: ${SHOPIFY_TOKEN}``. A reference is the whole value
or part of one (``amqp://crossdock:${MQ_PASSWORD}@mq//``); ``$${`` writes a literal ``${``. An
unset variable is a configuration error naming the field and the variable (every one at once),
never an empty string that would fail later at the peer, and the value is never printed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["expand_env_references"]

_REFERENCE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env_references(
    value: Any, env: Mapping[str, str], *, where: str = ""
) -> tuple[Any, list[str]]:
    """``value`` (a loaded YAML tree) with every ``${NAME}`` replaced from ``env``, and the
    problems: ``field.path: ${NAME} is not set``."""
    problems: list[str] = []

    def expand(node: Any, path: str) -> Any:
        if isinstance(node, str):
            return _REFERENCE.sub(lambda m: replace(m, path), node)
        if isinstance(node, dict):
            return {k: expand(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [expand(v, f"{path}[{i}]") for i, v in enumerate(node)]
        return node

    def replace(match: re.Match[str], path: str) -> str:
        name = match.group(1)
        if name is None:  # $${ : a literal ${
            return "${"
        if name not in env:
            problems.append(f"{path or where}: ${{{name}}} is not set in the environment")
            return ""
        return env[name]

    return expand(value, where), problems
