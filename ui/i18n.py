"""Language switching: our strings from assets/i18n, Qt's own (dialog buttons) from PySide6."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from classroom_console import cli_text
from ui.resources import translations_dir

log = logging.getLogger(__name__)


def pick_language(requested: str | None) -> str:
    """``--lang`` if given, else the environment's as the command line reads it (LANGUAGE, then the locale), so
    a window and the chapters or reports the core words for it speak one language."""
    return requested or cli_text.pick_language([])


def install(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Load translators for ``lang``; keep the returned list alive as long as the app.

    English has one too, holding only plural forms ("1 recording", "5 recordings"): the source is English.
    """
    loaded: list[QTranslator] = []
    ours = QTranslator(app)
    qm = translations_dir() / f"classroom_console_{lang}.qm"
    if ours.load(str(qm)):
        loaded.append(ours)
    else:
        log.warning("no translation for %r at %s (run scripts/setup.sh to compile it)", lang, qm)
    if lang == "en":
        for translator in loaded:
            app.installTranslator(translator)
        return loaded
    qt = QTranslator(app)
    if qt.load(QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        loaded.append(qt)
    for translator in loaded:
        app.installTranslator(translator)
    return loaded
