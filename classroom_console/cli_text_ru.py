"""Russian for the command line (``cli_text.tr``): English text → Russian; counts → Russian's three forms."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # argparse's own words
    "usage: ": "использование: ",
    "positional arguments": "позиционные аргументы",
    "options": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "show program's version number and exit": "показать версию программы и выйти",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "the following arguments are required: %s": "не хватает обязательных аргументов: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "недопустимое значение: %(value)r (можно: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "expected one argument": "ожидается одно значение",
    "expected at least one argument": "ожидается хотя бы одно значение",
    "expected at most one argument": "ожидается не больше одного значения",
    "invalid %(type)s value: %(value)r": "недопустимое значение %(type)s: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "неоднозначный параметр: %(option)s подходит к %(matches)s",
    "not allowed with argument %s": "нельзя вместе с аргументом %s",
    "one of the arguments %s is required": "нужен один из аргументов %s",
    "ignored explicit argument %r": "лишнее значение %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "неизвестная команда %(parser_name)r (можно: %(choices)s)",
    # cli.py
    "see": "см.",
    "COMMAND": "КОМАНДА",
    "not built yet": "ещё не готово",
    "{what} is not built yet.": "{what}: ещё не готово.",
    "Run a smart classroom: find and control its devices, record lectures, log sessions.":
        "Управление умной аудиторией: поиск и управление устройствами, запись лекций, журнал занятий.",
    "where the session store lives (default: user data dir)":
        "где хранится журнал занятий (по умолчанию: папка данных пользователя)",
    "interface language (default: the system's)": "язык интерфейса (по умолчанию: язык системы)",
    "log more": "подробный журнал",
    "save each workspace as PNG and exit": "сохранить каждое рабочее место в PNG и выйти",
    "--screenshot {folder}: {part} is a file, not a folder": "--screenshot {folder}: {part} — файл, а не папка",
    "--screenshot {folder}: {part} is not writable": "--screenshot {folder}: в {part} нельзя записывать",
    "no display found: run it on the desktop, or under xvfb-run (scripts/demo.sh does that for you)":
        "экран не найден: запустите на рабочем столе или под xvfb-run (это делает scripts/demo.sh)",
    "the console window on the real network (default)": "окно пульта в настоящей сети (по умолчанию)",
    "the console window on a simulated room on loopback": "окно пульта с имитацией аудитории на loopback",
    "simulated devices on loopback": "имитация устройств на loopback",
    "finding the room's devices": "поиск устройств аудитории",
    "controlling one device": "управление одним устройством",
    "recording lectures headless": "запись лекций без окна",
    "live streaming": "прямая трансляция",
    "the usage report": "отчёт об использовании",
    "uploading to the centre": "отправка в центр",
    "the centre's receiving service": "приёмная служба центра",
    "an active-learning session with student tablets, headless": "активное занятие с планшетами студентов, без окна",
    "chapters found in a recording": "главы, найденные в записи",
}

PLURALS: dict[str, tuple[str, str, str]] = {
    "expected %s argument": ("ожидается %s значение", "ожидается %s значения", "ожидается %s значений"),
}
