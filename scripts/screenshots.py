#!/usr/bin/env python3
"""Screenshots of a run's or a sweep's TensorBoard, as a person opening it sees it.

Starts TensorBoard's own server on a run or sweep folder and saves one PNG per dashboard page with the
system's headless Chromium (Debian: ``apt-get install chromium``), which renders TensorBoard's pages as
a browser does; a fresh profile each time, no network beyond the local server.

    python scripts/screenshots.py outputs/multiruns/<time> docs/img/sweep --pages hparams,timeseries
    python scripts/screenshots.py outputs/runs/<run> docs/img/vae --pages images --size 1100,900
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PAGES = {"timeseries": "#timeseries", "scalars": "#scalars", "hparams": "#hparams", "images": "#images",
         "text": "#text", "projector": "#projector"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--disable-dev-shm-usage"]
NO_WEBGL = ["--disable-webgl"]  # charts fall back to SVG, which headless Chromium draws without a GPU
SOFTWARE_WEBGL = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]  # the projector needs WebGL


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("screenshots: no chromium on PATH (Debian: apt-get install -y chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_tensorboard(logdir: str, port: int) -> subprocess.Popen:
    """TensorBoard on localhost, answering once its run list is loaded."""
    server = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--port", str(port),
                               "--host", "127.0.0.1", "--reload_interval", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/data/runs", timeout=2) as r:
                if r.status == 200 and r.read().strip() not in (b"", b"[]"):
                    return server
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit(f"screenshots: TensorBoard did not serve {logdir} within 60 s")


def shoot(url: str, png: str, size: str, wait_ms: int, webgl: bool = False) -> None:
    """One page after ``wait_ms`` of the page's own time (its scripts fetch and draw the cards)."""
    with tempfile.TemporaryDirectory(prefix="aa-chromium-") as profile:
        subprocess.run([browser(), *CHROMIUM_FLAGS, *(SOFTWARE_WEBGL if webgl else NO_WEBGL),
                        f"--user-data-dir={profile}", f"--window-size={size}",
                        f"--virtual-time-budget={wait_ms}", f"--screenshot={os.path.abspath(png)}", url],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("logdir", help="a run folder (outputs/runs/...) or a sweep folder (outputs/multiruns/...)")
    p.add_argument("prefix", help="where to write: PREFIX_<page>.png")
    p.add_argument("--pages", default="timeseries,hparams,images", help=f"comma-separated: {', '.join(PAGES)}")
    p.add_argument("--size", default="1280,860", help="window width,height in pixels")
    p.add_argument("--wait-ms", type=int, default=15000, help="page time before the picture is taken")
    args = p.parse_args()
    pages = args.pages.split(",")
    if not os.path.isdir(args.logdir):
        p.error(f"logdir={args.logdir}: no such folder. Valid choices: a run or sweep folder under outputs/")
    unknown = [x for x in pages if x not in PAGES]
    if unknown:
        p.error(f"--pages={','.join(unknown)}: not a TensorBoard page here. Valid choices: {', '.join(PAGES)}")
    os.makedirs(os.path.dirname(os.path.abspath(args.prefix)), exist_ok=True)
    port = free_port()
    server = start_tensorboard(args.logdir, port)
    try:
        for page in pages:
            png = f"{args.prefix}_{page}.png"
            shoot(f"http://127.0.0.1:{port}/{PAGES[page]}", png, args.size, args.wait_ms, webgl=page == "projector")
            print(png)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
