"""Keep the Qt Linguist files in step with the code: ``python scripts/translations.py [--check]``.

1. lupdate collects every tr()/translate() string of ui/ into resources/translations/griddesk_zh_CN.ts
   (new strings arrive as "unfinished"; translators finish them in Qt Linguist or in the .ts file);
2. lrelease compiles the .ts into the .qm the app loads.
With ``--check`` nothing is written: exit 1 if the code has strings the .ts lacks, or any is unfinished.
With ``--fill FILE.json`` (``{"Context": {"source": "译文"}}``) unfinished messages found in FILE are finished first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "translations" / "griddesk_zh_CN.ts"
BIN = Path(sys.executable).parent


def sources() -> list[str]:
    return [str(p) for p in sorted((ROOT / "ui").rglob("*.py"))]


def unfinished(ts: Path) -> list[str]:
    root = ET.parse(ts).getroot()
    out = []
    for message in root.iter("message"):
        translation = message.find("translation")
        if (
            translation is None
            or translation.get("type") in ("unfinished",)
            or not (translation.text or "").strip()
        ):
            if translation is not None and translation.get("type") in ("obsolete", "vanished"):
                continue
            out.append(message.findtext("source") or "")
    return out


def lupdate(ts: Path) -> None:
    subprocess.run([str(BIN / "pyside6-lupdate"), *sources(), "-no-obsolete", "-ts", str(ts)], check=True,
                   capture_output=True)  # fmt: skip


def fill(ts: Path, found: dict[str, dict[str, str]]) -> int:
    """Finish the unfinished messages of ``ts`` that ``found`` translates; the number finished."""
    tree = ET.parse(ts)
    done = 0
    for context in tree.getroot().iter("context"):
        known = found.get(context.findtext("name") or "", {})
        for message in context.iter("message"):
            translation = message.find("translation")
            source = message.findtext("source") or ""
            if translation is None or translation.get("type") != "unfinished" or source not in known:
                continue
            translation.text = known[source]
            del translation.attrib["type"]
            done += 1
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return done


def main() -> int:
    if "--check" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / TS.name
            shutil.copyfile(TS, copy)
            lupdate(copy)
            missing = unfinished(copy)
        if missing:
            print("zh_CN translations missing or unfinished:\n  " + "\n  ".join(missing))
            return 1
        return 0
    lupdate(TS)
    if "--fill" in sys.argv:
        found = json.loads(Path(sys.argv[sys.argv.index("--fill") + 1]).read_text(encoding="utf-8"))
        print(f"finished {fill(TS, found)} messages")
        lupdate(TS)  # back to lupdate's own layout
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True)
    missing = unfinished(TS)
    if missing:
        print("Unfinished zh_CN translations:\n  " + "\n  ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
