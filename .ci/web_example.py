#!/usr/bin/env python3
"""The web example's test: loads the page in headless Chromium through
chromedriver (WebDriver over HTTP, standard library only), waits for the page
to report, prints what it shows, and exits non-zero unless body[data-status]
is "ok" and the adapter is the browser's WebGPU.

Usage: web_example.py URL  (chromedriver from $CHROMEDRIVER, Chromium's
options from webdriver.json, the file the browser test suite also uses).
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

TIMEOUT_S = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, method=method,
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)["value"]
    except urllib.error.HTTPError as e:
        sys.exit(f"web example: WebDriver {method} {path} failed: {e.read().decode()}")


def main():
    url = sys.argv[1]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with open(os.path.join(root, "webdriver.json")) as f:
        options = json.load(f)["goog:chromeOptions"]
    # What wasm-bindgen-test-runner adds for the suite, added here too.
    options["args"] = options["args"] + ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"]
    port = free_port()
    driver = subprocess.Popen(
        [os.environ.get("CHROMEDRIVER", "chromedriver"), f"--port={port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        session = call(base, "POST", "/session",
                       {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}})
        sid = session["sessionId"]
        try:
            call(base, "POST", f"/session/{sid}/url", {"url": url})
            script = ("return [document.body.dataset.status,"
                      " document.getElementById('status').textContent,"
                      " document.getElementById('out').innerText,"
                      " (document.getElementById('adapter') || {dataset: {}}).dataset.backend];")
            deadline = time.monotonic() + TIMEOUT_S
            while True:
                status, message, text, backend = call(
                    base, "POST", f"/session/{sid}/execute/sync", {"script": script, "args": []})
                if status != "running" or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        finally:
            call(base, "DELETE", f"/session/{sid}")
    finally:
        driver.terminate()
        driver.wait()
    print(text)
    print(f"web example: status {status!r}: {message}")
    if status != "ok":
        sys.exit(f"web example FAILED: the page reports {status!r}: {message}")
    if backend != "BrowserWebGpu":
        sys.exit(f"web example FAILED: the adapter's backend is {backend!r}, not BrowserWebGpu")
    print("web example: ok")


if __name__ == "__main__":
    main()
