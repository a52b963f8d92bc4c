/// The officer's screen: one page, its style sheet and its script, served by the gateway
/// itself (no file on disk, nothing fetched from elsewhere; the server's Content-Security-Policy
/// allows only these). The script draws tiles from `ScreenUpdate` JSON with text nodes only,
/// and follows `/events` (server-sent events), which the browser reconnects by itself after a
/// reload or a restart of the service.
public enum ScreenAssets {
    public static let html = """
    <!DOCTYPE html>
    <html lang="zh-CN">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>执法记录仪采集站 · Recorder dock</title>
    <link rel="stylesheet" href="/screen.css">
    <script src="/screen.js" defer></script>
    </head>
    <body>
    <header>
      <h1><span lang="zh-CN">执法记录仪采集站</span> <span class="en" lang="en">Recorder dock</span></h1>
      <p id="link" class="link" role="status" aria-live="polite"><span lang="zh-CN">正在连接…</span> <span lang="en">Connecting…</span></p>
    </header>
    <p id="store" class="store" role="alert" hidden></p>
    <main id="bays" aria-live="polite">
      <p class="empty"><span lang="zh-CN">请插入执法记录仪</span><br><span class="en" lang="en">Dock a recorder</span></p>
    </main>
    <footer id="gateway"></footer>
    </body>
    </html>

    """

    public static let css = """
    :root { color-scheme: light; font-family: "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Source Han Sans SC", sans-serif; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #f3f4f6; color: #111; font-size: clamp(16px, 1.6vw, 30px); }
    header { display: flex; justify-content: space-between; align-items: baseline; padding: 0.5em 1em; background: #1f2937; color: #fff; }
    h1 { margin: 0; font-size: 1.5em; }
    .en { font-weight: normal; opacity: 0.85; }
    .link { margin: 0; font-size: 0.9em; }
    .link.down { background: #b91c1c; padding: 0.2em 0.6em; border-radius: 0.3em; }
    main { display: grid; grid-template-columns: repeat(auto-fill, minmax(max(22em, 30%), 1fr)); gap: 0.8em; padding: 0.8em; }
    .empty { grid-column: 1 / -1; text-align: center; font-size: 2.4em; margin: 2em 0; color: #374151; }
    .tile { background: #fff; border: 0.35em solid #6b7280; border-radius: 0.5em; padding: 0.6em 0.8em; min-height: 12em; display: flex; flex-direction: column; gap: 0.3em; }
    .tile .top { display: flex; justify-content: space-between; font-size: 0.9em; color: #374151; }
    .tile .who { font-size: 1.5em; font-weight: bold; }
    .tile .who .number { font-weight: normal; margin-left: 0.4em; }
    .tile .state { display: flex; align-items: center; gap: 0.4em; }
    .tile .symbol { font-size: 2.6em; width: 1.2em; text-align: center; line-height: 1; }
    .tile .words .zh { display: block; font-size: 2.2em; font-weight: bold; line-height: 1.1; }
    .tile .words .en { display: block; font-size: 1.1em; }
    .tile .bar { height: 1.2em; background: #e5e7eb; border: 2px solid #374151; border-radius: 0.3em; overflow: hidden; }
    .tile .bar > div { height: 100%; background: repeating-linear-gradient(45deg, #1d4ed8, #1d4ed8 0.5em, #2563eb 0.5em, #2563eb 1em); }
    .tile .progress { font-size: 0.95em; }
    .tile .detail { font-size: 0.9em; color: #7f1d1d; overflow-wrap: anywhere; }
    /* Each state has its own border style and symbol as well as its colour. */
    .tile.reading { border-color: #1d4ed8; border-style: solid; }
    .tile.verifying { border-color: #7c3aed; border-style: dashed; }
    .tile.safe-to-take { border-color: #15803d; border-style: double; border-width: 0.5em; background: #f0fdf4; }
    .tile.dock-again { border-color: #b45309; border-style: dotted; background: #fffbeb; }
    .tile.needs-technician { border-color: #b91c1c; border-style: solid; border-width: 0.6em; background: #fef2f2; }
    .store { margin: 0.8em 0.8em 0; padding: 0.5em 0.8em; font-size: 1.3em; font-weight: bold; border: 0.3em solid #b45309; background: #fffbeb; border-radius: 0.4em; }
    .store.critical { border-color: #b91c1c; border-style: double; border-width: 0.5em; background: #fef2f2; }
    .store .en { display: block; font-size: 0.8em; }
    footer { padding: 0.3em 1em; font-size: 0.8em; color: #4b5563; }

    """

    public static let js = """
    "use strict";
    (function () {
      const bays = document.getElementById("bays");
      const link = document.getElementById("link");
      const footer = document.getElementById("gateway");
      const store = document.getElementById("store");

      function el(tag, cls, text) {
        const e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined && text !== null) e.textContent = String(text);
        return e;
      }
      function bytes(n) {
        if (n >= 1e9) return (n / 1e9).toFixed(2) + " GB";
        if (n >= 1e6) return (n / 1e6).toFixed(1) + " MB";
        if (n >= 1e3) return (n / 1e3).toFixed(0) + " kB";
        return n + " B";
      }
      function wait(s) {
        if (s === null || s === undefined) return "";
        if (s >= 356400) return " · 剩余超过 99 小时 / more than 99 h left";
        const m = Math.floor(s / 60), r = s % 60;
        const text = m > 0 ? m + " 分 " + r + " 秒" : r + " 秒";
        const en = m > 0 ? m + " min " + r + " s" : r + " s";
        return " · 剩余 " + text + " / " + en + " left";
      }
      function time(iso) {
        if (!iso) return "";
        const d = new Date(iso);
        return isNaN(d) ? "" : d.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
      }
      function tile(t) {
        const root = el("section", "tile " + t.state);
        root.dataset.bay = t.bay;
        root.dataset.state = t.state;
        const top = el("div", "top");
        top.append(el("span", "bay", t.bay), el("span", "serial", t.serial || ""));
        const who = el("div", "who", t.officerName || t.officerNumber || "");
        if (t.officerName && t.officerNumber) who.append(el("span", "number", t.officerNumber));
        const state = el("div", "state");
        state.append(el("span", "symbol", t.symbol));
        const words = el("span", "words");
        words.append(el("span", "zh", t.chinese), el("span", "en", t.english));
        state.append(words);
        root.append(top, who, state);
        if (t.state === "reading" || t.state === "verifying") {
          const bar = el("div", "bar");
          bar.setAttribute("role", "progressbar");
          bar.setAttribute("aria-valuemin", "0");
          bar.setAttribute("aria-valuemax", "100");
          bar.setAttribute("aria-valuenow", String(t.percent));
          const fill = el("div");
          fill.style.width = t.percent + "%";
          bar.append(fill);
          root.append(bar, el("div", "progress", t.percent + "% · " + bytes(t.bytesDone) + " / " + bytes(t.bytesTotal) + wait(t.secondsLeft)));
        } else if (t.ended) {
          root.append(el("div", "progress", "结束于 " + time(t.ended) + " / finished " + time(t.ended)));
        }
        if (t.detail) root.append(el("div", "detail", t.detail));
        return root;
      }
      function draw(update) {
        const tiles = update.tiles || [];
        if (tiles.length === 0) {
          const empty = el("p", "empty");
          empty.append(el("span", null, "请插入执法记录仪"), el("br"), el("span", "en", "Dock a recorder"));
          bays.replaceChildren(empty);
        } else {
          bays.replaceChildren(...tiles.map(tile));
        }
        // The station's name alone ("vm") said nothing to a reader; label it in both languages.
        footer.textContent = update.gateway ? "采集站 " + update.gateway + " / Station " + update.gateway : "";
        const notice = update.store;
        if (notice) {
          store.className = "store " + (notice.level === "critical" ? "critical" : "high");
          store.replaceChildren(el("span", "zh", "⚠ " + notice.chinese + "（" + notice.usedPercent + "%）"),
                                el("span", "en", notice.english + " (" + notice.usedPercent + "% used)"));
          store.hidden = false;
        } else {
          store.hidden = true;
          store.replaceChildren();
        }
      }
      function connected(up) {
        link.className = up ? "link" : "link down";
        link.replaceChildren(el("span", null, up ? "已连接" : "连接中断，正在重连"), document.createTextNode(" "),
                             el("span", "en", up ? "Connected" : "Connection lost, reconnecting"));
      }
      const source = new EventSource("/events");
      source.onopen = function () { connected(true); };
      source.onerror = function () { connected(false); };
      source.onmessage = function (e) {
        try { draw(JSON.parse(e.data)); } catch (err) { /* a malformed update changes nothing */ }
      };
    })();

    """
}
