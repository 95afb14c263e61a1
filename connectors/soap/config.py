"""Configuration of a SOAP endpoint: WSDL, credentials, timeouts, fault classification."""

from __future__ import annotations

from pydantic import Field, JsonValue, SecretStr

from connectors.sdk.config import ConnectorConfig

__all__ = ["DEFAULT_REDACTED_ELEMENTS", "SoapConfig"]

#: an optional secret's schema is an anyOf the SDK's marker does not look into: mark it here
_SECRET: dict[str, JsonValue] = {"writeOnly": True, "x-secret": True}

#: element local names whose text never reaches a log (compared case-insensitively)
DEFAULT_REDACTED_ELEMENTS = (
    "Password",
    "Nonce",
    "BinarySecurityToken",
    "Token",
    "AccessToken",
    "ApiKey",
    "Secret",
)


class SoapConfig(ConnectorConfig):
    """A WSDL-described SOAP service and how to call it."""

    wsdl: str = Field(description="WSDL location: http(s) URL or local file path")
    endpoint: str | None = Field(
        None, description="service address overriding the WSDL's (e.g. a test system)"
    )
    binding: str | None = Field(
        None, description="binding QName {ns}Name when the WSDL has several; default: the first"
    )
    username: str | None = Field(None, description="WS-Security UsernameToken user")
    password: SecretStr | None = Field(
        None, description="WS-Security UsernameToken password", json_schema_extra=_SECRET
    )
    password_digest: bool = Field(
        False, description="send PasswordDigest (nonce + created + SHA-1) instead of PasswordText"
    )
    timeout: float = Field(30.0, gt=0, description="seconds to load the WSDL and its imports")
    operation_timeout: float = Field(30.0, gt=0, description="seconds to wait for one call")
    transient_fault_codes: list[str] = Field(
        default_factory=list,
        description="fault (sub)codes retried whatever their class, e.g. ERP_LOCKED",
    )
    permanent_fault_codes: list[str] = Field(
        default_factory=list, description="fault (sub)codes never retried whatever their class"
    )
    redact_elements: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REDACTED_ELEMENTS),
        description="elements whose text is replaced by *** in the request/response log",
    )
