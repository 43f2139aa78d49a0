"""Use cases: one function per thing a coordinator does, shared by the Coordinator
page and the CLI so they cannot disagree on checks, messages or what is published.

Pages and the CLI call these (and the read-only :mod:`maaor.service`); they never
touch the store. A use case that is not done raises
:class:`maaor.usecases.refusal.Refused` with a catalogue message.
"""

from maaor.usecases.aliases import aliases, save_alias
from maaor.usecases.edits import apply_edits
from maaor.usecases.emergencies import (
    check_list_file,
    emergency_list,
    emergency_table,
    publish_emergencies,
    publish_list_file,
    read_list_file,
    save_emergency_name,
)
from maaor.usecases.profiles import (
    delete_profile,
    export_profile,
    import_profiles,
    list_profiles,
    profile_with_choices,
    save_profile,
    stored_profiles,
)
from maaor.usecases.publishing import publish, store_aggregates
from maaor.usecases.signin import (
    record_signin,
    signin_clients,
    signin_throttle,
    unlock_signin,
)
from maaor.usecases.upload import max_upload_mb, prepare_upload, rescope_upload, validate_files
from maaor.usecases.versions import (
    backup,
    current_dataset,
    history,
    restore,
    rollback,
    version_dataset,
    version_files,
)
from maaor.usecases.withdraw import withdraw_version

__all__ = [
    "aliases",
    "apply_edits",
    "backup",
    "check_list_file",
    "current_dataset",
    "delete_profile",
    "emergency_list",
    "emergency_table",
    "export_profile",
    "history",
    "import_profiles",
    "list_profiles",
    "max_upload_mb",
    "prepare_upload",
    "profile_with_choices",
    "publish",
    "publish_emergencies",
    "publish_list_file",
    "read_list_file",
    "record_signin",
    "rescope_upload",
    "restore",
    "rollback",
    "save_alias",
    "save_emergency_name",
    "save_profile",
    "signin_clients",
    "signin_throttle",
    "store_aggregates",
    "stored_profiles",
    "unlock_signin",
    "validate_files",
    "version_dataset",
    "version_files",
    "withdraw_version",
]
