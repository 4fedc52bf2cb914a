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
    "a value that begins with '-' is written {option}=VALUE":
        "значение, начинающееся с «-», пишется так: {option}=ЗНАЧЕНИЕ",
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
    # commands/argtypes.py
    "{text!r} is not a number": "{text!r} — не число",
    "{text!r} is not a whole number": "{text!r} — не целое число",
    "{text} must be more than {low} and at most {high}": "{text}: нужно больше {low} и не больше {high}",
    "{text} must be at least {low} and at most {high}": "{text}: нужно от {low} до {high}",
    "{text!r} is not a date like 2026-09-01": "{text!r} — не дата вида 2026-09-01",
    # commands/discover.py
    "KIND": "ВИД",
    "NAME": "ИМЯ",
    "ADDRESS": "АДРЕС",
    "PROTOCOL": "ПРОТОКОЛ",
    "CLASS": "КЛАСС",
    "STATE": "СОСТОЯНИЕ",
    "lamp {hours} h": "лампа {hours} ч",
    "{spec} is a range of {hosts} addresses; at most {most} per range (a /{prefix} for IPv4): split or narrow it":
        "{spec} — диапазон из {hosts} адресов; в одном диапазоне не больше {most} (для IPv4 — /{prefix}): "
        "разделите или сузьте его",
    "{spec!r} is not an address: give an IP address, IP:PORT or a range such as 10.0.5.0/24":
        "{spec!r} — не адрес: укажите IP-адрес, IP:ПОРТ или диапазон вида 10.0.5.0/24",
    "--sweep covers more than {most} addresses in all: narrow the ranges":
        "--sweep охватывает в сумме больше {most} адресов: сузьте диапазоны",
    # commands/device.py
    "{action} takes on or off, not {value!r}": "{action}: нужно on или off, а не {value!r}",
    "pan {pan:+.3f}  tilt {tilt:+.3f}  zoom {zoom:.3f}": "поворот {pan:+.3f}  наклон {tilt:+.3f}  зум {zoom:.3f}",
    "{uid}: done: {what}": "{uid}: выполнено: {what}",
    "no input called {name!r}; this device has: {inputs}": "нет входа {name!r}; у этого устройства есть: {inputs}",
    "could not {what}. {why}": "не удалось {what}. {why}",
    "{uid} at {address}:{port}": "{uid} по адресу {address}:{port}",
    "True": "да",
    "False": "нет",
    "power": "питание",
    "input": "код входа",
    "input_name": "вход",
    "inputs": "входы",
    "video_mute": "изображение скрыто",
    "audio_mute": "звук выключен",
    "lamp_hours": "часы лампы",
    "errors": "неисправности",
    "manufacturer": "производитель",
    "product": "модель",
    "info": "сведения",
    "serial_number": "серийный номер",
    "software_version": "версия ПО",
    "filter_hours": "часы фильтра",
    "class": "класс PJLink",
    "resolution": "разрешение",
    "failed": "не прочитано",
    "unavailable": "недоступно",
    # commands/device._FIELDS: a projector's fields as the "unavailable" and "failed" lines name them
    "field\x04power": "питание",
    "field\x04input": "вход",
    "field\x04mute": "заглушение",
    "field\x04freeze": "стоп-кадр",
    "field\x04input resolution": "разрешение входа",
    "field\x04recommended resolution": "рекомендуемое разрешение",
    "field\x04lamp hours": "часы лампы",
    "field\x04faults": "неисправности",
    "field\x04filter hours": "часы фильтра",
    "field\x04inputs": "входы",
    "field\x04input names": "названия входов",
    "field\x04serial number": "серийный номер",
    "field\x04software version": "версия ПО",
    "field\x04lamp model": "модель лампы",
    "field\x04filter model": "модель фильтра",
    "field\x04PJLink class": "класс PJLink",
    "field\x04name": "имя",
    "field\x04manufacturer": "производитель",
    "field\x04model": "модель",
    "field\x04information": "сведения",
    "find the room's devices (PJLink search, DNS-SD, address sweep) and print them with their state":
        "найти устройства аудитории (поиск PJLink, DNS-SD, обход адресов) и вывести их с состоянием",
    "how long to look (default 5)": "сколько секунд искать (по умолчанию 5)",
    "print JSON instead of a table": "вывести JSON вместо таблицы",
    "the password for the devices that ask for one and have none remembered; sent to those alone, each named in "
    "the output": "пароль для устройств, которые его запрашивают и у которых нет сохранённого; отправляется только "
                  "им, каждое названо в выводе",
    "The password was sent to no device: none asked for one.":
        "Пароль не отправлен ни одному устройству: ни одно его не запросило.",
    "also probe these addresses or ranges (multicast does not cross VLANs); repeatable":
        "также опросить эти адреса или диапазоны (multicast не проходит между VLAN); можно повторять",
    "where to look: the LAN, loopback (simulated rooms), or both (default)":
        "где искать: локальная сеть, loopback (имитация аудиторий) или оба (по умолчанию)",
    "No devices found. Try --sweep with the room's address range (multicast may not cross VLANs).":
        "Устройства не найдены. Попробуйте --sweep с диапазоном адресов аудитории (multicast может не проходить "
        "между VLAN).",
    "not remembering devices: {why}": "устройства не будут запомнены: {why}",
    # commands/device.py
    "control one device: power on|off|status, input NAME, mute on|off; a camera: ptz …, snapshot FILE; "
    "room yes|no|unset: whether scenes switch it":
        "управление одним устройством: power on|off|status, input ИМЯ, mute on|off; камера: ptz …, snapshot ФАЙЛ; "
        "room yes|no|unset: переключают ли его сцены",
    "a device id (mac:…) or an address[:port]": "идентификатор устройства (mac:…) или адрес[:порт]",
    "what to do": "что сделать",
    "on|off|status for power, a name or code for input, on|off for mute; for ptz: move, home, position, "
    "preset set N, preset recall N; for snapshot: the PNG file to write; for room: yes, no or unset":
        "on|off|status для power, имя или код входа для input, on|off для mute; для ptz: move, home, position, "
        "preset set N, preset recall N; для snapshot: PNG-файл для записи; для room: yes, no или unset",
    "room takes yes, no or unset": "room: укажите yes, no или unset",
    "no device {target!r} remembered: run classroom-console discover first":
        "устройство {target!r} не сохранено: сначала выполните classroom-console discover",
    "{name} ({uid}) is this room's: scenes, All on/off and the session's end switch it":
        "{name} ({uid}) — устройство этой аудитории: его переключают сцены, «Включить всё / Выключить всё» "
        "и конец занятия",
    "{name} ({uid}) is not this room's: scenes, All on/off and the session's end leave it alone":
        "{name} ({uid}) — не устройство этой аудитории: сцены, «Включить всё / Выключить всё» и конец занятия "
        "его не трогают",
    "{name} ({uid}): this room's or not is undecided again": "{name} ({uid}): снова не решено, этой ли аудитории",
    "A console window already open takes it within a few seconds.":
        "Уже открытое окно консоли учтёт это через несколько секунд.",
    "ptz move: pan, -1 (left) to 1 (right)": "ptz move: поворот, от -1 (влево) до 1 (вправо)",
    "ptz move: tilt, -1 (down) to 1 (up)": "ptz move: наклон, от -1 (вниз) до 1 (вверх)",
    "ptz move: zoom, 0 (wide) to 1 (tele)": "ptz move: зум, от 0 (широко) до 1 (крупно)",
    "the device's password (remembered for this device when it works)":
        "пароль устройства (запоминается для этого устройства, если подошёл)",
    "per-step timeout (default 3)": "тайм-аут каждого шага (по умолчанию 3)",
    "print status as JSON": "вывести состояние в JSON",
    "{port!r} is not a port number (1-65535)": "{port!r} — не номер порта (1-65535)",
    "no device {target!r}: not remembered and not found on the network":
        "устройства {target!r} нет: оно не сохранено и не найдено в сети",
    "{action} needs a value: see classroom-console device --help":
        "{action}: нужно значение, см. classroom-console device --help",
    "ptz move needs --pan and --tilt (and optionally --zoom)": "ptz move: нужны --pan и --tilt (и по желанию --zoom)",
    "{value!r} is not a preset number (0-255)": "{value!r} — не номер предустановки (0-255)",
    "ptz wants: move --pan P --tilt T [--zoom Z], home, position, preset set|recall N":
        "ptz понимает: move --pan P --tilt T [--zoom Z], home, position, preset set|recall N",
    "wrong or missing password (use --password)": "неверный или отсутствующий пароль (укажите --password)",
    "this device has no PTZ position to tell": "у этого устройства нет положения PTZ",
    "snapshot needs the file to write, e.g. snapshot out.png": "snapshot: укажите файл, например snapshot out.png",
    "this device has no picture to take": "у этого устройства нет изображения",
    "{uid}: snapshot {width}x{height} saved to {file}": "{uid}: снимок {width}x{height} сохранён в {file}",
    " (now pan {pan:+.2f}, tilt {tilt:+.2f}, zoom {zoom:.2f})":
        " (теперь поворот {pan:+.2f}, наклон {tilt:+.2f}, зум {zoom:.2f})",
    "{uid}: power on accepted (now {state})": "{uid}: включение принято (сейчас {state})",
    "{uid}: power off accepted (now {state})": "{uid}: выключение принято (сейчас {state})",
    "{uid}: input {input} selected": "{uid}: выбран вход {input}",
    "{uid}: audio and video mute on": "{uid}: звук и изображение заглушены",
    "{uid}: audio and video mute off": "{uid}: звук и изображение включены",
    "this device cannot be aimed (it has no PTZ)": "это устройство нельзя навести (у него нет PTZ)",
    "this device cannot do that ({command})": "это устройство так не умеет ({command})",
    "{text} is outside {low:g}..{high:g}": "{text} вне диапазона {low:g}..{high:g}",
    # commands/sim.py
    "simulated devices on loopback, for demos and tests": "имитация устройств на loopback, для демонстраций и тестов",
    "what to simulate": "что имитировать",
    "projectors (default 3)": "проекторы (по умолчанию 3)",
    "interactive boards (default 1)": "интерактивные доски (по умолчанию 1)",
    "flat panel displays (default 0)": "панели (по умолчанию 0)",
    "PTZ cameras: VISCA over IP, ONVIF and an MJPEG stream (default 0)":
        "PTZ-камеры: VISCA over IP, ONVIF и поток MJPEG (по умолчанию 0)",
    "fixed cameras: ONVIF and a stream, no PTZ (default 0)":
        "неподвижные камеры: ONVIF и поток, без PTZ (по умолчанию 0)",
    "managed tablets advertising their name and battery over DNS-SD (default 0)":
        "управляемые планшеты, объявляющие имя и заряд по DNS-SD (по умолчанию 0)",
    "the password every device asks for (PJLink; ONVIF user admin)":
        "пароль, который спрашивает каждое устройство (PJLink; пользователь ONVIF admin)",
    "add one misbehaving projector per mode: {modes}": "добавить по одному неисправному проектору на режим: {modes}",
    "warm-up seconds (default 8)": "прогрев, секунд (по умолчанию 8)",
    "cooling seconds (default 5)": "остывание, секунд (по умолчанию 5)",
    "do not announce the devices over DNS-SD": "не объявлять устройства по DNS-SD",
    "Simulated room stopped.": "Имитация аудитории остановлена.",
    "--faults: no fault mode {unknown}; the modes are {modes}":
        "--faults: нет режима неисправности {unknown}; есть режимы: {modes}",
    "{option} {n}: a count cannot be negative": "{option} {n}: количество не может быть отрицательным",
    "--tablets {n}: at most {most} simulated tablets": "--tablets {n}: имитируется не больше {most} планшетов",
    ("{asked} simulated devices asked for (tablets count as one, each fault as a projector); at most {most} fit in "
     "{network}"):
        ("запрошено имитируемых устройств: {asked} (планшеты считаются за одно, каждая неисправность — за проектор); "
         "в {network} помещается не больше {most}"),
    "cannot start the simulated room: {why}": "не удалось запустить имитацию аудитории: {why}",
    # commands/record.py
    "record sources (test-pattern, tone, mic, screen, camera URL) into a crash-safe MP4 and print the stats":
        "записать источники (test-pattern, tone, mic, screen, URL камеры) в устойчивый к сбоям MP4 и вывести "
        "статистику",
    "the MP4 file to write": "MP4-файл для записи",
    "test-pattern[:WxH], tone, mic[:DEVICE], screen[:DISPLAY], camera:URL; repeatable":
        "test-pattern[:ШxВ], tone, mic[:УСТРОЙСТВО], screen[:ЭКРАН], camera:URL; можно повторять",
    "single, pip[:CORNER[:SCALE]], side-by-side": "single, pip[:УГОЛ[:МАСШТАБ]], side-by-side",
    "output size, e.g. 1280x720 or 1920x1080": "размер кадра, например 1280x720 или 1920x1080",
    "output frame rate": "частота кадров",
    "stop after S seconds (default: Ctrl-C)": "остановить через S секунд (по умолчанию: Ctrl-C)",
    "x264 preset (default veryfast), or auto: the slowest this PC encodes fast enough":
        "пресет x264 (по умолчанию veryfast) или auto: самый медленный, который этот ПК успевает кодировать",
    "x264 quality 0-51, lower is better (default 23)": "качество x264 0-51, меньше — лучше (по умолчанию 23)",
    "caption at the bottom": "подпись внизу кадра",
    "refuse to start with less free disk than this (default %(default).0f)":
        "не начинать, если свободного места на диске меньше (по умолчанию %(default).0f)",
    "also record each video source into a file of its own (OUT.SOURCE.mp4), as lecture platforms take "
    "presenter and presentation tracks":
        "также записать каждый видеоисточник в отдельный файл (OUT.SOURCE.mp4): платформы лекций принимают "
        "дорожки докладчика и презентации",
    "do not register the recording in the store": "не регистрировать запись в журнале",
    "print the result as JSON": "вывести результат в JSON",
    "synthetic sources only: run on a simulated clock, as fast as the encoder goes":
        "только синтетические источники: по имитированным часам, так быстро, как успевает кодер",
    "the folder {folder} does not exist (or is a file): create it first":
        "папки {folder} нет (или это файл): сначала создайте её",
    "{path} is a folder: give a file name, e.g. {example}": "{path} — папка: укажите имя файла, например {example}",
    "--fast works only with test-pattern and tone": "--fast работает только с test-pattern и tone",
    "--fast needs --duration": "для --fast нужен --duration",
    "no audio source: the file gets a silent track": "нет источника звука: в файле будет тихая дорожка",
    "not registering the recording: {why}": "запись не регистрируется: {why}",
    "closed interrupted recording {id}": "закрыта прерванная запись {id}",
    "preset {preset} (encoding speed {measured})": "пресет {preset} (скорость кодирования {measured})",
    "{skipped} frames skipped: preset {old} -> {new} from {at:.1f} s":
        "пропущено кадров: {skipped}; пресет {old} -> {new} с {at:.1f} с",
    "nothing recorded: a source did not start ({why})": "ничего не записано: источник не запустился ({why})",
    "recorded {path} ({reason})": "записано {path} ({reason})",
    # commands/stream.py
    "stream sources live to RTMP destinations and/or the room's LAN (HLS), recording them too if asked, "
    "printing each destination's health":
        "транслировать источники на RTMP-адреса и/или в сеть аудитории (HLS), при желании записывая их, и выводить "
        "состояние каждого адреса",
    "test-pattern[:WxH], tone, mic[:DEVICE], screen[:DISPLAY], camera:URL; repeatable "
    "(default: test-pattern and tone)":
        "test-pattern[:ШxВ], tone, mic[:УСТРОЙСТВО], screen[:ЭКРАН], camera:URL; можно повторять "
        "(по умолчанию: test-pattern и tone)",
    "rtmp://HOST[:PORT]/APP/KEY or srt://HOST:PORT[?streamid=…] (where FFmpeg has SRT); "
    "repeatable: one encoding, sent to each":
        "rtmp://ХОСТ[:ПОРТ]/APP/КЛЮЧ или srt://ХОСТ:ПОРТ[?streamid=…] (где в FFmpeg есть SRT); "
        "можно повторять: одно кодирование, отправляется на каждый",
    "also serve the stream as HLS at http://THIS-PC:P/live/index.m3u8 (a player page at /live/), "
    "announced over DNS-SD":
        "также раздавать поток как HLS по адресу http://ЭТОТ-ПК:P/live/index.m3u8 (страница плеера — /live/), "
        "с объявлением по DNS-SD",
    "the address the HLS server listens on (default: every interface)":
        "адрес, на котором слушает HLS-сервер (по умолчанию: все интерфейсы)",
    "also record into this crash-safe MP4": "также записывать в этот устойчивый к сбоям MP4",
    "output size, e.g. 1280x720": "размер кадра, например 1280x720",
    "x264 preset (default veryfast)": "пресет x264 (по умолчанию veryfast)",
    "x264 quality, lower is better (default 23)": "качество x264, меньше — лучше (по умолчанию 23)",
    "print health and the final stats as JSON lines": "выводить состояние и итоговую статистику строками JSON",
    "give at least one destination: --to rtmp://HOST/APP/KEY or --hls-port P":
        "укажите хотя бы один адрес: --to rtmp://ХОСТ/APP/КЛЮЧ или --hls-port P",
    "--size: write it like 1280x720 (even, 16x16 to 7680x4320), not {value!r}":
        "--size: пишите так: 1280x720 (чётные, от 16x16 до 7680x4320), а не {value!r}",
    "--layout: write single, pip[:CORNER[:SCALE]] or side-by-side, not {value!r}":
        "--layout: пишите single, pip[:УГОЛ[:МАСШТАБ]] или side-by-side, а не {value!r}",
    ("--source {value!r} cannot be used: write test-pattern[:WxH], tone, mic[:DEVICE], screen[:DISPLAY] or "
     "camera:URL"):
        ("--source {value!r} не подходит: пишите test-pattern[:ШxВ], tone, mic[:УСТРОЙСТВО], screen[:ЭКРАН] или "
         "camera:URL"),
    "--duration must be positive": "--duration должно быть больше нуля",
    "this build's FFmpeg has no SRT (PyPI's PyAV wheels lack it): use an rtmp:// destination":
        "в FFmpeg этой сборки нет SRT (в пакетах PyAV с PyPI его нет): используйте адрес rtmp://",
    "cannot serve HLS on {host}:{port}: {why}": "не удалось раздавать HLS на {host}:{port}: {why}",
    "HLS: {url} (player page: {page}/)": "HLS: {url} (страница плеера: {page}/)",
    "{name} never got the end of the stream ({why})": "{name} так и не получил конец трансляции ({why})",
    # commands/sync.py
    "upload this room's sessions and recordings to the centre (a durable queue; resumes where it stopped)":
        "отправить занятия и записи аудитории в центр (надёжная очередь; продолжает с места остановки)",
    "the centre service, e.g. https://centre.example.edu:8765":
        "служба центра, например https://centre.example.edu:8765",
    "this room's token from 'classroom-console centre add-room'. Other users "
    "can see it in 'ps': prefer --token-file or the {env} environment variable":
        "токен аудитории из 'classroom-console centre add-room'. Другие пользователи видят его в 'ps': "
        "лучше --token-file или переменная окружения {env}",
    "read the room's token from FILE (first line); ${env} works too":
        "прочитать токен аудитории из ФАЙЛА (первая строка); ${env} тоже подходит",
    "send what is queued now, then exit": "отправить то, что в очереди сейчас, и выйти",
    "upload cap (0: none)": "ограничение скорости отправки (0: без ограничения)",
    "give up a try when no byte moved for S seconds; the next resumes (default 30)":
        "прервать попытку, если S секунд не передано ни байта; следующая продолжит (по умолчанию 30)",
    "delete a local recording once the centre has confirmed its SHA-256":
        "удалять локальную запись, когда центр подтвердил её SHA-256",
    "CA certificate to trust for the centre's TLS": "сертификат CA, которому доверять для TLS центра",
    "try again the items set aside as failed (after fixing what their reason says)":
        "повторить отложенные из-за ошибок элементы (после исправления указанной причины)",
    "this room's default for the centre's library: publish each recording as soon as it "
    "arrives (kept for later runs; staff may still unpublish)":
        "умолчание аудитории для библиотеки центра: публиковать каждую запись сразу по получении "
        "(сохраняется; сотрудники могут снять с публикации)",
    "the language this room's lectures are given in, shown in the library (e.g. ru, en, uz; kept for later runs)":
        "язык лекций в этой аудитории, показывается в библиотеке (например ru, en, uz; сохраняется)",
    "remember the centre and the token (the token in the system keyring where there is "
    "one, else in the room's database, readable only by this user)":
        "запомнить центр и токен (токен — в системном хранилище ключей, если оно есть, иначе в базе аудитории, "
        "доступной только этому пользователю)",
    "cannot read --token-file {file}: {why}": "не удалось прочитать --token-file {file}: {why}",
    "--token-file {file} is empty": "--token-file {file} пуст",
    "uploaded {uploaded}, failed {failed}, still queued {pending}":
        "отправлено {uploaded}, с ошибкой {failed}, ещё в очереди {pending}",
    "{why}; the queue keeps everything for the next try": "{why}; очередь сохраняет всё до следующей попытки",
    "stopped; {pending} still queued": "остановлено; в очереди ещё {pending}",
    "set aside: {item}": "отложено: {item}",
    # commands/set_aside.py
    "{item}: {why}": "{item}: {why}",
    "Session {id}": "Занятие {id}",
    "Recording {id}": "Запись {id}",
    "Description of recording {id}": "Описание записи {id}",
    "Track {id}": "Дорожка {id}",
    "it is no longer in this PC's log": "его больше нет в журнале этого ПК",
    "its file is missing": "файл не найден",
    "its file cannot be read": "файл не читается",
    "its path is not a file": "по этому пути не файл",
    "its file has changed since it was recorded": "файл изменился после записи",
    "this console does not know how to send it": "этот пульт не умеет его отправлять",
    "a fault in the console or the centre; the details are in the log":
        "сбой в пульте или в центре; подробности в журнале",
    "the centre cannot be reached": "нет связи с центром",
    "nothing moved for too long; the next try goes on from there":
        "слишком долго ничего не передавалось; следующая попытка продолжит с этого места",
    "{file} is damaged ({why}): restore the latest backup into a new data folder with "
    "'classroom-console centre restore BACKUP --data NEW' (the damaged file is left as it is)":
        "{file} повреждён ({why}): восстановите последнюю резервную копию в новую папку данных командой "
        "'classroom-console centre restore BACKUP --data NEW' (повреждённый файл оставлен как есть)",
    "the centre took the bytes but kept none": "центр принял байты, но не сохранил ни одного",
    "the centre's answer made no sense": "ответ центра не имеет смысла",
    "the centre had an error; the details are in the centre's log":
        "в центре произошла ошибка; подробности в журнале центра",
    "the address answers with a redirect: give the centre's own address":
        "адрес отвечает перенаправлением: укажите собственный адрес центра",
    "too many connections from this PC at once": "слишком много одновременных подключений с этого ПК",
    "the centre is busy": "центр занят",
    # commands/sync_words.py, commands/sync.py, commands/usage.py
    "sending {index} of {total}: {item}": "отправка {index} из {total}: {item}",
    "refused: {why}": "отказ: {why}",
    "offline: {why}": "нет связи: {why}",
    "retrying at {time} ({pending} queued)": "следующая попытка в {time} (в очереди: {pending})",
    "up to date ({failed} set aside: see 'classroom-console usage')":
        "всё отправлено (отложено: {failed}, см. 'classroom-console usage')",
    "up to date": "всё отправлено",
    "the token is kept in the system keyring": "токен хранится в системном хранилище ключей",
    "the token is kept in {path} (no system keyring here; the file is readable only by this user)":
        "токен хранится в {path} (системного хранилища ключей здесь нет; файл доступен только этому пользователю)",
    "saved the centre's address; {where}": "адрес центра сохранён; {where}",
    "give --centre URL and the room's token (--token-file FILE or ${env}), or save them once with --save":
        "укажите --centre URL и токен аудитории (--token-file ФАЙЛ или ${env}) или сохраните их один раз с --save",
    ("ask centre staff for the room's token ('classroom-console centre add-room') and give it with "
     "--token-file FILE or the {env} environment variable"):
        ("попросите у сотрудников центра токен аудитории ('classroom-console centre add-room') и укажите его через "
         "--token-file ФАЙЛ или переменную окружения {env}"),
    ", {s:.0f} s left": ", осталось {s:.0f} с",
    "{id}: {done:.1f}/{total:.1f} MB at {rate:.1f} Mbit/s": "{id}: {done:.1f}/{total:.1f} МБ, {rate:.1f} Мбит/с",
    "cannot get the figures from the centre: {why}": "не удалось получить показатели из центра: {why}",
    "the centre did not accept this token": "центр не принял этот токен",
    "the centre refused it": "центр отказался его принять",
    "the centre found it malformed": "центр счёл его повреждённым",
    "the centre did not accept this room's token": "центр не принял токен этой аудитории",
    "this room's token may not send it": "токену этой аудитории нельзя это отправлять",
    "the centre does not know it": "центр о нём не знает",
    "the centre holds another version of it": "в центре другая его версия",
    "it is larger than the centre accepts": "он больше, чем принимает центр",
    "it arrived damaged (its SHA-256 differs)": "он пришёл повреждённым (SHA-256 не совпадает)",
    "the centre's disk is full": "диск центра заполнен",
    # commands/usage.py, usage_export.to_table
    "{hours:.1f} hours in use": "{hours:.1f} ч использования",
    "Usage {since} to {until}; room: {room}; lecturer: {lecturer}":
        "Использование с {since} по {until}; аудитория: {room}; преподаватель: {lecturer}",
    "start": "начала",
    "today": "сегодня",
    "all": "все",
    "Hours in use by weekday and hour (local time; darker is busier)":
        "Часы использования по дням недели и часам (местное время; темнее — загруженнее)",
    "Mon": "Пн",
    "Tue": "Вт",
    "Wed": "Ср",
    "Thu": "Чт",
    "Fri": "Пт",
    "Sat": "Сб",
    "Sun": "Вс",
    "Hours per room per week": "Часы по аудиториям и неделям",
    "none": "нет",
    "Sessions by lecturer": "Занятия по преподавателям",
    "Sessions by course": "Занятия по курсам",
    "(not given)": "(не указан)",
    "{hours:8.1f} h": "{hours:8.1f} ч",
    "Recordings: {count}, {length}, {size:.2f} GB": "Записи: {count}, {length}, {size:.2f} ГБ",
    "{seconds:.0f} s": "{seconds:.0f} с",
    "{minutes:.0f} min": "{minutes:.0f} мин",
    "{hours:.1f} h": "{hours:.1f} ч",
    "Devices": "Устройства",
    "{hours:8.1f} h in sessions": "{hours:8.1f} ч на занятиях",
    "  lamp {used}/{rated} h": "  лампа {used}/{rated} ч",
    "  WARNING: lamp near end of life": "  ВНИМАНИЕ: ресурс лампы почти исчерпан",
    "Faults": "Неисправности",
    "last {at}": "последняя {at}",
    "Uploads set aside (not sent to the centre)": "Отложенные отправки (не переданы в центр)",
    # usage_participation.tablet_lines
    "Tablet participation: {notes}": "Участие с планшетов: {notes}",
    "tablet activity is not recorded yet": "активность планшетов пока не записывается",
    "Tablet participation: {sessions} session(s), {joins} joined, {activities} activities, {answers} answers, "
    "response rate {rate}":
        "Участие с планшетов: занятий {sessions}, подключений {joins}, заданий {activities}, ответов {answers}, "
        "доля ответивших {rate}",
    "{course:<32} {sessions:6d} sessions {joins:6d} joined {answers:6d} answers  {rate}":
        "{course:<32} занятий {sessions:6d}  подключений {joins:6d}  ответов {answers:6d}  {rate}",
    "the usage report: hours, sessions, lecturers, courses, recordings, lamp hours, faults":
        "отчёт об использовании: часы, занятия, преподаватели, курсы, записи, часы ламп, неисправности",
    "first day (inclusive)": "первый день (включительно)",
    "last day (inclusive)": "последний день (включительно)",
    "only this room (its id here, its name at the centre)": "только эта аудитория (здесь — её id, в центре — имя)",
    "only this lecturer's sessions": "только занятия этого преподавателя",
    "table, csv (every figure), sessions-csv (one row per session, for a manager), json":
        "table, csv (все показатели), sessions-csv (строка на занятие, для руководителя), json",
    "hours from UTC for weekday/hour, -12 to 14 (default: this PC's)":
        "смещение от UTC в часах для дня недели и часа, от -12 до 14 (по умолчанию: как на этом ПК)",
    "read every room's figures from the centre instead": "взять показатели всех аудиторий из центра",
    "a lamp's rated life in hours: a warning near its end (default %(default)s)":
        "ресурс лампы в часах: предупреждение, когда он почти исчерпан (по умолчанию %(default)s)",
    "a staff (or room) token for --centre; other users can see it in 'ps': prefer --token-file or the {env} "
    "environment variable":
        "токен сотрудника (или аудитории) для --centre; другие пользователи видят его в 'ps': лучше --token-file "
        "или переменная окружения {env}",
    "read the token for --centre from FILE (first line); ${env} works too":
        "прочитать токен для --centre из ФАЙЛА (первая строка); ${env} тоже подходит",
    ("give --centre a staff token (from 'classroom-console centre add-staff') with --token-file FILE or "
     "the {env} environment variable"):
        ("укажите для --centre токен сотрудника (из 'classroom-console centre add-staff') через --token-file ФАЙЛ "
         "или переменную окружения {env}"),
    "--since {since} is after --until {until}": "--since {since} позже, чем --until {until}",
    "--token is for --centre URL (the local report needs none)":
        "--token нужен для --centre URL (местному отчёту — нет)",
    # class (commands/class_.py)
    "an active-learning session with student tablets: print the join URL and code, run a poll, print results":
        "занятие с планшетами студентов: вывести адрес и код для входа, провести опрос, вывести итоги",
    "the course, as the usage report groups sessions": "курс (по нему отчёт об использовании группирует занятия)",
    "today's title (e.g. the lecture's topic)": "название сегодняшнего занятия (например, тема лекции)",
    "who teaches (default: nobody named)": "кто ведёт занятие (по умолчанию никто не указан)",
    "the room's scene to start with (e.g. Lecture)": "сцена аудитории, с которой начать (например, Лекция)",
    "the tablets' port (default 0: any free one)": "порт для планшетов (по умолчанию 0: любой свободный)",
    "the address the tablets' server listens on (default: every interface)":
        "адрес, на котором сервер планшетов принимает подключения (по умолчанию: все интерфейсы)",
    "a poll to run on the tablets": "вопрос опроса для планшетов",
    "one of the poll's options; repeat for each (at least two)":
        "один из вариантов ответа; повторите для каждого (не меньше двух)",
    "students may choose more than one option": "студенты могут выбрать несколько вариантов",
    "a correct option: the poll becomes a quiz": "правильный вариант: опрос становится тестом",
    "end after S seconds (default: at Ctrl-C)": "закончить через S секунд (по умолчанию: по Ctrl-C)",
    "one JSON object a line: first the join URL and code, last the results":
        "по объекту JSON в строке: первым адрес и код для входа, последним итоги",
    "--course and --title must not be empty": "--course и --title не могут быть пустыми",
    "--option, --correct and --multiple belong to a --poll":
        "--option, --correct и --multiple задаются вместе с --poll",
    "--poll: {why}": "--poll: {why}",
    "joined: seat {seat} {name}": "вошёл: место {seat} {name}",
    "rejoined: seat {seat} {name}": "вернулся: место {seat} {name}",
    "answer from seat {seat}: {counts}": "ответ с места {seat}: {counts}",
    "hands up: {count}": "поднятых рук: {count}",
    "scene {name}: {outcome}": "сцена {name}: {outcome}",
    "applied": "применена",
    "no scene called {name!r}; this room has: {scenes}": "нет сцены {name!r}; в этой аудитории есть: {scenes}",
    # tablets.activities.PollProblem's codes (class_.poll_words)
    "the correct answer {answer!r} is not one of the options": "правильного ответа {answer!r} нет среди вариантов",
    "a poll has at most {n} options": "в опросе не больше {n} вариантов",
    "the question is empty": "вопрос пуст",
    "an open question has no options": "у открытого вопроса нет вариантов",
    "a poll needs at least two options": "в опросе нужно хотя бы два варианта",
    "an option is empty": "один из вариантов пуст",
    "two options have the same text": "у двух вариантов одинаковый текст",
    "a single-choice quiz has one correct option": "в тесте с одним ответом правильный вариант один",
    # commands/record.py, commands/stream.py (engineer M1's words)
    "nothing is listening at that address and port": "по этому адресу и порту никто не принимает соединения",
    "no answer in time": "нет ответа за отведённое время",
    "the server's name was not found": "имя сервера не найдено",
    "the network cannot reach the server": "сеть не может связаться с сервером",
    "the server did not accept this application or stream key": "сервер не принял это приложение или ключ трансляции",
    "the connection was lost": "соединение потеряно",
    # commands/stream_words.py
    "destination\x04waiting for the first pictures": "ждёт первых кадров",
    "destination\x04connecting": "подключение",
    "destination\x04live": "в эфире",
    "destination\x04reconnecting": "переподключение",
    "destination\x04ended": "завершено",
    "destination\x04failed": "сбой",
    "something went wrong; the details are in the log": "что-то пошло не так; подробности в журнале",
    "{url}: an SRT address needs a server and a port: srt://HOST:PORT":
        "{url}: в адресе SRT нужны сервер и порт: srt://ХОСТ:ПОРТ",
    "{url}: the console calls the SRT server: leave out mode= or write mode=caller":
        "{url}: пульт сам подключается к серверу SRT: уберите mode= или напишите mode=caller",
    "{url} is not an RTMP or SRT address: write rtmp://HOST[:PORT]/APP/KEY":
        "{url} — не адрес RTMP или SRT: пишите rtmp://ХОСТ[:ПОРТ]/APP/КЛЮЧ",
    "{url}: the application and the stream key are missing: rtmp://HOST[:PORT]/APP/KEY":
        "{url}: не хватает приложения и ключа трансляции: rtmp://ХОСТ[:ПОРТ]/APP/КЛЮЧ",
    "{url}: the stream key is missing after /{app}: rtmp://HOST[:PORT]/{app}/KEY":
        "{url}: после /{app} не хватает ключа трансляции: rtmp://ХОСТ[:ПОРТ]/{app}/КЛЮЧ",
    ", next try in {s:.1f} s": ", следующая попытка через {s:.1f} с",
    "{elapsed:7.1f} s  {name}  {state}  {kbit:.0f} kbit/s  sent {mb} MB  dropped {dropped}":
        "{elapsed:7.1f} с  {name}  {state}  {kbit:.0f} кбит/с  отправлено {mb} МБ  потеряно пакетов {dropped}",
    "  segments {segments}  viewers {viewers}": "  сегментов {segments}  зрителей {viewers}",
    ("{name}: {state}, {segments} segments, {made} MB made, {served} MB served, {viewers} viewer(s) "
     "in the last minute, {dropped} dropped ({gops} GOPs)"):
        ("{name}: {state}, сегментов: {segments}, сделано {made} МБ, роздано {served} МБ, зрителей за последнюю "
         "минуту: {viewers}, потеряно пакетов: {dropped} (GOP: {gops})"),
    "{name}: {state}, {connects} connection(s), {packets} packets, {mb} MB sent, {dropped} dropped ({gops} GOPs)":
        "{name}: {state}, подключений: {connects}, пакетов: {packets}, отправлено {mb} МБ, потеряно пакетов: "
        "{dropped} (GOP: {gops})",
    "its time was up": "время вышло",
    "the disk is full: the recording stopped; what was recorded is kept":
        "диск заполнен: запись остановлена; записанное сохранено",
    "the recording stopped after an error; what was recorded is kept":
        "запись остановилась из-за ошибки; записанное сохранено",
    "the disk is full": "диск заполнен",
    "an error stopped it": "остановлена из-за ошибки",
    "the encoder's process ended": "процесс кодировщика завершился",
    "{name} never connected: {why}": "{name}: соединение так и не установлено: {why}",
    "{name} did not get the end of the stream: {why}": "{name} не получил конец трансляции: {why}",
    "only {free} MB free in {folder}; a recording needs at least {floor} MB":
        "в {folder} свободно только {free} МБ; для записи нужно не меньше {floor} МБ",
    "{name} went away ({why}): the recording goes on with its last picture, trying it again":
        "{name} пропал ({why}): запись идёт дальше с его последним кадром, подключение повторяется",
    "{name} is back": "{name} снова на связи",
    "{name} failed ({why})": "{name}: сбой ({why})",
    # cli_reasons.py: the shipped scenes, a scene's parts, reason codes (as ui/scene_words.py and ui/reasons.py)
    "Lecture": "Лекция",
    "Discussion": "Обсуждение",
    "Group work": "Работа в группах",
    "Recording only": "Только запись",
    "Recording": "Запись",
    "Live stream": "Трансляция",
    "Tablets": "Планшеты",
    "Power failed": "Питание: ошибка",
    "Did not come on": "Не включилось вовремя",
    "Input failed": "Вход не переключён",
    "Picture failed": "Изображение не настроено",
    "Preset failed": "Пресет не выполнен",
    "Failed": "Ошибка",
    "{who}: {what}.": "{who}: {what}.",
    "Something went wrong.": "Что-то пошло не так.",
    "online": "в сети",
    "offline": "не в сети",
    "auth_failed": "нужен пароль",
    "fault": "неисправность",
    "unknown": "неизвестно",
    "on": "включён",
    "off": "выключен",
    "warming": "прогревается",
    "cooling": "остывает",
    "projector": "проектор",
    "display": "дисплей",
    "board": "доска",
    "camera": "камера",
    "microphone": "микрофон",
    "tablet": "планшет",
    "fan": "вентилятор",
    "lamp": "лампа",
    "temperature": "температура",
    "cover": "крышка",
    "filter": "фильтр",
    "other": "другое",
    "error": "ошибка",
    "warning": "предупреждение",
    "turn on": "включить",
    "turn off": "выключить",
    "switch input to {input}": "переключить вход на {input}",
    "blank the picture": "скрыть изображение",
    "show the picture": "показать изображение",
    "aim the camera": "навести камеру",
    "turn the camera home": "вернуть камеру в исходное положение",
    "save preset {n}": "сохранить пресет {n}",
    "recall preset {n}": "вызвать пресет {n}",
    "Not checked yet.": "Ещё не проверено.",
    "Not answering. Check that it is plugged in and on the network.":
        "Не отвечает. Проверьте, что оно включено в розетку и подключено к сети.",
    "Cannot connect to it. Check that it is on and on this network.":
        "Не удаётся подключиться. Проверьте, что оно включено и находится в этой сети.",
    "This device asks for a password.": "Это устройство запрашивает пароль.",
    "The password was not accepted.": "Пароль не подошёл.",
    "It answers in a way the console does not understand.": "Устройство отвечает так, что консоль его не понимает.",
    "The device reports a fault.": "Устройство сообщает о неисправности.",
    "It cannot do that right now (warming up, cooling down or in standby).":
        "Сейчас это невозможно (прогрев, охлаждение или режим ожидания).",
    "This device has no such function.": "У этого устройства нет такой функции.",
    "The device does not accept that value.": "Устройство не принимает это значение.",
    "The console has not reached this device yet.": "Консоль ещё не связалась с этим устройством.",
    "Nothing to record: add a source in the Studio or connect a camera.":
        "Нечего записывать: добавьте источник в Студии или подключите камеру.",
    "No live destination is set up: add one in the Studio.":
        "Не настроено ни одного адреса трансляции: добавьте его в Студии.",
    "Not available in this console.": "Недоступно в этой консоли.",
    "Not chosen as this room's device: scenes leave it alone.":
        "Не выбрано как устройство этой аудитории: сцены его не трогают.",
    "It was asked to turn on but did not come on in time.":
        "Команда на включение отправлена, но устройство не включилось вовремя.",
    "Something went wrong; the details are in the log.": "Что-то пошло не так; подробности в журнале.",
    "another program uses that port": "этот порт занят другой программой",
    "this PC has no such address": "у этого ПК нет такого адреса",
    "this user may not listen on that port (ports below 1024 need the administrator)":
        "этому пользователю нельзя занимать этот порт (порты ниже 1024 — только администратору)",
    "cannot serve the tablets on {host}:{port}: {why}": "не удаётся принимать планшеты на {host}:{port}: {why}",
    "port {asked} is taken: the tablets use port {port}": "порт {asked} занят: планшеты подключаются к порту {port}",
    "Join: {url}   code: {code}": "Вход: {url}   код: {code}",
    "at the end: {problem}": "при завершении: {problem}",
    "not every device answered within {seconds:.0f} s: check that the room is off":
        "не все устройства ответили за {seconds:.0f} с: проверьте, что аудитория выключена",
    "the recording did not stop cleanly; the details are in the log":
        "запись остановилась с ошибкой; подробности в журнале",
    "the tablets could not all be told that the session ended":
        "не всем планшетам удалось сообщить, что занятие окончено",
    "something did not end cleanly; the details are in the log":
        "что-то завершилось с ошибкой; подробности в журнале",
    "correct: {options}": "правильно: {options}",
    # centre (commands/centre.py, centre_library.py)
    ("the centre's receiving service and its library: serve, add-room, add-staff, tokens, revoke, backup, restore, "
     "recordings, publish, unpublish, add-reader, readers, revoke-reader, library-access"):
        ("служба приёма данных центра и его библиотека: serve, add-room, add-staff, tokens, revoke, backup, restore, "
         "recordings, publish, unpublish, add-reader, readers, revoke-reader, library-access"),
    "ACTION": "ДЕЙСТВИЕ",
    "port to listen on (default %(default)s; 0: any free one)":
        "порт для приёма подключений (по умолчанию %(default)s; 0: любой свободный)",
    "largest recording accepted, GB (default %(default)g)":
        "наибольшая принимаемая запись, ГБ (по умолчанию %(default)g)",
    "the room's name, as the usage report shows it": "название аудитории, как его показывает отчёт об использовании",
    "the staff member's name": "имя сотрудника",
    "ROOM|TOKEN-ID": "АУДИТОРИЯ|ID-ТОКЕНА",
    "a token's id (see 'centre tokens'), or a room's or staff member's name: all its tokens":
        "id токена (см. 'centre tokens') или название аудитории либо имя сотрудника: тогда все токены с этим именем",
    "the new folder for the backup (missing or empty; outside the centre's files)":
        "новая папка для резервной копии (несуществующая или пустая; вне файлов центра)",
    "the folder 'centre backup' wrote (holding manifest.json)":
        "папка, которую записала 'centre backup' (в ней manifest.json)",
    "role\x04room": "аудитория",
    "role\x04staff": "сотрудник",
    "the partner institution's name": "название организации-партнёра",
    "NAME|TOKEN-ID": "ИМЯ|ID-ТОКЕНА",
    "a reader token's id (see 'centre readers'), or an institution's name: all its tokens":
        "id токена читателя (см. 'centre readers') или название организации: тогда все её токены",
    ("open: anyone on the centre's network (the default); token: only with a reader token; left out: say which it is "
     "now"):
        ("open: любой в сети центра (по умолчанию); token: только с токеном читателя; без значения: сказать, "
         "как сейчас"),
    # commands/centre_library.py: centre.validate's codes for a name
    "the name must not be empty": "имя не может быть пустым",
    "the name must be one line without control characters": "имя должно быть одной строкой без управляющих символов",
    "the name is longer than {n} characters": "имя длиннее {n} символов",
    # centre/backup.py MESSAGES: a backup's or restore's refusal by its code (commands/centre.config_words)
    # centre/config.py
    "the password file {file} is readable by others: chmod 600 it":
        "файл пароля {file} доступен другим пользователям: выполните chmod 600",
    "cannot read the password file {file}: {why}": "не удалось прочитать файл пароля {file}: {why}",
    "unsupported database URL scheme {scheme}: give postgresql://USER@HOST:PORT/DB, or leave --database-url out for "
    "SQLite in the data folder":
        "схема адреса базы данных {scheme} не поддерживается: укажите postgresql://ПОЛЬЗОВАТЕЛЬ@ХОСТ:ПОРТ/БАЗА или "
        "не указывайте --database-url, чтобы хранить данные в SQLite в папке данных",
    "the database URL carries a password, which every user sees in 'ps': put it in PGPASSWORD, ~/.pgpass or a file "
    "named by --password-file, and give the URL without it":
        "в адресе базы данных есть пароль, а его видит в «ps» любой пользователь: задайте пароль в PGPASSWORD, "
        "~/.pgpass или в файле, указанном в --password-file, а адрес дайте без него",
    "the database URL {url} names no server: postgresql://USER@HOST:PORT/DB":
        "в адресе базы данных {url} не указан сервер: postgresql://ПОЛЬЗОВАТЕЛЬ@ХОСТ:ПОРТ/БАЗА",
    "cannot read {file}: {why}": "не удалось прочитать {file}: {why}",
    "{file} is not valid TOML: {why}": "{file} — не корректный TOML: {why}",
    "{file}: backend must be 'sqlite' or 'postgresql', not {backend}":
        "{file}: backend должен быть 'sqlite' или 'postgresql', а не {backend}",
    "{file}: a PostgreSQL centre needs database_url": "{file}: центру на PostgreSQL нужен database_url",
    "--password-file is for a PostgreSQL centre: give --database-url":
        "--password-file нужен только центру на PostgreSQL: укажите --database-url",
    "the centre in {data} keeps its data in {where} ({file}); --database-url {url} contradicts it":
        "центр в {data} хранит данные в {where} ({file}); --database-url {url} этому противоречит",
    "the centre in {data} keeps its data in SQLite in {db} ({file}); --database-url {url} contradicts it":
        "центр в {data} хранит данные в SQLite, в {db} ({file}); --database-url {url} этому противоречит",
    "the centre in {data} keeps its files in {kept} ({file}); --files {files} contradicts it":
        "центр в {data} хранит файлы в {kept} ({file}); --files {files} этому противоречит",
    "--password-file is for a PostgreSQL centre: the centre in {data} keeps its data in SQLite":
        "--password-file нужен только центру на PostgreSQL, а центр в {data} хранит данные в SQLite",
    "the centre in {data} names its password file in {file}; --password-file {given} contradicts it":
        "центр в {data} указывает свой файл пароля в {file}; --password-file {given} этому противоречит",
    "{tool} is not installed: apt-get install postgresql-client":
        "{tool} не установлен: apt-get install postgresql-client",
    "{tool} could not run: {why}": "не удалось запустить {tool}: {why}",
    "{tool} failed: {why}": "{tool} завершился с ошибкой: {why}",
    "{out} already exists and is not an empty folder: give a new folder for the backup":
        "{out} уже существует и это не пустая папка: укажите для резервной копии новую папку",
    ("{path} belongs to {user} (a backup of theirs by a process of this number): remove it as {user}, or give "
     "another folder for the backup"):
        ("{path} принадлежит пользователю {user} (его резервная копия от процесса с тем же номером): удалите её от "
         "имени {user} или укажите другую папку для резервной копии"),
    ("{path} is being written by another process of the same number (on another host?): give another folder for "
     "the backup"):
        ("{path} записывает другой процесс с тем же номером (на другом узле?): укажите другую папку для резервной "
         "копии"),
    "{path} is in the way (left by an older version?): remove it, or give another folder":
        "{path} мешает (оставлена старой версией?): удалите её или укажите другую папку",
    "there is no centre database in {data}": "в {data} нет базы данных центра",
    "{folder} is not a finished backup: restore a finished backup, or make one again with centre backup":
        "{folder} — не завершённая резервная копия: восстановите завершённую или сделайте новую командой "
        "centre backup",
    ("{folder} is {user}'s backup, unfinished or still being written (process {pid}): restore {out} once it is "
     "finished, or another finished backup"):
        ("{folder} — резервная копия пользователя {user}, не завершённая или ещё записываемая (процесс {pid}): "
         "восстановите {out}, когда она будет готова, или другую завершённую копию"),
    "{folder} is a backup still being written (process {pid}): restore {out} once it is done":
        "{folder} — резервная копия, которая ещё записывается (процесс {pid}): восстановите {out}, когда она будет "
        "готова",
    ("{folder} is an unfinished backup (process {pid} stopped before the end): restore a finished backup, or make "
     "one again with centre backup"):
        ("{folder} — незавершённая резервная копия (процесс {pid} остановился до конца): восстановите завершённую "
         "или сделайте новую командой centre backup"),
    "{folder} is not a finished centre backup (no {manifest})":
        "{folder} — не завершённая резервная копия центра (нет {manifest})",
    "cannot read {path}: {why}": "не удалось прочитать {path}: {why}",
    "{path} is not a backup this version can restore": "{path}: эта версия не умеет восстанавливать такую копию",
    "{path} is being written by another restore": "{path} записывает другое восстановление",
    "{path} changed while it was restored (SHA-256 {sha256})":
        "{path} изменился во время восстановления (SHA-256 {sha256})",
    "the manifest names a file outside the store: {name}": "перечень называет файл вне хранилища: {name}",
    "{path} is missing or differs from the backup's manifest":
        "{path} отсутствует или не совпадает с перечнем резервной копии",
    "{path} already exists: restore into a new file store":
        "{path} уже существует: восстанавливайте в новое хранилище файлов",
    "{data} already holds a centre: restore into a new data folder":
        "в {data} уже есть центр: восстанавливайте в новую папку данных",
    "this backup is of a centre on PostgreSQL (give --database-url)":
        "это резервная копия центра на PostgreSQL (укажите --database-url)",
    "this backup is of a centre on SQLite (leave --database-url out)":
        "это резервная копия центра на SQLite (не указывайте --database-url)",
    "{url} already holds a centre: restore into an empty database":
        "в {url} уже есть центр: восстанавливайте в пустую базу данных",
    "{path} is being restored into by another process: restore into a new file store":
        "в {path} восстанавливает другой процесс: восстанавливайте в новое хранилище файлов",
    ("the restore failed after loading {url}, and what it loaded could not be dropped ({why}): drop that database "
     "and make it anew before a retry"):
        ("восстановление не удалось после загрузки {url}, и загруженное не удалось удалить ({why}): удалите эту базу "
         "и создайте её заново перед повтором"),
    ("postgresql://USER@HOST:PORT/DB to keep the centre's data in PostgreSQL; given once, when the centre "
     "is created (kept in DATA/centre.toml); no password in it: PGPASSWORD, ~/.pgpass or --password-file"):
        ("postgresql://USER@HOST:PORT/DB, чтобы хранить данные центра в PostgreSQL; задаётся один раз, при "
         "создании центра (сохраняется в DATA/centre.toml); без пароля: PGPASSWORD, ~/.pgpass или --password-file"),
    "name": "имя",
    "role": "роль",
    "token id": "id токена",
    "created": "выдан",
    "last used": "последнее использование",
    "revoked": "отозван",
    "never": "никогда",
    "(last used is noted every 10 s while the service runs)":
        "(последнее использование отмечается каждые 10 с, пока служба работает)",
    "staff {name} added to the centre in {data}. Its token (shown once, stored only as a hash):":
        "сотрудник {name} добавлен в центр в {data}. Его токен (показывается один раз, хранится только хеш):",
    "room {name} added to the centre in {data}. Its token (shown once, stored only as a hash):":
        "аудитория {name} добавлена в центр в {data}. Её токен (показывается один раз, хранится только хеш):",
    "the recordings' store, shared by every centre process (default: the data folder)":
        "хранилище записей, общее для всех процессов центра (по умолчанию: папка данных)",
    "a file (mode 600) holding the PostgreSQL password, named in the configuration":
        "файл (права 600) с паролем PostgreSQL; его имя записывается в конфигурацию",
    "the centre's data folder (holds centre.toml)": "папка данных центра (в ней centre.toml)",
    "receive sessions and recordings from the rooms and serve usage":
        "принимать занятия и записи от аудиторий и отдавать показатели использования",
    "address to listen on (default: loopback only)": "адрес для приёма подключений (по умолчанию: только loopback)",
    "TLS certificate (PEM); serve HTTPS": "сертификат TLS (PEM); работать по HTTPS",
    "TLS private key (PEM)": "закрытый ключ TLS (PEM)",
    "largest recording accepted": "наибольшая принимаемая запись",
    "issue a token for a room's console; printed once, on the last line":
        "выдать токен для консоли аудитории; выводится один раз, последней строкой",
    "issue a token for centre staff (reads every room); printed once, on the last line":
        "выдать токен сотруднику центра (видит все аудитории); выводится один раз, последней строкой",
    "list rooms and staff with their token ids, created and last used":
        "список аудиторий и сотрудников с id токенов, датой выдачи и последнего использования",
    "stop a token (by its id) or every token of a room (by name) at once":
        "отозвать токен (по его id) или сразу все токены аудитории (по имени)",
    "copy the database (online) and every received file into a new folder OUT, with a manifest of their SHA-256":
        "скопировать базу (не останавливая службу) и все принятые файлы в новую папку OUT, с перечнем их SHA-256",
    "make a new centre in --data from a backup folder, every file checked":
        "создать новый центр в --data из папки резервной копии, проверив каждый файл",
    "no tokens yet: issue one with 'classroom-console centre add-room NAME --data DIR'":
        "токенов пока нет: выдайте токен командой 'classroom-console centre add-room NAME --data DIR'",
    "revoke its old tokens; the new one replaces them": "отозвать прежние токены; новый заменяет их",
    "centre service on {url} (data in {data}); Ctrl+C stops it":
        "служба центра на {url} (данные в {data}); Ctrl+C останавливает её",
    "the library: {url}": "библиотека: {url}",
    "--cert needs --key": "для --cert нужен --key",
    "--max-connections-per-client must be 0 (no cap) or more":
        "--max-connections-per-client должен быть 0 (без ограничения) или больше",
    "{port} is not a port number (0..65535)": "{port} — не номер порта (0..65535)",
    "largest session upload accepted (default {n})": "наибольшая принимаемая выгрузка занятия, МБ (по умолчанию {n})",
    "connections one address may hold at once; 0: no cap (default {n})":
        "сколько подключений один адрес может держать сразу; 0: без ограничения (по умолчанию {n})",
    "seconds for a request's head to arrive (default {s})":
        "сколько секунд ждать заголовков запроса (по умолчанию {s})",
    "seconds without a byte of a body before it is given up (default {s})":
        "через сколько секунд без единого байта тела запрос бросается (по умолчанию {s})",
    "--data {data} is a file: give the centre's data folder": "--data {data} — это файл: укажите папку данных центра",
    "revoked the old token {id} of {name}": "отозван прежний токен {id} для {name}",
    ("warning: {name} already has a token ({ids}) that keeps working; use --rotate to replace it, or "
     "'centre revoke' to stop it"):
        ("внимание: у {name} уже есть действующий токен ({ids}); --rotate заменит его, "
         "'centre revoke' отзовёт"),
    "{text} is not a port number": "{text} — не номер порта",
    "{text} must be more than 0": "{text}: нужно больше 0",
    "{text} is not a number": "{text} — не число",
    "cannot listen on {host}:{port}: {why}": "не удаётся принимать подключения на {host}:{port}: {why}",
    "the backup to {out} failed: {why} ({file})": "резервное копирование в {out} не удалось: {why} ({file})",
    "the restore from {backup} failed: {why} ({file})": "восстановление из {backup} не удалось: {why} ({file})",
    "no active token or room called {target} (see 'centre tokens --data DIR')":
        "нет действующего токена или аудитории {target} (см. 'centre tokens --data DIR')",
    "revoked token {id} of {name}: it stops working at the next request":
        "токен {id} для {name} отозван: он перестанет действовать со следующего запроса",
    "yes": "да",
    "no": "нет",
    "no (arriving)": "нет (ещё принимается)",
    "id": "id",
    "room": "аудитория",
    "course": "курс",
    "title": "название",
    "published": "опубликована",
    "list the recordings the centre holds (id, room, course, title, published)":
        "список записей в центре (id, аудитория, курс, название, опубликована ли)",
    "one JSON object per line": "по объекту JSON в строке",
    "only this room's": "только этой аудитории",
    "show a recording in the library": "показать запись в библиотеке",
    "take it out of the library": "убрать её из библиотеки",
    "issue a library reader token for a partner institution": "выдать токен читателя библиотеки организации-партнёру",
    "list the library's reader tokens": "список токенов читателей библиотеки",
    "stop a reader token (by its id) or every token of an institution":
        "отозвать токен читателя (по id) или все токены организации",
    ("who may read the library: 'open' (anyone on the centre's network, the default) or 'token' (a reader "
     "token); no argument: say which"):
        ("кто может читать библиотеку: 'open' (любой в сети центра, по умолчанию) или 'token' (по токену "
         "читателя); без аргумента: сказать, как сейчас"),
    "the centre holds no recordings yet": "в центре пока нет записей",
    "{id} of {room} is published: it shows in the library": "{id} из {room} опубликована: она видна в библиотеке",
    "{id} of {room} is no longer published": "{id} из {room} больше не опубликована",
    "the library is open to anyone who reaches the centre": "библиотека открыта всем, кто может обратиться к центру",
    "the library asks for a reader token ('centre add-reader NAME' issues one)":
        "библиотека требует токен читателя (его выдаёт 'centre add-reader NAME')",
    "the recording's id (ROOM/ID when two rooms share an id)":
        "id записи (ROOM/ID, если у двух аудиторий id совпадают)",
    "no recording {target} (see 'centre recordings --data DIR')":
        "нет записи {target} (см. 'centre recordings --data DIR')",
    "{target} names recordings of several rooms; give ROOM/ID":
        "{target} есть у записей нескольких аудиторий; укажите ROOM/ID",
    "no reader tokens yet: issue one with 'classroom-console centre add-reader NAME --data DIR'":
        "токенов читателей пока нет: выдайте токен командой 'classroom-console centre add-reader NAME --data DIR'",
    ("reader {name} may read the library when it asks for a token ('centre library-access token'). "
     "Its token (shown once, stored only as a hash):"):
        ("читатель {name} может читать библиотеку, когда она требует токен ('centre library-access token'). "
         "Его токен (показывается один раз, хранится только хеш):"),
    "no active reader token or institution called {target}":
        "нет действующего токена читателя или организации {target}",
    "revoked reader token {id} of {name}": "токен читателя {id} для {name} отозван",
    "{name}  {id}  created {at}": "{name}  {id}  выдан {at}",
    "  revoked {at}": "  отозван {at}",
    "created a new SQLite centre in {data}": "создан новый центр SQLite в {data}",
    "created a new PostgreSQL centre in {data} (its data in {url})":
        "создан новый центр PostgreSQL в {data} (его данные в {url})",
    "{data} holds no centre (a centre is made by 'centre serve' or 'centre add-room')":
        "в {data} нет центра (центр создают 'centre serve' или 'centre add-room')",
    # chapters (commands/chapters.py)
    "find a recording's chapters (where its slides change); --write adds them to the MP4 as chapter atoms":
        "найти главы записи (где меняются слайды); --write добавляет их в MP4 как главы файла",
    "a recording (any MP4 FFmpeg can read)": "запись (любой MP4, который читает FFmpeg)",
    "add the chapters to the file as chapter atoms (and the .chapters.vtt beside it)":
        "добавить главы в сам файл (и в .chapters.vtt рядом с ним)",
    "{name} is being uploaded or is already at the centre: its file is left as it is "
    "(edit its chapters in the Studio instead)":
        "{name} уже отправляется в центр или отправлена: файл оставлен как есть (главы можно изменить в Студии)",
    "{file}: no such file": "{file}: нет такого файла",
    "{file}: not a file": "{file}: это не файл",
    "stopped": "остановлено",
    "{file}: could not write its chapters ({why}); the file is unchanged":
        "{file}: не удалось записать главы ({why}); файл не изменён",
    # media/stats.py (the block record and stream print), commands/record.py, media/chapters.py
    "{minutes} min": "{minutes} мин",
    "duration": "длительность",
    "dropped at capture": "потеряно при захвате",
    "late at compositing": "опоздало к сборке",
    "skipped by encoder": "пропущено кодером",
    "encoder fps": "кадров/с кодера",
    "encoder preset": "пресет кодера",
    "bitrate": "битрейт",
    "{kbps} kbit/s": "{kbps} кбит/с",
    "file size": "размер файла",
    "{mb} MB": "{mb} МБ",
    "free disk": "свободно на диске",
    "{gb} GB ({left} left at this bitrate)": "{gb} ГБ (при этом битрейте хватит на {left})",
    "audio resyncs": "подстроек звука",
    "dropped at file": "потеряно при записи",
    "finishing": "завершение",
    "{seconds} s left": "осталось {seconds} с",
    "track {source} {path}": "дорожка {source} {path}",
    "the disk stopped answering": "диск перестал отвечать",
    "the disk stopped answering: the recording stopped; what reached the disk is kept, and the console closes it "
    "at its next start":
        "диск перестал отвечать: запись остановлена; дошедшее до диска сохранено, пульт закроет запись при "
        "следующем запуске",
    "Chapter {n}": "Глава {n}",
    # media/chapters_detect.NotAVideo's reasons, said by `chapters`
    "it has no video stream": "в нём нет видео",
    "no such file": "такого файла нет",
    "it is a folder": "это папка",
    "not a media file FFmpeg can read": "это не медиафайл, который может прочитать FFmpeg",
    # commands/sync.py, sync_words.py
    "{url!r} is not a centre's address: give it as http(s)://HOST[:PORT], e.g. https://centre.example.edu:8765":
        "{url!r} — не адрес центра: укажите его как http(s)://УЗЕЛ[:ПОРТ], например https://centre.example.edu:8765",
    "--delete-uploaded-media: the centre did not prove it holds the recordings it has, so they are kept on this PC "
    "(an older centre, or not this room's centre); the log names each":
        "--delete-uploaded-media: центр не доказал, что хранит полученные записи, поэтому они оставлены на этом ПК "
        "(старая версия центра или не центр этой аудитории); каждая названа в журнале",
    # cli_reasons.py: devices.driver.ID_CONFLICT
    "Another device on this network claims to be this one: check the room's network.":
        "Другое устройство в сети выдаёт себя за это: проверьте сеть аудитории.",
    "Another device at {address} claims to be this one: check the room's network.":
        "Устройство по адресу {address} выдаёт себя за это: проверьте сеть аудитории.",
    # cli_store.py (the session log's problems) and class_.py's refusals
    "the data folder {folder} is read-only: the session log cannot be written there; make it writable or choose "
    "another folder with --data-dir":
        "папка данных {folder} только для чтения: журнал занятий туда не записать; разрешите запись в неё или "
        "выберите другую папку параметром --data-dir",
    "the data folder {folder} is a file, not a folder: the session log cannot be kept there; choose another folder "
    "with --data-dir":
        "папка данных {folder} — это файл, а не папка: журнал занятий там не записать; выберите другую папку "
        "параметром --data-dir",
    "this user may not write to the data folder {folder}: the session log cannot be kept there; change its "
    "permissions or choose another folder with --data-dir":
        "у этого пользователя нет права записи в папку данных {folder}: журнал занятий там не записать; измените "
        "права или выберите другую папку параметром --data-dir",
    "{part} is read-only: the data folder {folder} cannot be made there; make it writable or choose another folder "
    "with --data-dir":
        "{part} только для чтения: папку данных {folder} там не создать; разрешите запись или выберите другую папку "
        "параметром --data-dir",
    "{part} is a file, not a folder: the data folder {folder} cannot be made in it; choose another folder with "
    "--data-dir":
        "{part} — это файл, а не папка: папку данных {folder} в нём не создать; выберите другую папку параметром "
        "--data-dir",
    "this user may not write to {part}: the session log cannot be kept in {folder}; change its permissions or "
    "choose another folder with --data-dir":
        "у этого пользователя нет права записи в {part}: журнал занятий в {folder} не записать; измените права или "
        "выберите другую папку параметром --data-dir",
    "the disk holding {folder} is full: the session log cannot be written; free some space (old recordings?) and "
    "try again":
        "диск с папкой {folder} заполнен: журнал занятий не записать; освободите место (старые записи?) и "
        "попробуйте снова",
    "the disk holding {folder} failed to read or write the session log":
        "диск с папкой {folder} не смог прочитать или записать журнал занятий",
    "the session log in {folder} cannot be opened": "журнал занятий в {folder} не открывается",
    "the session log in {folder} cannot be written": "журнал занятий в {folder} не записывается",
    "the session log in {folder} has schema version {version}, written by a newer Classroom Console: update this "
    "one to open it (the file was left untouched)":
        "журнал занятий в {folder} имеет версию схемы {version}: его записала более новая версия Classroom Console; "
        "обновите эту, чтобы открыть его (файл не тронут)",
    "the session log in {folder} was damaged: it was moved to {moved} and kept, and a new one started; nothing "
    "was deleted":
        "журнал занятий в {folder} был повреждён: он перенесён в {moved} и сохранён, начат новый; ничего не удалено",
    "the class was not started: {why}": "занятие не начато: {why}",
    "the session's end could not be written: {why}. What was logged is kept; the console closes the session when "
    "it next opens this folder":
        "конец занятия не записан: {why}. Записанное в журнал сохранено; пульт закроет занятие, когда снова "
        "откроет эту папку",
}

PLURALS: dict[str, tuple[str, str, str]] = {
    "{n} chapter written into {file} and {vtt}": (
        "{n} глава записана в {file} и {vtt}",
        "{n} главы записаны в {file} и {vtt}",
        "{n} глав записано в {file} и {vtt}",
    ),
    "expected %s argument": ("ожидается %s значение", "ожидается %s значения", "ожидается %s значений"),
    "Simulated room running: {n} device on loopback. Ctrl+C stops it.": (
        "Имитация аудитории работает: {n} устройство на loopback. Ctrl+C останавливает её.",
        "Имитация аудитории работает: {n} устройства на loopback. Ctrl+C останавливает её.",
        "Имитация аудитории работает: {n} устройств на loopback. Ctrl+C останавливает её.",
    ),
    "{n} item in all is set aside as failed (see 'classroom-console usage')": (
        "всего {n} элемент отложен из-за ошибок (см. 'classroom-console usage')",
        "всего {n} элемента отложены из-за ошибок (см. 'classroom-console usage')",
        "всего {n} элементов отложены из-за ошибок (см. 'classroom-console usage')",
    ),
    "{n} item set aside is queued again": (
        "{n} отложенный элемент снова в очереди",
        "{n} отложенных элемента снова в очереди",
        "{n} отложенных элементов снова в очереди",
    ),
    "{n} session": ("{n} занятие", "{n} занятия", "{n} занятий"),  # usage_export.to_table
    "{n} session was saved from it": (
        "из него спасено {n} занятие", "из него спасены {n} занятия", "из него спасено {n} занятий",
    ),
    "{seconds} s ({n} frame)": ("{seconds} с ({n} кадр)", "{seconds} с ({n} кадра)", "{seconds} с ({n} кадров)"),
    "{preset} ({n} step)": ("{preset} ({n} шаг)", "{preset} ({n} шага)", "{preset} ({n} шагов)"),
    "{n} frame, {mb} MB": ("{n} кадр, {mb} МБ", "{n} кадра, {mb} МБ", "{n} кадров, {mb} МБ"),
    "{n} could not be read": ("{n} не удалось прочитать", "{n} не удалось прочитать", "{n} не удалось прочитать"),
    "{n} room": ("{n} аудитория", "{n} аудитории", "{n} аудиторий"),
    "The password was sent to {n} device that asked for one: {names}": (
        "Пароль отправлен {n} устройству, запросившему его: {names}",
        "Пароль отправлен {n} устройствам, запросившим его: {names}",
        "Пароль отправлен {n} устройствам, запросившим его: {names}"),
    "{n} tablet joined": ("подключился {n} планшет", "подключились {n} планшета", "подключились {n} планшетов"),
    "answered: {answered} of {n} tablet": (
        "ответили: {answered} из {n} планшета", "ответили: {answered} из {n} планшетов",
        "ответили: {answered} из {n} планшетов",
    ),
    "backed up the centre in {data} ({backend}) and {n} file ({mib} MiB) to {out}; {manifest} lists its SHA-256": (
        "центр в {data} ({backend}) и {n} файл ({mib} МиБ) скопированы в {out}; {manifest} перечисляет его SHA-256",
        "центр в {data} ({backend}) и {n} файла ({mib} МиБ) скопированы в {out}; {manifest} перечисляет их SHA-256",
        "центр в {data} ({backend}) и {n} файлов ({mib} МиБ) скопированы в {out}; {manifest} перечисляет их SHA-256",
    ),
    "restored {backup} into the centre in {data} ({backend}); {n} file ({mib} MiB), its SHA-256 as in the manifest": (
        "{backup} восстановлена в центр в {data} ({backend}); {n} файл ({mib} МиБ), SHA-256 как в перечне",
        "{backup} восстановлена в центр в {data} ({backend}); {n} файла ({mib} МиБ), у каждого SHA-256 как в перечне",
        "{backup} восстановлена в центр в {data} ({backend}); {n} файлов ({mib} МиБ), у каждого SHA-256 как в перечне",
    ),
}
