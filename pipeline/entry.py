"""The ``explainer`` command's entry point: Ctrl-C while the command is still loading is a clean stop.

Loading the CLI imports most of the package (a quarter of a second, more on a
busy machine or a fresh install that compiles every module). A Ctrl-C pressed
then used to end in a traceback from the middle of an import; here it ends
as any other interrupted command does, with exit status 130 and one line. A reader that stops reading what a
command prints (``explainer places | head``) ends it quietly wherever it was (the commands' own handler, or
click's printing of help or usage outside it).
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from pipeline.cli import main as cli
    except KeyboardInterrupt:
        print("explainer: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    try:
        cli()
    except BrokenPipeError:
        from pipeline.cli import quiet_exit

        raise SystemExit(quiet_exit()) from None
