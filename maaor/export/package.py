"""A Frictionless Data Package of one version: a JSON file per table + ``datapackage.json``.

``datapackage.json`` (https://datapackage.org, Data Package v1) names each resource, its
file, its fields with their types and HXL tags (``rdfType`` is not used; the tag is in
each field's ``hxl`` property, as HDX does), the version it comes from and whether the
public transformation was applied, so HDX, HXL Proxy, Power BI or a script can load it.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from maaor.dataset import Dataset
from maaor.export.hxl import table_tags
from maaor.export.machine import EXPORT_TABLES, full_table, json_bytes

PACKAGE_NAME = "maaor"


def field_type(series: pd.Series) -> str:
    """Return the Table Schema type of a column: integer, number, boolean, date,
    datetime or string."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = series.dropna()
        return "date" if bool((values == values.dt.normalize()).all()) else "datetime"
    return "string"


def table_schema(frame: pd.DataFrame, table: str) -> dict:
    """Return the Table Schema of ``frame`` (one field per column, HXL tag included)."""
    tags = table_tags(table, list(frame.columns))
    fields = []
    for column, tag in zip(frame.columns, tags, strict=True):
        field = {"name": str(column), "type": field_type(frame[column])}
        if tag:
            field["hxl"] = tag
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def data_package(dataset: Dataset, today: dt.date, *, version: int | None,
                 public: bool) -> dict[str, bytes]:
    """Return the files of the data package of ``dataset``: ``<table>.json`` for every
    table of :data:`maaor.export.machine.EXPORT_TABLES` and ``datapackage.json``.

    Args:
        dataset: the version's dataset (already transformed for the public if ``public``).
        today: reference date of the flags.
        version: the version number (recorded in the descriptor).
        public: whether the public transformation was applied (recorded).
    """
    files: dict[str, bytes] = {}
    resources = []
    for table in EXPORT_TABLES:
        frame = full_table(dataset, table, today)
        path = f"{table}.json"
        files[path] = json_bytes(frame)
        resources.append({
            "name": table,
            "path": path,
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": table_schema(frame, table),
        })
    created = dataset.meta.created_at
    descriptor = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME + (f"-v{version}" if version is not None else ""),
        "title": "Mine Action AoR coordination data"
                 + (f", version {version}" if version is not None else ""),
        "version": f"{version}.0.0" if version is not None else "0.0.0",
        "created": (created.isoformat(timespec="seconds") if created
                    else dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        "maaor": {"version": version, "public": public,
                  "illustrative": bool(dataset.meta.illustrative),
                  "flags_as_of": today.isoformat()},
        "resources": resources,
    }
    files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False, indent=2).encode()
    return files
