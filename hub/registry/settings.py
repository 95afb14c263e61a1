"""The registry's own settings: who may read, the bootstrap admin token, seeding.

In crossdock.yaml under ``registry:`` (same names); the environment wins over the file.

Environment: ``CROSSDOCK_REGISTRY_READS_OPEN`` (``true``/``false``, default true),
``CROSSDOCK_ADMIN_TOKEN`` (stored hashed as an admin token at startup),
``CROSSDOCK_REGISTRY_SEED`` (default true), ``CROSSDOCK_SCHEMAS_DIR``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from hub.errors import ConfigError

__all__ = ["RegistrySettings"]

_ENV = {
    "CROSSDOCK_REGISTRY_READS_OPEN": "reads_open",
    "CROSSDOCK_ADMIN_TOKEN": "admin_token",
    "CROSSDOCK_REGISTRY_SEED": "seed",
    "CROSSDOCK_SCHEMAS_DIR": "schemas_dir",
}


class RegistrySettings(BaseModel):
    """How the registry API behaves; defaults give open reads and admin-only writes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: reads without a token; when false, reads need a token of any role
    reads_open: bool = True
    #: a token stored with the admin role at startup (secret: never logged)
    admin_token: SecretStr | None = None
    #: register the canonical schemas at startup
    seed: bool = True
    #: where the canonical schema files are (default: the repository's ``schemas/``)
    schemas_dir: Path | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, base: RegistrySettings | None = None
    ) -> RegistrySettings:
        """``base`` (the ``registry:`` section of crossdock.yaml) with the environment on top.

        ``ConfigError`` lists every bad variable.
        """
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {} if base is None else base.model_dump(exclude_unset=True)
        raw.update({key: env[name] for name, key in _ENV.items() if env.get(name)})
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"registry environment: {problems}") from exc
