"""The ``griddesk`` console command: app.cli for commands, the window when no command is given.

Qt is imported only when the window opens, so the command line works on a server with no Qt libraries.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from app import cli


def _open_window(profile: Any) -> int:
    from ui.main import run

    return run(profile)


def main(argv: Sequence[str] | None = None) -> int:
    from sync import commands

    return cli.main(argv, open_window=_open_window, extra=[commands.register])


if __name__ == "__main__":
    sys.exit(main())
