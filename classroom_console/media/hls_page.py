"""The /live/ player page in one language, the viewer's browser's (as the library's pages choose theirs).

It mixed both languages on every line ("Live / Прямой эфир"); now the server picks one per request from
Accept-Language (or ``?lang=``) and the page's few states come with it, in a JSON table the script reads.
Each language's page is made once, at the server's start.
"""

from __future__ import annotations

import json
from string import Template

from classroom_console.cli_text import LANGUAGES

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Live lecture",
        "live": "Live:",
        "connecting": "connecting…",
        "playing": "playing",
        "buffering": "buffering…",
        "reconnecting": "reconnecting…",
        "unsupported": "this browser cannot play HLS",
    },
    "ru": {
        "title": "Лекция в прямом эфире",
        "live": "Прямой эфир:",
        "connecting": "подключение…",
        "playing": "идёт",
        "buffering": "загрузка…",
        "reconnecting": "переподключение…",
        "unsupported": "этот браузер не умеет воспроизводить HLS",
    },
}

_PAGE = Template("""<!doctype html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
  html, body { margin: 0; height: 100%; background: #111; color: #eee; font-family: sans-serif; }
  main { display: flex; flex-direction: column; height: 100%; }
  video { flex: 1; width: 100%; min-height: 0; background: #000; }
  p { margin: 0.4em 0.8em; font-size: 0.9em; overflow-wrap: anywhere; }
</style>
</head>
<body>
<main>
  <video id="video" controls autoplay muted playsinline></video>
  <p id="status">$live <span id="state">$connecting</span></p>
</main>
<script src="hls.light.min.js"></script>
<script id="words" type="application/json">$words</script>
<script>
  // The playlist is served by this console; no internet is needed. Safari and iOS play HLS themselves,
  // other browsers through hls.js (served beside this page). Muted autoplay is what browsers allow.
  "use strict";
  const words = JSON.parse(document.getElementById("words").textContent);
  const video = document.getElementById("video");
  const state = document.getElementById("state");
  const source = "index.m3u8";
  function say(key) { state.textContent = words[key]; }
  video.addEventListener("playing", () => say("playing"));
  video.addEventListener("waiting", () => say("buffering"));
  if (window.Hls && window.Hls.isSupported()) {
    // Two seconds behind the newest segment (about 2.7 s glass to glass on a LAN), catching up when it drifts.
    const hls = new window.Hls({ liveSyncDuration: 2, liveMaxLatencyDuration: 5, maxLiveSyncPlaybackRate: 1.1 });
    hls.on(window.Hls.Events.ERROR, (event, data) => {
      if (!data.fatal) return;
      say("reconnecting");
      if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) { hls.recoverMediaError(); return; }
      setTimeout(() => hls.loadSource(source), 2000);
    });
    hls.loadSource(source);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = source;
  } else {
    say("unsupported");
  }
</script>
</body>
</html>
""")


def page(lang: str) -> bytes:
    """The page in ``lang`` (English for a language it has not)."""
    words = WORDS.get(lang) or WORDS["en"]
    table = json.dumps(words, ensure_ascii=False).replace("</", "<\\/")  # never ends its own script tag
    return _PAGE.substitute(lang=lang if lang in WORDS else "en", title=words["title"], live=words["live"],
                            connecting=words["connecting"], words=table).encode()


def pages() -> dict[str, bytes]:
    return {lang: page(lang) for lang in LANGUAGES}
