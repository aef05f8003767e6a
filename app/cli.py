"""The command line for IT staff: ``griddesk [--profile DIR] COMMAND``; without a command it opens the window.

Every command can run without a person at the keyboard (see app.profile for the environment variables); ``--json``
prints one JSON document for scripts. Exit codes: 0 done, 1 the answer is "no" (an invalid ID number, problems
found), 2 wrong usage, 3 the ledger could not be opened or used.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import LedgerError, StorageError, ValidationError

EXIT_OK, EXIT_NO, EXIT_USAGE, EXIT_STORAGE = 0, 1, 2, 3


def print_json(data: Any) -> None:
    """One JSON document on stdout, Chinese kept readable (every ``--json`` answer)."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _profile(args: argparse.Namespace) -> Any:
    from app.profile import Profile, default_profile_dir

    return Profile(Path(args.profile).expanduser() if args.profile else default_profile_dir())


def _open(args: argparse.Namespace, *, upgrade: bool = True, create: bool = False) -> Any:
    """The profile's ledger; ``create`` makes an empty one when the profile has none (a new laptop)."""
    from app.ledger import Ledger
    from app.profile import passphrase_from_environment

    profile = _profile(args)
    return Ledger.open(
        profile.ledger_path,
        passphrase_from_environment(),
        actor=profile.user(),
        upgrade=upgrade,
        create=create,
    )


# -- check-id ---------------------------------------------------------------------------------------------
def cmd_check_id(args: argparse.Namespace) -> int:
    from app.idcard import parse_id_number

    results: list[dict[str, Any]] = []
    for raw in args.numbers:
        try:
            info = parse_id_number(raw)
        except ValidationError as exc:
            results.append({"input": raw, "valid": False, "reason": exc.problem})
            continue
        results.append(
            {
                "input": raw,
                "valid": True,
                "number": info.number,
                "birth_date": info.birth_date.isoformat(),
                "sex": {"1": "男", "2": "女"}[info.sex],
                "region_code": info.region_code,
                "region": info.region_name,
                "converted_from_15": info.converted_from_15,
            }
        )
    if args.json:
        print_json(results)
    else:
        for r in results:
            if r["valid"]:
                note = "（由15位旧号码升位）" if r["converted_from_15"] else ""
                print(
                    f"{r['input']}\t有效\t{r['number']}{note}\t{r['birth_date']}\t{r['sex']}\t{r['region']}"
                )
            else:
                print(f"{r['input']}\t无效\t{r['reason']}")
    return EXIT_OK if all(r["valid"] for r in results) else EXIT_NO


# -- workdays ---------------------------------------------------------------------------------------------
def iso_date(text: str) -> date:
    """A DATE argument: 2026-10-09; anything else is a usage error with an example."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，请写成 2026-10-09 这样的形式。") from None


def cmd_workdays_add(args: argparse.Namespace) -> int:
    from app.workdays import WorkCalendar, bundled_calendar

    start: date = args.date
    calendar: WorkCalendar
    profile = _profile(args)
    if args.profile and profile.exists():
        from app.services.reference import load_calendar

        ledger = _open(args)
        with ledger.read() as session:
            calendar = load_calendar(session)
        ledger.close()
        source = "profile"
    else:
        calendar, source = bundled_calendar(), "bundled"
    result = calendar.add_workdays(start, args.n)
    data = {
        "start": start.isoformat(),
        "workdays": args.n,
        "day": result.day.isoformat(),
        "weekday": "一二三四五六日"[result.day.weekday()],
        "calendar": "estimated" if result.estimated else "published",
        "estimated_years": list(result.estimated_years),
        "source": source,
    }
    if args.json:
        print_json(data)
    else:
        print(f"{start.isoformat()} 之后第 {args.n} 个工作日：{data['day']}（星期{data['weekday']}）")
        if result.estimated:
            print(result.warning)
    return EXIT_OK


def cmd_workdays_set(args: argparse.Namespace) -> int:
    """An administrator marks a day as holiday or make-up working day, or clears it (kept in the ledger)."""
    from app.services import reference

    day: date = args.date
    ledger = _open(args)
    try:
        with ledger.write() as tx:
            if args.kind == "clear":
                reference.clear_calendar_day(tx, day)
            else:
                reference.set_calendar_day(tx, day, args.kind == "workday", args.name)
    finally:
        ledger.close()
    kind = {"holiday": "休息日", "workday": "调休上班日", "clear": "普通日（按周末判断）"}[args.kind]
    data = {"date": day.isoformat(), "set": args.kind, "name": args.name}
    print_json(data) if args.json else print(f"已将 {day.isoformat()} 设为{kind}。")
    return EXIT_OK


# -- search -----------------------------------------------------------------------------------------------
def cmd_search(args: argparse.Namespace) -> int:
    from app.privacy import mask_id_number, mask_phone
    from app.search import search_people

    ledger = _open(args)
    started = time.perf_counter()
    with ledger.read() as session:
        hits = search_people(session, args.text, limit=args.limit)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if args.full and hits:
        from app.models import Person

        with ledger.write() as tx:
            for hit in hits:
                person = tx.session.get(Person, hit.id)
                if person is not None:
                    tx.log_view(person, ["id_number", "phone"], "命令行查询完整号码")
    ledger.close()
    rows = [
        asdict(h)
        | {
            "id_number": h.id_number if args.full else mask_id_number(h.id_number),
            "phone": h.phone if args.full else mask_phone(h.phone),
        }
        for h in hits
    ]
    if args.json:
        print_json(
            {"query": args.text, "count": len(rows), "elapsed_ms": round(elapsed_ms, 2), "people": rows}
        )
    else:
        for r in rows:
            print(
                f"{r['name']}\t{r['id_number']}\t{r['phone']}\t户号 {r['household_number'] or '-'}\t{r['address']}"
            )
        print(f"共 {len(rows)} 人（{elapsed_ms:.1f} 毫秒）", file=sys.stderr)
    return EXIT_OK


# -- db ---------------------------------------------------------------------------------------------------
def cmd_db(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from app import db
    from app.ledger import Ledger
    from app.models import OutboxOp, Person
    from app.profile import passphrase_from_environment

    profile = _profile(args)
    if args.action == "restore":
        kept = db.restore(profile.ledger_path, Path(args.path), passphrase_from_environment())
        data = {"restored_from": args.path, "previous_file_kept_at": str(kept) if kept else None}
        print_json(data) if args.json else print(
            f"已从 {args.path} 恢复台账。" + (f"原文件保存在 {kept}" if kept else "")
        )
        return EXIT_OK
    if args.action == "upgrade":
        ledger = Ledger.open(
            profile.ledger_path, passphrase_from_environment(), actor=profile.user(), create=True
        )
        data = {
            "schema": db.head_revision(),
            "backup": str(ledger.upgraded_from) if ledger.upgraded_from else None,
        }
        ledger.close()
        if args.json:
            print_json(data)
        else:
            print(
                f"台账数据结构已是最新（{data['schema']}）。"
                + (f"升级前备份：{data['backup']}" if data["backup"] else "")
            )
        return EXIT_OK
    ledger = _open(args, upgrade=False)
    try:
        if args.action == "backup":
            target = Path(args.path)
            db.backup(ledger.engine, target)
            data = {"backup": str(target), "bytes": target.stat().st_size}
            print_json(data) if args.json else print(
                f"已备份到 {target}（{data['bytes']} 字节，已加密，口令与台账相同）"
            )
            return EXIT_OK
        problems = db.integrity_check(ledger.engine)
        with ledger.read() as session:
            people = session.scalar(select(func.count()).select_from(Person).where(Person.deleted.is_(False)))
            pending = session.scalar(
                select(func.count()).select_from(OutboxOp).where(OutboxOp.state == "pending")
            )
        status = db.schema_status(ledger.engine)
        data = {
            "file": str(ledger.path),
            "bytes": ledger.path.stat().st_size,
            "schema": status.current,
            "schema_up_to_date": status.up_to_date,
            "people": people,
            "outbox_pending": pending,
            "problems": problems,
        }
        if args.json:
            print_json(data)
        else:
            print(
                f"台账文件：{data['file']}（{data['bytes']} 字节）\n数据结构：{status.current}（最新 {status.head}）"
            )
            print(f"人员 {people} 人，待上传 {pending} 条")
            print("完整性检查：通过" if not problems else "完整性检查发现问题：\n" + "\n".join(problems))
        return EXIT_OK if not problems else EXIT_NO
    finally:
        ledger.close()


# -- demo -------------------------------------------------------------------------------------------------
DEMO_PASSPHRASE = "demo"


def cmd_demo(args: argparse.Namespace) -> int:
    import os

    from app import db
    from app.demo import generate_demo
    from app.ledger import Ledger

    profile = _profile(args)
    passphrase = os.environ.get("GRIDDESK_PASSPHRASE") or DEMO_PASSPHRASE
    if profile.exists():
        if not args.replace:
            print(
                f"{profile.ledger_path} 已有台账。要重建演示台账请加 --replace（原文件会先移到 backups/）。",
                file=sys.stderr,
            )
            return EXIT_USAGE
        kept = db.backup_path(profile.ledger_path, "replaced")
        profile.ledger_path.replace(kept)
        for suffix in ("-wal", "-shm"):
            profile.ledger_path.with_name(profile.ledger_path.name + suffix).unlink(missing_ok=True)

    def progress(stage: str, done: int, total: int) -> None:
        if not args.json:
            end = "\n" if done >= total else ""
            print(f"\r{stage} {done}/{total}", end=end, file=sys.stderr, flush=True)

    ledger = Ledger.open(profile.ledger_path, passphrase, actor="demo", create=True)
    try:
        summary = generate_demo(ledger, households=args.households, seed=args.seed, progress=progress)
    finally:
        ledger.close()
    profile.save_settings(user="demo", demo=True, township="天水市演示乡镇")
    data = asdict(summary) | {"profile": str(profile.folder), "passphrase": "（取自环境变量 GRIDDESK_PASSPHRASE）"
                              if os.environ.get("GRIDDESK_PASSPHRASE") else DEMO_PASSPHRASE}  # fmt: skip
    if args.json:
        print_json(data)
    else:
        print(f"演示台账已建好：{profile.folder}，口令 {data['passphrase']}")
        print(json.dumps(asdict(summary), ensure_ascii=False))
    return EXIT_OK


Commands = Callable[[Any, Callable[..., Any]], None]
"""Adds sub-commands to the parser (given its subparsers and the ledger opener); sync/ brings its own."""


def build_parser(extra: Sequence[Commands] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="griddesk", description="网格台账 GridDesk")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="配置目录（默认 $GRIDDESK_PROFILE 或 ~/.local/share/griddesk/default）",
    )
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("demo", help="创建演示乡镇台账")
    p.add_argument("--households", type=int, default=600)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--replace", action="store_true", help="已有台账时重建（原文件移到 backups/）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check-id", help="校验身份证号")
    p.add_argument("--json", action="store_true")
    p.add_argument("numbers", nargs="+", metavar="ID")
    p.set_defaults(func=cmd_check_id)

    p = sub.add_parser("workdays", help="工作日计算")
    wsub = p.add_subparsers(dest="workdays_command", required=True)
    w = wsub.add_parser("add", help="DATE 之后第 N 个工作日（DATE 当天不计）")
    w.add_argument("date", type=iso_date, metavar="DATE")
    w.add_argument("n", type=int, metavar="N")
    w.add_argument("--json", action="store_true")
    w.set_defaults(func=cmd_workdays_add)
    w = wsub.add_parser("set", help="管理员设置节假日：holiday 休息、workday 调休上班、clear 恢复普通日")
    w.add_argument("date", type=iso_date, metavar="DATE")
    w.add_argument("kind", choices=("holiday", "workday", "clear"))
    w.add_argument("name", nargs="?", default="", metavar="NAME")
    w.add_argument("--json", action="store_true")
    w.set_defaults(func=cmd_workdays_set)

    p = sub.add_parser("search", help="查找人员")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--full", action="store_true", help="显示完整证件号码和电话（记入审计日志）")
    p.add_argument("text", metavar="TEXT")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("db", help="台账文件维护")
    dsub = p.add_subparsers(dest="action", required=True)
    for name, help_text in (("check", "完整性检查"), ("upgrade", "升级数据结构（先自动备份）")):
        d = dsub.add_parser(name, help=help_text)
        d.add_argument("--json", action="store_true")
    for name, help_text in (("backup", "备份到 PATH"), ("restore", "从 PATH 恢复")):
        d = dsub.add_parser(name, help=help_text)
        d.add_argument("path", metavar="PATH")
        d.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_db)
    for add in extra:
        add(sub, _open)
    return parser


def main(
    argv: Sequence[str] | None = None,
    open_window: Callable[[Any], int] | None = None,
    extra: Sequence[Commands] = (),
) -> int:
    """Run a command; without one, ``open_window(profile)`` opens the app. ui.entry passes the window and the
    sync commands in, so that app/ imports neither the GUI nor sync."""
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    try:
        if func is None:
            if open_window is None:
                parser.print_help()
                return EXIT_USAGE
            return open_window(_profile(args))
        code: int = func(args)
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_STORAGE
    except ValidationError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_NO
    except LedgerError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_STORAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
