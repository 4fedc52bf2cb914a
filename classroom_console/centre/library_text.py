"""The library's words in English and Russian, chosen from the browser's Accept-Language (or ``?lang=``)."""

from __future__ import annotations

LANGUAGES = ("en", "ru")

_RU = {
    "Library": "Библиотека",
    "Recorded lectures": "Записи лекций",
    "Search": "Найти",
    "Search lectures, lecturers, chapters": "Поиск по лекциям, преподавателям, главам",
    "All courses": "Все курсы",
    "Courses": "Курсы",
    "Lectures": "Лекции",
    "No lectures found.": "Лекции не найдены.",
    "No lectures have been published yet.": "Пока не опубликовано ни одной лекции.",
    "(no course)": "(без курса)",
    "lectures": "лекций",
    "Chapters": "Главы",
    "Download": "Скачать",
    "Download for offline use": "Скачать для просмотра без сети",
    "Lecturer": "Преподаватель",
    "Course": "Курс",
    "Room": "Аудитория",
    "Recorded": "Записано",
    "Length": "Длительность",
    "Presenter": "Преподаватель",
    "Presentation": "Презентация",
    "Second view": "Второй вид",
    "Back to the library": "Назад в библиотеку",
    "Not found": "Не найдено",
    "There is no such lecture here.": "Такой лекции здесь нет.",
    "Reader token": "Токен читателя",
    "This library asks for your institution's reader token.":
        "Для входа в библиотеку нужен токен читателя вашего учебного заведения.",
    "Enter": "Войти",
    "That token is not known here.": "Этот токен здесь неизвестен.",
    "results for": "результаты для",
    "Your browser cannot play this video; download it instead.":
        "Ваш браузер не может воспроизвести это видео; скачайте его.",
    "Language": "Язык",
    "min": "мин",
}


def choose(accept_language: str, asked: str = "") -> str:
    """``asked`` (``?lang=``) when it is one we have; else the first of ours the browser prefers; else English."""
    if asked in LANGUAGES:
        return asked
    best, best_q = "en", -1.0
    for order, item in enumerate(accept_language.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        code = tag.strip().lower()[:2]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        q -= order * 1e-4  # equal weights: the earlier one wins
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def gettext(lang: str) -> dict[str, str]:
    return _RU if lang == "ru" else {}


def tr(lang: str, text: str) -> str:
    return gettext(lang).get(text, text)
