"""The ``python -m server`` command: run the server, and the township administrator's commands.

    python -m server serve --db PATH [--host 127.0.0.1] [--port 8080]
    python -m server admin init --db PATH --grids GRID_ID...
    python -m server admin enrol-code --db PATH --grids GRID_ID... [--township] [--hours 72]
    python -m server admin devices --db PATH
    python -m server admin revoke --db PATH DEVICE_ID

``--db`` names a SQLite file; ``--url`` takes a SQLAlchemy URL instead (PostgreSQL later).
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from server.store import Store, StoreError


def database_url(db: str | None, url: str | None) -> str:
    """The SQLAlchemy URL of ``--db`` (a file, its folder made if missing) or ``--url``."""
    if url:
        return url
    assert db is not None  # argparse requires one of them
    path = Path(db).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _add_database(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", metavar="PATH", help="SQLite database file")
    where.add_argument("--url", help="SQLAlchemy database URL (instead of --db)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server", description="GridDesk 乡镇同步服务")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the sync server")
    _add_database(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0: any free port (the line printed names it)")

    admin = commands.add_parser("admin", help="township administration")
    actions = admin.add_subparsers(dest="action", required=True)

    init = actions.add_parser("init", help="set up the township (idempotent; adds grids)")
    _add_database(init)
    init.add_argument("--grids", nargs="+", required=True, metavar="GRID_ID")

    code = actions.add_parser("enrol-code", help="make a one-time enrol code for a laptop")
    _add_database(code)
    code.add_argument("--grids", nargs="*", default=[], metavar="GRID_ID")
    code.add_argument("--township", action="store_true", help="the township's own device: every grid")
    code.add_argument("--hours", type=float, default=72, help="hours the code stays valid (default 72)")

    listing = actions.add_parser("devices", help="list enrolled devices")
    _add_database(listing)

    revoke = actions.add_parser("revoke", help="stop a device's token working")
    _add_database(revoke)
    revoke.add_argument("device_id")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    url = database_url(args.db, args.url)
    if args.command == "serve":
        return serve(url, args.host, args.port)
    store = Store(url)
    try:
        return _admin(store, args)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        store.close()


def _admin(store: Store, args: argparse.Namespace) -> int:
    if args.action == "init":
        print(store.init_township(args.grids))
    elif args.action == "enrol-code":
        if not args.grids and not args.township:
            print("请用 --grids 指定网格，或用 --township 登记乡镇自己的设备", file=sys.stderr)
            return 2
        print(store.create_enrol_code(args.grids, ttl_hours=args.hours, township=args.township))
    elif args.action == "devices":
        for device in store.devices():
            state = "revoked" if device.revoked else "active"
            print(device.id, state, ",".join(device.grids), device.name, sep="\t")
    elif args.action == "revoke":
        if not store.revoke(args.device_id):
            print(f"没有这台设备：{args.device_id}", file=sys.stderr)
            return 1
        print(f"revoked {args.device_id}")
    return 0


def serve(url: str, host: str, port: int) -> int:
    """Run the server until SIGINT/SIGTERM; print "listening on http://HOST:PORT" once it accepts connections."""
    import uvicorn

    from server.app import create_app

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.should_exit:
                return
            bound = port
            for server in self.servers:
                for sock in server.sockets:
                    bound = sock.getsockname()[1]
            print(f"listening on http://{host}:{bound}", flush=True)

    store = Store(url)
    try:
        config = uvicorn.Config(
            create_app(store), host=host, port=port, log_level="warning", timeout_graceful_shutdown=5
        )
        AnnouncingServer(config).run()
    finally:
        store.close()
    return 0
