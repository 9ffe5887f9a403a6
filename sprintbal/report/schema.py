"""Validate ``report.json`` against the JSON Schemas shipped beside this module.

``report.schema.json`` describes the whole report; its ``balance`` section is
described by ``balance.schema.json`` (``$id`` ``.../report-balance.json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent
REPORT_SCHEMA = SCHEMA_DIR / "report.schema.json"
BALANCE_SCHEMA = SCHEMA_DIR / "balance.schema.json"


def report_validator() -> Any:
    """Return a ``jsonschema`` validator for report.json (needs the ``jsonschema`` package).

    Returns
    -------
    jsonschema.protocols.Validator
        A Draft 2020-12 validator with the balance schema registered.
    """
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    report = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    balance = json.loads(BALANCE_SCHEMA.read_text(encoding="utf-8"))
    registry = Registry().with_resource(balance["$id"], Resource.from_contents(balance))
    return Draft202012Validator(report, registry=registry)
