"""The registry's errors, each carrying Confluent's HTTP status and ``error_code``.

::

    CrossdockError > HubError               the one root (canonical.errors) > the hub's family
    └── RegistryError                       root; ``status`` and ``error_code`` go on the wire
        ├── NotFound (LookupError)          404: 40401 subject, 40402 version, 40403 schema,
        │                                        40404–40407 soft-delete order, 40408/40409 config
        ├── IncompatibleSchema              409 / 40901, with the checker's findings
        ├── InvalidRequest (ValueError)     422: 42201 schema, 42202 version, 42203 level,
        │                                        42204 mode, 42205 not permitted,
        │                                        42206 referenced, 42207 imported id,
        │                                        42208 subject
        └── AuthError (PermissionError)     401 / 40101 no or unknown token, 403 / 40301 role

(``hub.registry.compat_schema.UnresolvableReference``, a ``$ref`` the compatibility checker
cannot follow, is a ``HubError`` caught inside the checker and reported as a finding.)

Clients key their behaviour on ``error_code`` (the Python client turns a 404 on the
associations endpoint into "no associations", Java clients retry on 50xxx), so the codes are
Confluent's own, not ours; so are the messages where Confluent has a fixed text (its
``Errors.java``), down to the missing space in "was soft deleted.Set permanent=true": clients
and test suites compare them verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from hub.errors import HubError
from hub.registry.compat import Incompatibility

__all__ = [
    "AuthError",
    "Forbidden",
    "IdDoesNotMatch",
    "IncompatibleSchema",
    "InvalidCompatibilityLevel",
    "InvalidMode",
    "InvalidRequest",
    "InvalidSchema",
    "InvalidSubject",
    "InvalidVersion",
    "NotFound",
    "OperationNotPermitted",
    "ReferenceExists",
    "RegistryError",
    "SchemaNotFound",
    "SubjectCompatibilityNotConfigured",
    "SubjectModeNotConfigured",
    "SubjectNotFound",
    "SubjectNotSoftDeleted",
    "SubjectSoftDeleted",
    "Unauthenticated",
    "VersionNotFound",
    "VersionNotSoftDeleted",
    "VersionSoftDeleted",
    "describe",
    "verdict",
]


class RegistryError(HubError):
    """Root of the registry's errors; ``status`` and ``error_code`` are what the API answers."""

    status: ClassVar[int] = 500
    error_code: ClassVar[int] = 50001

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(RegistryError, LookupError):
    """Something named in the request does not exist (or not any more)."""

    status = 404
    error_code = 404


class SubjectNotFound(NotFound):
    """No such subject (or all its versions are soft-deleted and deleted ones were not asked)."""

    error_code = 40401

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' not found.")


class VersionNotFound(NotFound):
    """The subject has no such version (``latest`` shows as -1, as in Confluent)."""

    error_code = 40402

    def __init__(self, subject: str, version: int | str) -> None:
        super().__init__(f"Version {version} not found.")
        self.subject = subject


class SchemaNotFound(NotFound):
    """No schema with that id (``Schema 5 not found``), or none like it under the subject."""

    error_code = 40403

    def __init__(self, schema_id: int | None = None) -> None:
        found = "Schema not found" if schema_id is None else f"Schema {schema_id} not found"
        super().__init__(found)


class SubjectSoftDeleted(NotFound):
    """A soft delete of a subject that is already soft-deleted."""

    error_code = 40404

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
        )


class SubjectNotSoftDeleted(NotFound):
    """A permanent delete of a subject that was not soft-deleted first."""

    error_code = 40405

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' was not deleted first before being permanently deleted"
        )


class VersionSoftDeleted(NotFound):
    """A soft delete of a version that is already soft-deleted."""

    error_code = 40406

    def __init__(self, subject: str, version: int) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was soft deleted."
            "Set permanent=true to delete permanently"
        )


class VersionNotSoftDeleted(NotFound):
    """A permanent delete of a version that was not soft-deleted first."""

    error_code = 40407

    def __init__(self, subject: str, version: int) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was not deleted first "
            "before being permanently deleted"
        )


class SubjectCompatibilityNotConfigured(NotFound):
    """The subject has no compatibility level of its own (the global one applies)."""

    error_code = 40408

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' does not have subject-level compatibility configured"
        )


class SubjectModeNotConfigured(NotFound):
    """The subject has no mode of its own (the global one applies)."""

    error_code = 40409

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' does not have subject-level mode configured")


class IncompatibleSchema(RegistryError):
    """The schema breaks the subject's compatibility level; the findings say where and how."""

    status = 409
    error_code = 40901

    def __init__(self, subject: str, level: str, findings: Sequence[Incompatibility]) -> None:
        self.findings = list(findings)
        details = ", ".join(verdict(level, self.findings))
        super().__init__(
            "Schema being registered is incompatible with an earlier schema for subject "
            f'"{subject}", details: [{details}]'
        )


def describe(finding: Incompatibility) -> str:
    """One readable line for a finding: where, which rule, what, and how to fix it."""
    where = finding.path or "/"
    text = f"at {where} [{finding.rule}] {finding.message}"
    return f"{text} (fix: {finding.hint})" if finding.hint else text


def verdict(level: str, findings: Sequence[Incompatibility]) -> list[str]:
    """The messages of an incompatible verdict, closed by the level, as Confluent lists them."""
    if not findings:
        return []
    return [describe(f) for f in findings] + [
        f"{{validateFields: 'false', compatibility: '{level}'}}"
    ]


class InvalidRequest(RegistryError, ValueError):
    """The request is well-formed JSON but its content is refused."""

    status = 422
    error_code = 422


class InvalidSchema(InvalidRequest):
    """The schema text is not a usable JSON Schema (or is of an unsupported type)."""

    error_code = 42201


class InvalidVersion(InvalidRequest):
    """The version is neither a positive 32-bit integer nor ``latest``."""

    error_code = 42202

    def __init__(self, version: str) -> None:
        super().__init__(
            f"The specified version '{version}' is not a valid version id. Allowed values are "
            'between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityLevel(InvalidRequest):
    """The compatibility level is not one the registry knows."""

    error_code = 42203


class InvalidMode(InvalidRequest):
    """The mode is not one the registry supports."""

    error_code = 42204


class OperationNotPermitted(InvalidRequest):
    """The registry or subject is read-only."""

    error_code = 42205


class ReferenceExists(InvalidRequest):
    """A version that live schemas still refer to cannot be deleted."""

    error_code = 42206

    def __init__(self, subject: str, version: int) -> None:
        # Confluent names the version by its storage key.
        key = f"{{magic=1,keytype=SCHEMA,subject={subject},version={version}}}"
        super().__init__(f"One or more references exist to the schema {key}.")


class IdDoesNotMatch(InvalidRequest):
    """An imported schema already registered under another id (ids are one per schema)."""

    error_code = 42207

    def __init__(self, existing: int, wanted: int) -> None:
        super().__init__(
            f"Schema already registered with id {existing} instead of input id {wanted}"
        )


class InvalidSubject(InvalidRequest):
    """The subject name is empty or unusable."""

    error_code = 42208

    def __init__(self, subject: str) -> None:
        super().__init__(f"The specified subject '{subject}' is not a valid.")


class AuthError(RegistryError, PermissionError):
    """The caller may not do this."""

    status = 401
    error_code = 40101


class Unauthenticated(AuthError):
    """No bearer token, or one the registry does not know."""


class Forbidden(AuthError):
    """A known token whose role is too low for the operation."""

    status = 403
    error_code = 40301
