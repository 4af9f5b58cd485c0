"""The draft's measures on the script corpus: run by hand, not by pytest (its name does not start with test_).

    PYTHONPATH=. python tests/benchmark_draft.py                 # every script: counts, validate, lint
    PYTHONPATH=. python tests/benchmark_draft.py --render --sheets /tmp/sheets aral-sea.txt

For each script in tests/data/scripts/: the draft's scenes, its statement cards (``title`` slides other than the
video's opening card) and their share of the scenes, its routes/maps, timelines, charts, stats, quotes and
compares; whether it validates; sentences said more than once; the garbled texts lint's text rules find; and,
with ``--render``, whether it renders at 320x180 (``--sheets DIR`` also writes a contact sheet of each).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import RenderOptions, validate  # noqa: E402
from pipeline.draft import draft  # noqa: E402
from pipeline.lint import RULES, LintOptions, lint, said_twice  # noqa: E402
from pipeline.narration import sentences  # noqa: E402

SCRIPTS = ROOT / "tests" / "data" / "scripts"
#: Lint's rules for garbled texts (those this lint has).
GARBLED = tuple(rule for rule in ("doubled-word", "not-a-phrase", "timeline-order", "said-twice") if rule in RULES)


def measure(script: Path, work: Path, *, render: bool, sheets: Path | None) -> dict:
    project = work / script.stem
    (project / "assets").mkdir(parents=True, exist_ok=True)
    out = project / "script" / f"{script.stem}.yaml"
    out.parent.mkdir(exist_ok=True)
    try:
        out.write_text(draft(script.read_text(encoding="utf-8"), script_name=script.name, slug=script.stem).yaml)
    except Exception as exc:  # a draft that crashes is a measure too
        return {"script": script.name, "error": f"draft crashed: {type(exc).__name__}: {exc}"}
    board = yaml.safe_load(out.read_text())
    scenes = [scene for section in board["sections"] for scene in section["scenes"]]
    kinds = Counter(scene["slide"]["kind"] for scene in scenes)
    statements = sum(1 for scene in scenes[1:] if scene["slide"]["kind"] == "title")
    said = Counter(
        said_twice.key(s)
        for scene in scenes
        for s in sentences.split(" ".join(scene["narration"].split()))
        if len(said_twice.key(s).split()) > 3
    )
    row = {
        "script": script.name, "sections": len(board["sections"]), "scenes": len(scenes), "statements": statements,
        "share": statements / len(scenes), "routes": kinds["route"] + kinds["map"], "timelines": kinds["timeline"],
        "charts": kinds["chart"], "stats": kinds["stat"], "quotes": kinds["quote"], "compares": kinds["compare"],
        "twice": sum(n - 1 for n in said.values() if n > 1),
    }  # fmt: skip
    try:
        validate(out, RenderOptions())
        row["valid"] = True
    except Exception as exc:  # the measure reports any failure
        row["valid"] = False
        row["error"] = str(exc).splitlines()[0]
    garbled = lint(out, LintOptions(rules=GARBLED)) if row["valid"] and GARBLED else None
    row["garbled"] = None if garbled is None else len(garbled)
    for warning in garbled or []:
        print(f"  {warning}", file=sys.stderr)
    if render:
        done = subprocess.run(["explainer", "render", str(out), "--size", "320x180"], capture_output=True, text=True)
        row["render"] = done.returncode == 0
        if not row["render"]:
            row["error"] = done.stderr.strip().splitlines()[-1:] or "render failed"
    if sheets is not None:
        sheets.mkdir(parents=True, exist_ok=True)
        subprocess.run(["explainer", "sheet", str(out), "-o", str(sheets / f"{script.stem}.png")], check=False,
                       capture_output=True)  # fmt: skip
        (sheets / f"{script.stem}.yaml").write_text(out.read_text())
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", help="script names in tests/data/scripts (default: all)")
    parser.add_argument("--render", action="store_true", help="render each draft at 320x180")
    parser.add_argument("--sheets", type=Path, help="write each draft's contact sheet and YAML here")
    args = parser.parse_args()
    chosen = [SCRIPTS / name for name in args.scripts] or sorted(
        p for p in SCRIPTS.iterdir() if p.suffix in (".txt", ".md") and p.name != "README.md"
    )
    header = ("script", "scenes", "statements", "share", "routes", "timelines", "charts", "stats", "quotes",
              "compares", "twice", "valid", "garbled", "render")  # fmt: skip
    print(" | ".join(header))
    with tempfile.TemporaryDirectory() as tmp:
        for script in chosen:
            row = measure(script, Path(tmp), render=args.render, sheets=args.sheets)
            cells = [f"{row[k]:.0%}" if k == "share" and k in row else str(row.get(k, "-")) for k in header]
            print(" | ".join(cells) + (f"  ({row['error']})" if "error" in row else ""), flush=True)


if __name__ == "__main__":
    main()
