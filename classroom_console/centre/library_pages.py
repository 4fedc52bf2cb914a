"""The library's HTML, made on the server: every value from the database or the request goes through ``esc``.

Plain HTML and CSS with a little vanilla JavaScript (``assets/library/``), all served by the centre: no CDN,
nothing from the internet. One column on a phone, a grid on a desk.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from collections.abc import Sequence

from classroom_console.centre.library_db import Lecture
from classroom_console.centre.library_text import LANGUAGES, tr

PREFIX = "/library/"
STATIC = PREFIX + "static/"
CURRENT = ' aria-current="page"'


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _query(**values: str) -> str:
    shown = {k: v for k, v in values.items() if v}
    return ("?" + urllib.parse.urlencode(shown)) if shown else ""


def _page(lang: str, title: str, body: str, script: str = "") -> str:
    t = lambda text: esc(tr(lang, text))  # noqa: E731
    switch = " ".join(
        f'<a href="?lang={code}" lang="{code}"{CURRENT if code == lang else ""}>{code.upper()}</a>'
        for code in LANGUAGES)
    scripts = f'<script src="{STATIC}{script}" defer></script>' if script else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f'<link rel="stylesheet" href="{STATIC}library.css">{scripts}</head><body>'
        f'<header class="top"><a class="brand" href="{PREFIX}">{t("Library")}</a>'
        f'<nav class="langs" aria-label="{t("Language")}">{switch}</nav></header>'
        f"<main>{body}</main></body></html>"
    )


def _card(lang: str, lecture: Lecture) -> str:
    day = lecture.started_at[:10]
    meta = " · ".join(esc(x) for x in (lecture.course, lecture.lecturer, "" if day in lecture.title else day) if x)
    first = lecture.chapters[0] if lecture.chapters else None
    thumb = (f'<img src="{PREFIX}thumb/{lecture.key}/0.jpg" alt="" loading="lazy">'
             if first is not None and first.thumbnail else '<span class="nothumb" aria-hidden="true">▶</span>')
    return (f'<li class="card"><a href="{PREFIX}watch/{lecture.key}">{thumb}'
            f'<span class="title">{esc(lecture.title or lecture.id)}</span>'
            f'<span class="meta">{meta}</span>'
            f'<span class="length">{esc(clock(lecture.duration_s))}</span></a></li>')


def index_page(lang: str, courses: Sequence[tuple[str, int, str]], lectures: Sequence[Lecture], q: str,
               course: str | None) -> str:
    t = lambda text: esc(tr(lang, text))  # noqa: E731
    options = [f'<option value="">{t("All courses")}</option>']
    for name, _, _ in courses:
        selected = " selected" if course is not None and name == course else ""
        options.append(f'<option value="{esc(name)}"{selected}>{esc(name or tr(lang, "(no course)"))}</option>')
    form = (f'<form class="search" role="search" action="{PREFIX}" method="get">'
            f'<input type="search" name="q" value="{esc(q)}" placeholder="{t("Search lectures, lecturers, chapters")}"'
            f' aria-label="{t("Search")}" maxlength="200">'
            f'<select name="course" aria-label="{t("Course")}">{"".join(options)}</select>'
            f'<input type="hidden" name="lang" value="{esc(lang)}">'
            f'<button type="submit">{t("Search")}</button></form>')
    course_links = "".join(
        f'<li><a href="{PREFIX}{esc(_query(course=name or " ", lang=lang))}"'
        f'{CURRENT if course == name else ""}>{esc(name or tr(lang, "(no course)"))}'
        f' <span class="count">{n}</span></a></li>'
        for name, n, _ in courses)
    if lectures:
        listing = f'<ul class="cards">{"".join(_card(lang, lec) for lec in lectures)}</ul>'
    elif q or course is not None:
        listing = f'<p class="empty">{t("No lectures found.")}</p>'
    else:
        listing = f'<p class="empty">{t("No lectures have been published yet.")}</p>'
    heading = t("Lectures")
    if q:
        heading = f'{heading}: {t("results for")} «{esc(q)}»'
    elif course is not None:
        heading = esc(course or tr(lang, "(no course)"))
    body = (f'<h1>{t("Recorded lectures")}</h1>{form}<div class="layout">'
            f'<aside><h2>{t("Courses")}</h2><ul class="courses">{course_links}</ul></aside>'
            f'<section><h2>{heading}</h2>{listing}</section></div>')
    return _page(lang, tr(lang, "Library"), body)


def player_page(lang: str, lecture: Lecture) -> str:
    t = lambda text: esc(tr(lang, text))  # noqa: E731
    media = f"{PREFIX}media/{lecture.key}.mp4"
    second = ""
    if lecture.tracks:
        track_id, source = _second_track(lecture.tracks)
        second = (f'<figure class="second"><video id="second" muted playsinline preload="metadata" '
                  f'src="{PREFIX}media/{lecture.key}/{esc(track_id)}.mp4"></video>'
                  f"<figcaption>{esc(source)}</figcaption></figure>")
    chapters = "".join(
        f'<li><button type="button" class="chapter" data-start="{c.start_s:.3f}">'
        + (f'<img src="{PREFIX}thumb/{lecture.key}/{n}.jpg" alt="" loading="lazy">' if c.thumbnail else "")
        + f'<span class="at">{esc(clock(c.start_s))}</span><span class="name">{esc(c.title)}</span></button></li>'
        for n, c in enumerate(lecture.chapters))
    facts = "".join(f"<dt>{t(label)}</dt><dd>{esc(value)}</dd>" for label, value in (
        ("Course", lecture.course), ("Lecturer", lecture.lecturer), ("Room", lecture.room),
        ("Recorded", lecture.started_at[:16].replace("T", " ")), ("Length", clock(lecture.duration_s)),
        ("Language", lecture.language)) if value)
    title = lecture.title or lecture.id
    watch = "watch" if chapters else "watch solo"  # no chapters: the player takes the whole row
    words = json.dumps({"cannot": tr(lang, "Your browser cannot play this video; download it instead.")},
                       ensure_ascii=True).replace("<", "\\u003c")
    body = (f'<p class="back"><a href="{PREFIX}?lang={esc(lang)}">← {t("Back to the library")}</a></p>'
            f"<h1>{esc(title)}</h1>"
            f'<div class="{watch}"><div class="stage">'
            f'<div class="player{" two" if second else ""}"><figure class="main">'
            f'<video id="video" controls playsinline preload="metadata" src="{media}"></video></figure>{second}</div>'
            f'<p class="download"><a href="{media}?download=1" download>{t("Download for offline use")}</a></p>'
            f'<dl class="facts">{facts}</dl></div>'
            + (f'<section class="chapters"><h2>{t("Chapters")}</h2><ol id="chapters">{chapters}</ol></section>'
               if chapters else "")  # no empty "Chapters" heading
            + "</div>"
            f'<script type="application/json" id="words">{words}</script>')
    return _page(lang, title, body, "player.js")


def _second_track(tracks: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The presentation (screen, board, slides) beside the program, else the first track there is."""
    for track in tracks:
        if any(word in track[1].lower() for word in ("screen", "slide", "board", "present")):
            return track
    return tracks[0]


def message_page(lang: str, title: str, text: str) -> str:
    body = (f"<h1>{esc(tr(lang, title))}</h1><p>{esc(tr(lang, text))}</p>"
            f'<p><a href="{PREFIX}?lang={esc(lang)}">{esc(tr(lang, "Back to the library"))}</a></p>')
    return _page(lang, tr(lang, title), body)


def token_page(lang: str, wrong: bool) -> str:
    t = lambda text: esc(tr(lang, text))  # noqa: E731
    problem = f'<p class="problem">{t("That token is not known here.")}</p>' if wrong else ""
    ask = t("This library asks for your institution's reader token.")
    body = (f'<h1>{t("Library")}</h1><p>{ask}</p>'
            f'{problem}<form class="token" method="get" action="{PREFIX}"><label>{t("Reader token")} '
            f'<input name="token" type="password" autocomplete="current-password" required></label>'
            f'<input type="hidden" name="lang" value="{esc(lang)}"><button type="submit">{t("Enter")}</button></form>')
    return _page(lang, tr(lang, "Library"), body)
