"""``zoo demo`` / ``python -m zoo.demo``: options, no gradio on ``import zoo``, and a real server process."""

import os
import select
import signal
import subprocess
import sys
import time
import urllib.request

from zoo.cli.main import build_parser, main


def test_options(capsys):
    args = build_parser().parse_args(["demo", "--host", "0.0.0.0", "--port", "9000", "--share", "false"])
    assert (args.host, args.port, args.share, args.max_megapixels, args.untrained) == (
        "0.0.0.0",
        9000,
        False,
        2.0,
        False,
    )
    assert build_parser().parse_args(["demo", "--share", "True"]).share is True
    assert main(["demo", "--share", "maybe"]) == 2
    assert "expected true or false, got 'maybe'" in capsys.readouterr().err


def test_bad_options_fail_fast_with_a_message(capsys):
    assert main(["demo", "--device", "mps"]) == 1
    assert "zoo demo: error: device 'mps' is not supported" in capsys.readouterr().err
    assert main(["demo", "--concurrency", "0"]) == 1
    assert "--concurrency must be at least 1" in capsys.readouterr().err


def test_import_zoo_and_the_cli_do_not_import_gradio():
    code = "import sys, zoo, zoo.demo, zoo.cli.main; zoo.cli.main.build_parser(); print('gradio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_module_help():
    out = subprocess.run([sys.executable, "-m", "zoo.demo", "--help"], capture_output=True, text=True, check=True)
    assert "python -m zoo.demo" in out.stdout and "--max-megapixels" in out.stdout and "--share" in out.stdout


def test_zoo_demo_serves_until_terminated(free_port):
    port = free_port
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "zoo.cli.main", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 45
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200 and "mbn-zoo" in response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "the demo did not answer within 45 s"
                time.sleep(0.5)  # polling a starting server; there is nothing to wait on
        log, fd = "", proc.stdout.fileno()
        while "--share true" not in log and select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            chunk = os.read(fd, 4096)  # unbuffered, so select() sees every byte that is not read yet
            assert chunk, f"the demo exited: {log}"
            log += chunk.decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    # the start-up lines name this command's options, not gradio's launch() arguments
    assert f"running on http://127.0.0.1:{port}" in log and "`zoo demo --share true`" in log, log
    assert "share=True" not in log, log
