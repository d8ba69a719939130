"""``propscope train --engine ENGINE``: train a detector on the PTC.

Engines are looked up in :data:`ENGINES`, ``name -> "module:function"``, imported only
when chosen (so ``--engine fast`` never imports torch).  Each function has the
signature ``train_cli(data: str | None, split: str, output: Path,
options: dict[str, str]) -> None``: ``options`` holds every ``--key value`` (or
``--key=value``) the command line gave beyond the common ones, with dashes in keys
made underscores, so an engine can take its own settings without this module knowing
them.  An engine rejects a bad option by raising :class:`~propscope.errors.TrainingError`
(or ``ValueError``, turned into one here): one line and exit code 2, not a traceback.
To add an engine, add one line to :data:`ENGINES`.
"""

from __future__ import annotations

import importlib
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from propscope.errors import DetectorError, TrainingError

ENGINES: dict[str, str] = {
    "fast": "propscope.detect.fast.train:train_cli",
    "neural": "propscope.detect.neural.train:train_cli",
}


class Split(str, Enum):
    dev = "dev"
    all = "all"


def engine_function(engine: str) -> Any:
    """The ``train_cli`` of ``engine``, imported now."""
    target = ENGINES.get(engine)
    if target is None:
        raise DetectorError(f"unknown training engine {engine!r}",
                            fix=f"choose one of: {', '.join(sorted(ENGINES))}")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DetectorError(f"engine {engine!r} is not available: {exc}",
                            fix="install the training extra: pip install -e '.[train]'") from exc
    return getattr(module, attr)


def parse_options(args: list[str]) -> dict[str, str]:
    """``--key value`` / ``--key=value`` / ``--flag`` pairs as a dict (flags → "true")."""
    options: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) == 2:
            raise TrainingError(f"unexpected argument {arg!r}: engine options are --key value")
        key, eq, value = arg[2:].partition("=")
        if not eq:
            if i + 1 < len(args) and not args[i + 1].startswith("--"):
                value = args[i + 1]
                i += 1
            else:
                value = "true"
        options[key.replace("-", "_")] = value
        i += 1
    return options


class Toggle(str, Enum):
    """An engine's on/off setting as the README writes it (``--refit false``)."""

    true = "true"
    false = "false"


NEURAL = "Neural engine (the README's recipe)"
DEVICE = typer.Option(None, "--device", rich_help_panel=NEURAL, show_default=False,
                      help="cpu, cuda or auto (default auto).")
REFIT = typer.Option(None, "--refit", rich_help_panel=NEURAL, show_default=False,
                     help="false: ship the candidate trained on the inner split (the CPU "
                     "recipe); true: refit on all training articles (default).")
CRF_BLEND = typer.Option(None, "--crf-blend", rich_help_panel=NEURAL, show_default=False,
                         help="true (with --refit false): calibrate the encoder-CRF span "
                         "blend on the unseen inner-validation articles.")
SWEEP = typer.Option(None, "--sweep", rich_help_panel=NEURAL, show_default=False,
                     metavar="JSON", help="Candidate settings to try, a JSON list of "
                     'objects, e.g. [{"epochs": 12, "lr": 1e-4}].')

SPLIT = typer.Option(
    Split.dev, "--split",
    help="dev: train on the train part, report dev scores; all: train on all 371.",
)
OUTPUT = typer.Option(..., "--output", "-o", help="Model file to write.")

# Gathered by propscope.cli.app; no module imports the app (no import cycle).
commands = typer.Typer()


@commands.command(
    "train",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def train(
    ctx: typer.Context,
    engine: str = typer.Option("fast", "--engine", help="fast (CRF + linear) or neural."),
    data: str | None = typer.Option(
        None, "--data", help="The shared data folder or ptc/ itself (default $PROPSCOPE_DATA)."
    ),
    split: Split = SPLIT,
    output: Path = OUTPUT,
    device: str | None = DEVICE,
    refit: Toggle | None = REFIT,
    crf_blend: Toggle | None = CRF_BLEND,
    sweep: str | None = SWEEP,
) -> None:
    """Train a detector on the Propaganda Techniques Corpus.

    Extra --key value options go to the engine (fast: --folds, --seed, --c1, --c2,
    --max-iterations, --min-feature-count; neural: --epochs, --seed, --max-steps,
    --encoder, --time-budget and the options below).
    """
    function = engine_function(engine)
    options = parse_options(list(ctx.args))
    named = {"device": device, "refit": refit, "crf_blend": crf_blend, "sweep": sweep}
    for key, value in named.items():
        if value is not None:  # given: the engine takes it (or says it does not)
            options[key] = value.value if isinstance(value, Enum) else value
    try:
        function(data, split.value, output, options)
    except ValueError as exc:  # engines reject bad option values with ValueError
        raise TrainingError(f"--engine {engine}: {exc}") from exc
