"""The ``python -m server`` command: run the server, write its OpenAPI document, and the township administrator's
commands.

    python -m server serve --db PATH [--host 127.0.0.1] [--port 8080] [--certfile CERT --keyfile KEY]
    python -m server openapi [OUT]
    python -m server admin init --db PATH [--township-file FILE] [--grids GRID...]
    python -m server admin enrol-code --db PATH --grids GRID... [--township] [--hours 72]
    python -m server admin devices --db PATH
    python -m server admin revoke --db PATH DEVICE_ID
    python -m server admin grids --db PATH
    python -m server admin publish calendar --db PATH YEAR (FILE | --from-chinesecalendar)
    python -m server admin publish codes --db PATH FILE
    python -m server admin publish errand-items --db PATH FILE
    python -m server admin publish deadlines --db PATH FILE
    python -m server admin users add --db PATH NAME --phone PHONE [--login LOGIN] [--post POST... --grid CODE]
    python -m server admin users list --db PATH
    python -m server admin new-epoch --db PATH
    python -m server admin backup --db PATH BACKUP_FILE
    python -m server admin restore --db PATH BACKUP_FILE

``--db`` names a SQLite file; ``--url`` takes a SQLAlchemy URL instead (``postgresql+psycopg://…``). A GRID is a
grid's id or its code. The file formats are described in ``server.township_file``.
"""

from __future__ import annotations

import argparse
import gc
import json
import socket
import ssl
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from server import publish
from server.backup import backup, new_epoch, restore
from server.store import Store, StoreError
from server.township_file import (
    KIND_LABEL,
    Checker,
    FileProblems,
    PostRow,
    Row,
    check_person,
    check_staff,
    missing_posts,
    read_calendar,
    read_codes,
    read_deadlines,
    read_errand_items,
    read_township,
)

USERS_HELP = (
    "工作人员（一网三员、代办员、值班人员）。工作人员记录就是用户：服务器不另设登录账号，笔记本凭登记时得到的设备令牌同步，"
    "登录名（默认手机号）用来记录是谁做的修改"
)


def database_url(db: str | None, url: str | None) -> str:
    """The SQLAlchemy URL of ``--db`` (a file, its folder made if missing) or ``--url``."""
    if url:
        return url
    assert db is not None  # argparse requires one of them
    path = Path(db).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _add_database(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", metavar="PATH", help="SQLite database file")
    where.add_argument("--url", help="SQLAlchemy database URL (instead of --db)")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server", description="GridDesk 乡镇同步服务")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = _add_database(commands.add_parser("serve", help="run the sync server"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0: any free port (the line printed names it)")
    serve.add_argument(
        "--certfile", metavar="CERT", help="HTTPS: the server certificate (PEM, with its chain)"
    )
    serve.add_argument("--keyfile", metavar="KEY", help="HTTPS: the certificate's private key (PEM)")

    openapi = commands.add_parser("openapi", help="write the OpenAPI document (JSON)")
    openapi.add_argument("out", nargs="?", metavar="OUT", help="file to write (default: standard output)")

    admin = commands.add_parser("admin", help="township administration")
    actions = admin.add_subparsers(dest="action", required=True)

    init = _add_database(
        actions.add_parser(
            "init",
            help="set up the township (idempotent): publish its grid tree and staff, register grids",
            description="第一次运行时生成纪元；--township-file 发布网格树和人员并登记其中的网格；"
            "--grids 登记网格（编号或编码）。可重复运行，只发布有变化的内容。",
        )
    )
    init.add_argument("--grids", nargs="+", default=[], metavar="GRID", help="grid ids or codes to register")
    init.add_argument("--township-file", metavar="FILE", help="grid tree and staff (.json or .xlsx)")

    code = _add_database(actions.add_parser("enrol-code", help="make a one-time enrol code for a laptop"))
    code.add_argument("--grids", nargs="*", default=[], metavar="GRID", help="grid ids or codes")
    code.add_argument("--township", action="store_true", help="the township's own device: every grid")
    code.add_argument("--hours", type=float, default=72, help="hours the code stays valid (default 72)")
    code.add_argument(
        "--token-days",
        type=float,
        default=None,
        help="days the enrolled device's token works (default: until revoked)",
    )

    _add_database(actions.add_parser("devices", help="list enrolled devices"))
    revoke = _add_database(actions.add_parser("revoke", help="stop a device's token working"))
    revoke.add_argument("device_id")
    _add_database(actions.add_parser("grids", help="list the grid tree: code, kind, name, id, registered"))

    publish = actions.add_parser("publish", help="publish township reference data to every laptop")
    kinds = publish.add_subparsers(dest="kind", required=True)
    calendar = _add_database(
        kinds.add_parser("calendar", help="a year's holidays and make-up working days (the whole year)")
    )
    calendar.add_argument("year", type=int, metavar="YEAR")
    source = calendar.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", metavar="FILE", help=".json or .xlsx (sheet 节假日)")
    source.add_argument(
        "--from-chinesecalendar",
        action="store_true",
        help="the year as the bundled chinesecalendar package has it",
    )
    _add_database(kinds.add_parser("codes", help="code table rows (sheet 代码)")).add_argument("file")
    _add_database(
        kinds.add_parser("errand-items", help="the errand catalogue (sheet 代办事项)")
    ).add_argument("file")
    _add_database(
        kinds.add_parser("deadlines", help="event deadlines in working days per category (sheet 办理时限)")
    ).add_argument("file")

    users = actions.add_parser("users", help=USERS_HELP, description=USERS_HELP)
    user_actions = users.add_subparsers(dest="user_action", required=True)
    add = _add_database(
        user_actions.add_parser(
            "add", help="add a staff member, or give one more posts", description=USERS_HELP + "。"
        )
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--phone", default="", help="mobile number (also the login unless --login)")
    add.add_argument("--login", default="", help="login name (default: the phone number)")
    add.add_argument(
        "--post", action="append", default=[], help="网格管理员, 网格协管员, 信息采集员, 代办员 …"
    )
    add.add_argument("--grid", default="", metavar="CODE", help="the grid (node) code the posts are in")
    _add_database(user_actions.add_parser("list", help="list staff and their posts", description=USERS_HELP))

    prune = _add_database(
        actions.add_parser(
            "prune-blobs",
            help="delete attachment files no live attachment names and nothing used for --days",
        )
    )
    prune.add_argument(
        "--days", type=float, default=30, help="days a file must lie unused first (default 30; 0: every one)"
    )
    _add_database(actions.add_parser("epoch", help="print the database's epoch (the id of its history)"))
    _add_database(
        actions.add_parser(
            "new-epoch",
            help="give the database a new epoch (after restoring it): laptops pull again and resend",
        )
    )
    _add_database(
        actions.add_parser("backup", help="copy a SQLite server database (safe while serving)")
    ).add_argument("path", metavar="BACKUP_FILE")
    _add_database(
        actions.add_parser("restore", help="replace a SQLite server database by a backup; gives a new epoch")
    ).add_argument("path", metavar="BACKUP_FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "openapi":
        return write_openapi(args.out)
    if args.command == "serve" and bool(args.certfile) != bool(args.keyfile):
        parser.error("--certfile 和 --keyfile 要一起给（HTTPS 需要证书和私钥）")
    url = database_url(args.db, args.url)
    try:
        if args.command == "serve":
            return serve(url, args.host, args.port, args.certfile, args.keyfile)
        if args.action in ("backup", "restore"):
            return _copies(url, args)
        store = Store(url)
        try:
            return _admin(store, args)
        finally:
            store.close()
    except FileProblems as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1


def _admin(store: Store, args: argparse.Namespace) -> int:
    if args.action == "init":
        return _init(store, args)
    if args.action == "enrol-code":
        if not args.grids and not args.township:
            print("请用 --grids 指定网格，或用 --township 登记乡镇自己的设备", file=sys.stderr)
            return 2
        grids = publish.resolve_grids(store, args.grids)
        print(
            store.create_enrol_code(
                grids, ttl_hours=args.hours, township=args.township, token_days=args.token_days
            )
        )
    elif args.action == "devices":
        for device in store.devices():
            state = "revoked" if device.revoked else "active"
            until = device.expires_at.isoformat(timespec="minutes") if device.expires_at else ""
            print(device.id, state, ",".join(device.grids), device.name, until, sep="\t")
    elif args.action == "revoke":
        if not store.revoke(args.device_id):
            print(f"没有这台设备：{args.device_id}", file=sys.stderr)
            return 1
        print(f"revoked {args.device_id}")
    elif args.action == "grids":
        registered = set(store.township_grids())
        for node in publish.list_nodes(publish.ServerRecords(store)):
            kind = str(node.values.get("kind"))
            mark = "已登记" if node.record_id in registered else ""
            values = (
                node.values.get("code"),
                KIND_LABEL.get(kind, kind),
                node.values.get("name"),
                node.record_id,
            )
            print(*values, mark, sep="\t")
    elif args.action == "publish":
        return _publish(store, args)
    elif args.action == "users":
        return _users(store, args)
    elif args.action == "new-epoch":
        print(new_epoch(store))
    elif args.action == "epoch":
        print(store.epoch())
    elif args.action == "prune-blobs":
        from server.blobs import BlobStore  # the HTTP routes' module: only this command needs it

        if args.days < 0:
            print("--days 不能是负数（0 表示不论闲置多久，凡无人引用的附件文件都删除）", file=sys.stderr)
            return 2
        count, size = BlobStore(store).prune(timedelta(days=args.days))
        print(f"删除了 {count} 个已无附件记录引用的附件文件，共 {size / 1048576:.1f} MB")
    return 0


def _report(outcome: publish.Outcome) -> int:
    print(outcome.summary())
    if outcome.problems:
        print(f"有 {len(outcome.problems)} 条没有发布成功，请核对后重新发布：", file=sys.stderr)
        for problem in outcome.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


def _init(store: Store, args: argparse.Namespace) -> int:
    if not args.grids and not args.township_file:
        # A township that has nothing yet: its office laptop (enrolled with --township) pushes the grid tree.
        print(
            "提示：还没有网格。可用 --township-file 发布网格树和人员；或让乡镇办公室的电脑登记（enrol-code --township）"
            "并同步，它的网格树就到了服务器上",
            file=sys.stderr,
        )
    server = publish.ServerRecords(store)
    grids = [server.grid_id(g) or g for g in args.grids]
    if not args.township_file:
        print(store.init_township(grids))
        return 0
    township = read_township(Path(args.township_file), server.known_nodes())
    publication, leaves = publish.plan_township(server, township)
    epoch = store.init_township([*grids, *leaves])
    status = _report(publication.push(store))
    for hint in missing_posts(township):
        print(f"提示：{hint}", file=sys.stderr)
    print(epoch)
    return status


def _publish(store: Store, args: argparse.Namespace) -> int:
    store.epoch()  # refuses before init, with what to do
    server = publish.ServerRecords(store)
    if args.kind == "calendar":
        if not 1900 <= args.year <= 2100:
            print(f"年度 {args.year} 不对，请写四位年份，如 2027", file=sys.stderr)
            return 2
        if args.from_chinesecalendar:
            days = publish.calendar_from_package(args.year)
            if not days:
                print(
                    f"chinesecalendar 包没有 {args.year} 年的节假日安排；请按国务院办公厅的通知整理成文件，"
                    f"用 admin publish calendar {args.year} 文件 发布",
                    file=sys.stderr,
                )
                return 1
            source = "chinesecalendar"
        else:
            days, source = read_calendar(Path(args.file), args.year), "township"
        return _report(publish.plan_calendar(server, args.year, days, source).push(store))
    if args.kind == "codes":
        return _report(publish.plan_codes(server, read_codes(Path(args.file))).push(store))
    if args.kind == "deadlines":
        return _report(publish.plan_deadlines(server, read_deadlines(Path(args.file))).push(store))
    return _report(publish.plan_errand_items(server, read_errand_items(Path(args.file))).push(store))


def _users(store: Store, args: argparse.Namespace) -> int:
    server = publish.ServerRecords(store)
    if args.user_action == "list":
        for listed in publish.list_staff(server):
            print(listed.name, listed.phone, listed.login, "；".join(listed.posts), sep="\t")
        return 0
    store.epoch()  # refuses before init, with what to do
    cells = {
        "name": args.name,
        "phone": args.phone,
        "login": args.login,
        "post": args.post,
        "grid": args.grid,
    }
    row = Row("命令行参数中", cells)
    checker = Checker()
    posts: list[PostRow] = []
    if args.post or args.grid:
        posts = check_staff([row], server.known_nodes(), checker)
        person = (posts[0].name, posts[0].phone, posts[0].login) if posts else None
    else:
        person = check_person(row, checker)
    if checker.problems or person is None:
        for problem in checker.problems:
            print(problem, file=sys.stderr)
        return 1
    publication = publish.Publication(server)
    publish.plan_staff(publication, [person], posts, {}, only_these_posts=False)
    return _report(publication.push(store))


def _copies(url: str, args: argparse.Namespace) -> int:
    if args.action == "backup":
        print(f"已备份到 {backup(url, Path(args.path)).describe()}")
        return 0
    done = restore(url, Path(args.path))
    print(f"已从 {done.restored.describe()} 恢复")
    if done.kept is not None:
        print(f"恢复前的数据库另存为 {done.kept}")
    print(f"新纪元 {done.epoch}：笔记本下次同步时会重新下载，并补传备份之后的修改")
    return 0


def write_openapi(out: str | None) -> int:
    """Write the OpenAPI document of the sync API (no database needed)."""
    from server.app import openapi_document

    text = json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def serve(url: str, host: str, port: int, certfile: str | None = None, keyfile: str | None = None) -> int:
    """Run the server until SIGINT/SIGTERM; print "listening on http(s)://HOST:PORT" once it accepts connections.

    With ``certfile`` and ``keyfile`` it speaks HTTPS only (the laptops verify the certificate against the
    township's CA file)."""
    import uvicorn

    from server.app import create_app

    scheme = "https" if certfile else "http"
    for name, path in (("--certfile", certfile), ("--keyfile", keyfile)):
        if path and not Path(path).is_file():
            print(f"找不到 {name} 指定的文件 {path}，请检查路径", file=sys.stderr)
            return 2

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.should_exit:
                return
            bound = port
            for server in self.servers:
                for sock in server.sockets:
                    bound = sock.getsockname()[1]
            # What start-up made (modules, tables, the app) lives as long as the server: left out of the cyclic
            # collector's full passes, which otherwise walk all of it a few times per push of thousands of rows.
            gc.freeze()
            print(f"listening on {scheme}://{host}:{bound}", flush=True)

    store = Store(url)
    try:
        config = uvicorn.Config(
            create_app(store), host=host, port=port, log_level="warning", timeout_graceful_shutdown=5,
            ssl_certfile=certfile, ssl_keyfile=keyfile,
        )  # fmt: skip
        try:
            config.load()
        except (ssl.SSLError, OSError) as exc:
            print(
                f"无法加载 HTTPS 证书或私钥（{exc}），请确认 --certfile 与 --keyfile 是配对的 PEM 文件",
                file=sys.stderr,
            )
            return 2
        AnnouncingServer(config).run()
    finally:
        store.close()
    return 0
