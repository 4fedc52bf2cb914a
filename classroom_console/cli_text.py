"""The command line's words in the user's language, without Qt: the core cannot use the GUI's .qm files.

A message is looked up by its English text, as Qt's ``tr()`` does, so code reads in English and an untranslated
message simply stays English. Counts go through ``ntr()``: English has two forms, Russian three (1 сеанс,
2 сеанса, 5 сеансов). The Russian lives in ``cli_text_ru.py``; to translate a command, wrap its strings in
``tr()`` / ``ntr()`` and add their Russian there (``tests/test_cli_text.py`` checks that none is missing).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence

LANGUAGES = ("en", "ru")
_language = "en"


def language() -> str:
    return _language


def set_language(lang: str) -> None:
    global _language
    _language = lang if lang in LANGUAGES else "en"


def pick_language(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """``--lang`` if given, else the first of ours in LANGUAGE (as gettext reads it), else the locale's language
    (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    env = os.environ if environ is None else environ
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    if locale not in ("C", "POSIX"):  # gettext's LANGUAGE list outranks the locale, except in the C locale
        for wanted in env.get("LANGUAGE", "").split(":"):
            code = wanted.split(".")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
    code = locale.split(".")[0].split("_")[0].lower()
    return code if code in LANGUAGES else "en"


def from_accept_language(header: str, asked: str = "") -> str:
    """A web page's language: ``asked`` (``?lang=``) if we have it, else the browser's most wanted of ours
    (Accept-Language's q weights, the earlier of equals), else English."""
    if asked in LANGUAGES:
        return asked
    wanted = []
    for order, item in enumerate(header.split(",")[:20]):
        tag, _, weight = item.partition(";")
        code = tag.strip().lower()[:2]
        try:
            q = float(weight.strip().removeprefix("q=")) if weight.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        if code in LANGUAGES and q > 0:
            wanted.append((q, -order, code))
    return max(wanted)[2] if wanted else "en"


def _catalogue(lang: str | None = None) -> tuple[Mapping[str, str], Mapping[str, tuple[str, ...]]]:
    if (lang or _language) == "ru":
        from classroom_console.cli_text_ru import MESSAGES, PLURALS

        return MESSAGES, PLURALS
    return {}, {}


def tr(text: str) -> str:
    """``text`` in the chosen language (English text is the key)."""
    return _catalogue()[0].get(text, text)


def ptr(context: str, text: str) -> str:
    """``text`` as ``context`` means it, where one English word has two meanings ("failed": a destination's state,
    a status key that could not be read); the catalogue's key is ``context`` + "\\x04" + ``text``, as gettext's."""
    return _catalogue()[0].get(f"{context}\x04{text}", text)


def in_every_language(text: str) -> set[str]:
    """``text`` as each language says it, so a name the user read in either (a shipped scene's) finds its thing."""
    return {text} | {_catalogue(lang)[0].get(text, text) for lang in LANGUAGES}


def plural_index(lang: str, n: int) -> int:
    """Which plural form a count takes: English one/other; Russian one/few/many (CLDR rules)."""
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    return 0 if n == 1 else 1


def ntr(singular: str, plural: str, n: int) -> str:
    """A count in words, ``{n}`` replaced by the number: ``ntr("{n} session", "{n} sessions", 5)``."""
    forms = _catalogue()[1].get(singular) or (singular, plural)
    form = forms[min(plural_index(_language if len(forms) == 3 else "en", n), len(forms) - 1)]
    return form.replace("{n}", str(n))


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    forms = _catalogue()[1].get(singular) or (singular, plural)
    return forms[min(plural_index(_language if len(forms) == 3 else "en", n), len(forms) - 1)]


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within: ``tr()`` and argparse's own words ("usage:", "options", its errors) in ``lang``; restored after."""
    global _language
    saved = _language, argparse._, argparse.ngettext  # type: ignore[attr-defined]
    set_language(lang)
    argparse._ = tr  # type: ignore[attr-defined]  # argparse looks its words up through this module global
    argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _language, argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
