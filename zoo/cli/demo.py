"""``zoo demo``: serve the Gradio demo (models side by side) on a local port; needs the ``demo`` extra."""

import argparse

HELP = "serve the web demo: restore an image with up to four models side by side (needs the 'demo' extra)"


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "yes", "1", "on"):
        return True
    if value in ("false", "no", "0", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument(
        "--share", type=_boolean, default=False, metavar="{true,false}", help="make a public Gradio share link"
    )
    parser.add_argument(
        "--max-megapixels", type=float, default=2.0, help="largest accepted input in megapixels (default 2)"
    )
    parser.add_argument("--device", default="cpu", help="where the models run: cpu or cuda (default cpu)")
    parser.add_argument("--concurrency", type=int, default=1, help="requests restoring at once (default 1)")
    parser.add_argument(
        "--untrained", action="store_true", help="also offer small untrained networks (to try the interface)"
    )


def run(args: argparse.Namespace) -> int:
    """Build the app and serve it until interrupted."""
    try:
        import gradio  # noqa: F401
    except ImportError as err:
        raise RuntimeError("the demo needs gradio: pip install 'mbn-zoo[demo]'") from err
    from zoo.demo.app import build_app, launch

    if args.concurrency < 1:
        raise ValueError(f"--concurrency must be at least 1; got {args.concurrency}")
    app = build_app(
        max_megapixels=args.max_megapixels,
        concurrency_limit=args.concurrency,
        untrained=args.untrained,
        device=args.device,
    )
    launch(app, host=args.host, port=args.port, share=args.share)
    return 0
