"""``zoo train CONFIG``: train with mmengine's Runner from a shipped config name or a config file."""

import argparse
from collections.abc import Sequence

HELP = "train a model from a config (e.g. mbn_stage1, rmbn_stage2, mbn_stage1_tiny) with mmengine"


class _ConfigOptions(argparse.Action):
    """mmengine's ``DictAction`` (``KEY=VALUE`` pairs into a dict), imported only when the option is given."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[str] | None,
        option_string: str | None = None,
    ) -> None:
        from mmengine.config import DictAction

        DictAction(self.option_strings, self.dest, nargs=self.nargs)(parser, namespace, values, option_string)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("config", nargs="?", help="shipped config name or a .py/.yaml file (.py configs are code)")
    parser.add_argument(
        "--cfg-options",
        nargs="+",
        action=_ConfigOptions,
        default={},
        metavar="KEY=VALUE",
        help="override config entries, e.g. model.net.width=0.5 train_cfg.max_iters=1000",
    )
    parser.add_argument("--work-dir", help="output folder (default work_dirs/<config>)")
    parser.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="math threads (default: one per physical core that other processes leave free, measured again every "
        "2 minutes; OMP_NUM_THREADS when it is set)",
    )
    parser.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in the work dir")
    parser.add_argument(
        "--launcher",
        choices=["none", "pytorch"],
        default="none",
        help="'pytorch' under torchrun for DDP (NCCL on GPUs, gloo on CPUs)",
    )
    parser.add_argument("--list", action="store_true", help="list the shipped configs and exit")


def run(args: argparse.Namespace) -> int:
    """Build the Runner and train."""
    from zoo.training import build_runner, list_configs, load_config

    if args.list or not args.config:
        print("\n".join(list_configs()))
        return 0 if args.list else 2
    options = dict(args.cfg_options)
    if args.threads is not None:
        options["default_hooks.cpu.threads"] = args.threads
    cfg = load_config(args.config, options)
    try:  # building the runner builds the model from the config: a TypeError there is a config mistake
        runner = build_runner(cfg, work_dir=args.work_dir, resume=args.resume, launcher=args.launcher)
    except TypeError as err:
        raise ValueError(f"config {args.config}: {err}; check the config's keys and values") from err
    try:
        runner.train()
    except TypeError as err:  # datasets, samplers and hooks are built here, among code whose bugs must show
        if not _is_config_mistake(err):
            raise
        raise ValueError(f"config {args.config}: {err}; check the config's keys and values") from err
    return 0


def _is_config_mistake(err: TypeError) -> bool:
    """A component built from the config got a keyword it does not take, or lacks a required one."""
    text = str(err)
    return "unexpected keyword argument" in text or ("missing" in text and "required" in text)
