"""Golden cases of the X12 specs, read through ``hub.golden`` (X12Format, map_all, validate).

``python -m tests.formats.x12.golden --write`` records the outputs after a reviewed change.
"""

from __future__ import annotations

import json
import sys

from hub.golden import golden_output
from mappings import SPECS_DIR, golden_cases

__all__ = ["SPEC_DIR"]

SPEC_DIR = SPECS_DIR / "x12"


def _write() -> None:
    for spec_path in sorted(SPEC_DIR.glob("*.yaml")):
        for case in golden_cases(spec_path):
            if case.refused or case.unavailable():
                continue
            output = golden_output(spec_path, case.input_path)
            text = json.dumps(output, indent=2, ensure_ascii=False) + "\n"
            case.expected_path.write_text(text, encoding="utf-8")
            print(case.expected_path)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write()
