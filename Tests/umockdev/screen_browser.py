#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol to watch the officer's screen.

    screen_browser.py URL OUTDIR --expect BAY=STATE[,STATE...] [--expect ...] [--timeout S]

Opens URL once (no reload), then, for each --expect, waits until the tile of BAY has shown each
STATE in turn (data-state on the tile, read from the live DOM every 100 ms; STATE `empty`: the page says no recorder is docked, whatever BAY; BAY `link` with STATE `offline` or `online`: what the page says of its connection to the service), and writes
OUTDIR/screen-1920x1080.png and OUTDIR/screen-1280x800.png of the final page, and
OUTDIR/tiles.json (what each tile says). Exits 0 when every expectation was met, 1 naming the
first that was not (and what the page showed), 2 when Chromium could not be driven.
Needs: chromium (Debian), websocket-client (PyPI).
"""
import argparse, base64, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.request
import websocket

READ_TILES = """JSON.stringify({
  empty: !!document.querySelector('.empty'),
  link: (document.getElementById('link') || {}).className || '',
  store: (document.getElementById('store') || {hidden: true}).hidden ? null : document.getElementById('store').innerText.replace(/\\s+/g, ' ').trim(),
  tiles: Array.from(document.querySelectorAll('.tile')).map(t => ({
    bay: t.dataset.bay, state: t.dataset.state, text: t.innerText.replace(/\\s+/g, ' ').trim()}))})"""


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def tiles(self):
        result = self.call("Runtime.evaluate", expression=READ_TILES, returnByValue=True)
        return json.loads(result["result"]["value"])

    def screenshot(self, path, width, height):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        time.sleep(0.3)  # one frame for the layout at the new size; the states were already met
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


def launch(profile):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("screen_browser: no chromium (apt-get install chromium)")
    proc = subprocess.Popen([exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--no-first-run", "--hide-scrollbars", "--remote-debugging-port=0",
                             f"--user-data-dir={profile}", "--window-size=1920,1080", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"DevTools listening on (ws://\S+)", line)
        if m:
            return proc, m.group(1)
    sys.exit(2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("outdir")
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--timeout", type=float, default=240)
    a = p.parse_args()
    profile = tempfile.mkdtemp(prefix="screen-browser-")
    proc, browser_ws = launch(profile)
    try:
        port = re.search(r":(\d+)/", browser_ws).group(1)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?{a.url}", method="PUT")
        target = json.load(urllib.request.urlopen(req, timeout=60))
        page = Page(target["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Runtime.enable")
        deadline = time.monotonic() + a.timeout
        last = None
        for spec in a.expect:
            bay, states = spec.split("=", 1)
            for state in states.split(","):
                while True:
                    last = page.tiles()
                    shown = [t["state"] for t in last["tiles"] if t["bay"] == bay]
                    link_up = last["link"] == "link"
                    if (state == "empty" and last["empty"] or state in shown
                            or bay == "link" and (state == "online" and link_up or state == "offline" and not link_up)):
                        print(f"ok   screen: bay {bay} shows {state}", flush=True)
                        break
                    if time.monotonic() > deadline:
                        print(f"FAIL screen: bay {bay} never showed {state}; the page showed {json.dumps(last, ensure_ascii=False)}")
                        return 1
                    time.sleep(0.1)
        os.makedirs(a.outdir, exist_ok=True)
        with open(os.path.join(a.outdir, "tiles.json"), "w") as f:
            json.dump(page.tiles(), f, ensure_ascii=False, indent=1)
        page.screenshot(os.path.join(a.outdir, "screen-1920x1080.png"), 1920, 1080)
        page.screenshot(os.path.join(a.outdir, "screen-1280x800.png"), 1280, 800)
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
