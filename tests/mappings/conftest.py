"""Fixtures: compile test-local YAML specs written into tmp_path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mappings import CompiledMapping, compile_spec, load_spec

HEADER = """\
id: test.spec
version: 3
source: {format: x12, message: "850"}
target: retail.order.created@2
"""

WriteSpec = Callable[..., Path]
CompileYaml = Callable[..., CompiledMapping]


@pytest.fixture
def write_spec(tmp_path: Path) -> WriteSpec:
    """Write a spec file; ``body`` is appended to a valid header unless ``header=False``."""

    def write(body: str, *, name: str = "spec.yaml", header: bool = True) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(body)
        path.write_text((HEADER if header else "") + text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def compile_yaml(write_spec: WriteSpec) -> CompileYaml:
    """Compile a spec given as the YAML after the standard header (id test.spec, version 3)."""

    def compile_(body: str) -> CompiledMapping:
        return compile_spec(load_spec(write_spec(body)))

    return compile_
