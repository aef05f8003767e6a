"""``python -m server`` (and the ``griddesk-server`` script): see server.admin."""

from server.admin import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
