"""``griddesk enrol``, ``griddesk sync`` and ``griddesk outbox``: sync from the command line, for IT staff and
scripts. Exit codes of ``sync``: 0 everything sent, 4 changes wait for a person (conflicts or rejections),
5 offline (nothing lost: the changes wait on this laptop), 6 error (not enrolled, revoked, refused)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.cli import print_json
from app.models import OutboxOp
from sync.status import read_state

EXIT_SENT, EXIT_NEEDS_PERSON, EXIT_OFFLINE, EXIT_ERROR = 0, 4, 5, 6


def register(sub: Any, open_ledger: Callable[..., Any]) -> None:
    # The engine and its HTTP stack are imported by the commands that sync: ``griddesk`` registers these
    # commands on every start, the window's included, which has no use for them until its first sync.
    def cmd_enrol(args: argparse.Namespace) -> int:
        from sync.client import SyncError
        from sync.engine import enrol
        from sync.protocol import TOWNSHIP

        verify: bool | str = True
        if args.ca:
            ca = Path(args.ca).expanduser().resolve()  # kept in the ledger: sync may run from another folder
            if not ca.is_file():
                print(f"找不到 --ca-file 指定的证书文件 {args.ca}，请检查路径", file=sys.stderr)
                return EXIT_ERROR
            verify = str(ca)
        ledger = open_ledger(args, create=True)  # a new laptop starts here: an empty ledger, then its grids
        try:
            answer = enrol(ledger, args.server, args.code, args.name or "", verify=verify)
        except SyncError as exc:
            if exc.offline:  # the sync's "retried later" does not hold here: nobody retries an enrolment
                print(
                    f"连不上乡镇服务器 {args.server}，未登记。请检查网络和服务器地址后再运行本命令。",
                    file=sys.stderr,
                )
                return EXIT_OFFLINE
            print(exc.message, file=sys.stderr)
            return EXIT_ERROR
        finally:
            ledger.close()
        data = {"device_id": answer.device_id, "grids": answer.grids, "server": args.server}
        _print(
            args,
            data,
            f"已登记到 {args.server}，本机设备号 {answer.device_id}，"
            + ("负责全乡镇。" if TOWNSHIP in answer.grids else f"负责网格 {len(answer.grids)} 个。"),
        )
        return EXIT_SENT

    def cmd_sync(args: argparse.Namespace) -> int:
        from sync.client import SyncError
        from sync.engine import run_sync

        ledger = open_ledger(args)
        try:
            report = run_sync(ledger)
        except SyncError as exc:
            with ledger.read() as session:
                waiting = session.scalar(select(OutboxOp.seq).where(OutboxOp.state == "pending").limit(1))
            ledger.close()
            code = EXIT_OFFLINE if exc.offline else EXIT_ERROR
            state = "offline" if exc.offline else "error"
            _print(
                args, {"state": state, "message": exc.message, "waiting": waiting is not None}, exc.message
            )
            return code
        ledger.close()
        state = "needs_person" if report.needs_person else "sent"
        data = {"state": state, **asdict(report)}
        text = f"已上传 {report.pushed} 条（重复 {report.duplicates}），下载 {report.pulled} 条；" + (
            f"{report.needs_person} 条需要处理。" if report.needs_person else "全部已上传。"
        )
        _print(args, data, text)
        return EXIT_NEEDS_PERSON if report.needs_person else EXIT_SENT

    def cmd_outbox(args: argparse.Namespace) -> int:
        ledger = open_ledger(args)
        with ledger.read() as session:
            rows = session.execute(
                select(
                    OutboxOp.seq,
                    OutboxOp.entity,
                    OutboxOp.record_id,
                    OutboxOp.kind,
                    OutboxOp.state,
                    OutboxOp.reason,
                    OutboxOp.created_at,
                )
                .where(OutboxOp.state.in_(("pending", "conflict", "rejected")))
                .order_by(OutboxOp.seq)
            ).all()
            state = read_state(session)
        ledger.close()
        items = [dict(r._mapping) for r in rows]
        data = {
            "server": state.get("server_url"),
            "last_sync_at": state.get("last_sync_at"),
            "operations": items,
        }
        if args.json:
            print_json(data)
        else:
            for item in items:
                print(
                    f"{item['seq']}\t{item['state']}\t{item['kind']}\t{item['entity']}\t{item['record_id']}\t{item['reason']}"
                )
            print(f"共 {len(items)} 条未上传或待处理。", file=sys.stderr)
        return EXIT_SENT

    p = sub.add_parser("enrol", help="登记到乡镇服务器")
    p.add_argument("--server", required=True, metavar="URL")
    p.add_argument("--code", required=True, metavar="CODE")
    p.add_argument("--name", metavar="NAME", help="本机名称（默认主机名）")
    p.add_argument(
        "--ca-file", "--ca", dest="ca", metavar="FILE", help="乡镇证书颁发机构（CA）证书文件（PEM）"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_enrol)
    p = sub.add_parser("sync", help="与乡镇服务器同步一次")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sync)
    p = sub.add_parser("outbox", help="列出未上传或待处理的修改")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_outbox)


def _print(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        print_json(data)
    else:
        print(text)
