"""A profile: the folder holding one laptop's ledger and its settings, and how its passphrase and user are found.

Non-interactive use (scripts, IT staff) sets everything through the environment:

- ``GRIDDESK_PROFILE``    the profile folder (default: ``$XDG_DATA_HOME/griddesk/default``)
- ``GRIDDESK_PASSPHRASE`` the ledger passphrase (otherwise asked for on a terminal, or in the window)
- ``GRIDDESK_USER``       the login recorded as author of changes (default: the profile's user, else the OS user)
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import StorageError

LEDGER_FILE = "ledger.db"
SETTINGS_FILE = "profile.json"


def default_profile_dir() -> Path:
    env = os.environ.get("GRIDDESK_PROFILE")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "griddesk" / "default"


@dataclass(frozen=True)
class Profile:
    folder: Path

    @property
    def ledger_path(self) -> Path:
        return self.folder / LEDGER_FILE

    @property
    def settings_path(self) -> Path:
        return self.folder / SETTINGS_FILE

    def exists(self) -> bool:
        return self.ledger_path.exists()

    def settings(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.settings_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StorageError(
                f"配置文件 {self.settings_path} 无法读取（{exc}），请检查或删除后重试。"
            ) from exc
        return data

    def save_settings(self, **values: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = self.settings() | values
        partial = self.settings_path.with_suffix(".partial")
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.replace(self.settings_path)

    def user(self) -> str:
        return os.environ.get("GRIDDESK_USER") or str(self.settings().get("user") or "") or getpass.getuser()


def passphrase_from_environment(prompt: str = "台账口令: ") -> str:
    """The passphrase from GRIDDESK_PASSPHRASE, or asked on a terminal; StorageError when neither is possible."""
    value = os.environ.get("GRIDDESK_PASSPHRASE")
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise StorageError("需要台账口令：请设置环境变量 GRIDDESK_PASSPHRASE，或在终端中运行以输入口令。")
