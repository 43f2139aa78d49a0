"""``maaor export``: one whole table of a version, or its data package, to a file."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def run_export(args) -> int:
    """Run ``maaor export`` with parsed ``args``; return the exit code.

    Exit codes: 0 written; 1 the store or the version cannot be read; 2 usage error.
    """
    from maaor import service
    from maaor.export.machine import full_table, table_bytes
    from maaor.export.package import data_package
    from maaor.store import StoreError
    from maaor.views import public_dataset

    if args.format != "datapackage" and not args.table:
        print("maaor export: --table is required with --format " + args.format, file=sys.stderr)
        return 2
    if args.format == "datapackage" and not args.out:
        print("maaor export: --format datapackage needs --out FOLDER", file=sys.stderr)
        return 2
    try:
        version = args.version if args.version is not None else service.current_version()
        dataset = service.load_dataset(version)
    except (StoreError, LookupError, RuntimeError) as exc:
        print(f"maaor export: {exc}", file=sys.stderr)
        return 1
    if args.public:
        dataset = public_dataset(dataset)
    today = dt.date.today()
    if args.format == "datapackage":
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        files = data_package(dataset, today, version=version, public=args.public)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        print(f"wrote {len(files)} files to {folder} (data version {version}"
              + (", public" if args.public else "") + ")", file=sys.stderr)
        return 0
    frame = full_table(dataset, args.table, today)
    about = {"version": str(version), "public": "yes" if args.public else "no",
             "as of": today.isoformat()}
    data = table_bytes(frame, args.table, args.format, neutralise_hxl=args.neutralise,
                       about=about)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {args.out}: {args.table}, {len(frame)} rows (data version {version}"
              + (", public" if args.public else "") + ")", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
