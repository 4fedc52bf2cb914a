<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU">
<context>
    <name>CentreWorkspace</name>
    <message>
        <source>Centre</source>
        <translation>Центр</translation>
    </message>
    <message>
        <source>How this room is used: sessions, hours, devices. Sent to the centre when the network allows.</source>
        <translation>Как используется аудитория: занятия, часы, устройства. Данные уходят в центр, когда есть сеть.</translation>
    </message>
    <message>
        <source>sessions logged</source>
        <translation>занятий записано в журнал</translation>
    </message>
    <message>
        <source>hours in use</source>
        <translation>часов использования</translation>
    </message>
    <message>
        <source>devices known</source>
        <translation>известных устройств</translation>
    </message>
    <message>
        <source>events recorded</source>
        <translation>событий в журнале</translation>
    </message>
    <message>
        <source>Usage charts appear here</source>
        <translation>Здесь появятся графики использования</translation>
    </message>
    <message>
        <source>Once sessions are logged you will see the room's hours by weekday and time, sessions by lecturer and course, lamp hours and faults.</source>
        <translation>Когда в журнале появятся занятия, здесь будут часы работы аудитории по дням недели и времени, занятия по преподавателям и курсам, наработка ламп и неисправности.</translation>
    </message>
</context>
<context>
    <name>DeviceCard</name>
    <message>
        <source>Online</source>
        <translation>В сети</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Нет связи</translation>
    </message>
    <message>
        <source>Wrong password</source>
        <translation>Неверный пароль</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>Неисправность</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Проверка…</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Включён</translation>
    </message>
    <message>
        <source>Standby</source>
        <translation>Ожидание</translation>
    </message>
    <message>
        <source>Warming up</source>
        <translation>Прогрев</translation>
    </message>
    <message>
        <source>Cooling down</source>
        <translation>Охлаждение</translation>
    </message>
    <message>
        <source>Projector</source>
        <translation>Проектор</translation>
    </message>
    <message>
        <source>Interactive board</source>
        <translation>Интерактивная доска</translation>
    </message>
    <message>
        <source>Display</source>
        <translation>Дисплей</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Камера</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Микрофон</translation>
    </message>
    <message>
        <source>Tablet</source>
        <translation>Планшет</translation>
    </message>
    <message>
        <source>Fan</source>
        <translation>Вентилятор</translation>
    </message>
    <message>
        <source>Lamp</source>
        <translation>Лампа</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Температура</translation>
    </message>
    <message>
        <source>Cover open</source>
        <translation>Открыта крышка</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Фильтр</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Прочее</translation>
    </message>
    <message>
        <source>%1: fault</source>
        <translation>%1: неисправность</translation>
    </message>
    <message>
        <source>%1: needs attention soon</source>
        <translation>%1: скоро потребуется обслуживание</translation>
    </message>
    <message>
        <source>Input source</source>
        <translation>Источник сигнала</translation>
    </message>
    <message>
        <source>Blank</source>
        <translation>Скрыть</translation>
    </message>
    <message>
        <source>Blank the picture and mute the sound</source>
        <translation>Скрыть изображение и выключить звук</translation>
    </message>
    <message>
        <source>Enter password…</source>
        <translation>Ввести пароль…</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Подробнее</translation>
    </message>
    <message>
        <source>Input: %1</source>
        <translation>Вход: %1</translation>
    </message>
    <message>
        <source>Lamp: %1 h</source>
        <translation>Лампа: %1 ч</translation>
    </message>
    <message>
        <source>Picture blanked</source>
        <translation>Изображение скрыто</translation>
    </message>
    <message>
        <source>Not answering. Check that it is plugged in and on the network.</source>
        <translation>Не отвечает. Проверьте питание и подключение к сети.</translation>
    </message>
    <message>
        <source>This device needs its PJLink password.</source>
        <translation>Для этого устройства нужен пароль PJLink.</translation>
    </message>
    <message>
        <source>The device reports a fault: %1</source>
        <translation>Устройство сообщает о неисправности: %1</translation>
    </message>
    <message>
        <source>Warming up · about %1 s</source>
        <translation>Прогрев · ещё около %1 с</translation>
    </message>
    <message>
        <source>Warming up · %1 s</source>
        <translation>Прогрев · %1 с</translation>
    </message>
    <message>
        <source>Turn off</source>
        <translation>Выключить</translation>
    </message>
    <message>
        <source>Warming…</source>
        <translation>Прогрев…</translation>
    </message>
    <message>
        <source>Cooling…</source>
        <translation>Охлаждение…</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>Включить</translation>
    </message>
    <message>
        <source>It is kept in the system keyring.</source>
        <translation>Он хранится в системном хранилище паролей.</translation>
    </message>
    <message>
        <source>It is kept in the session database on this PC (no system keyring was found).</source>
        <translation>Он хранится в базе журнала на этом компьютере (системное хранилище паролей не найдено).</translation>
    </message>
    <message>
        <source>It is kept only until the console closes.</source>
        <translation>Он хранится только до закрытия пульта.</translation>
    </message>
    <message>
        <source>PJLink password</source>
        <translation>Пароль PJLink</translation>
    </message>
    <message>
        <source>Password for %1.</source>
        <translation>Пароль для «%1».</translation>
    </message>
</context>
<context>
    <name>DeviceDetails</name>
    <message>
        <source>Identity</source>
        <translation>Идентификатор</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Адрес</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Протокол</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Питание</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>Вход</translation>
    </message>
    <message>
        <source>Input resolution</source>
        <translation>Разрешение входа</translation>
    </message>
    <message>
        <source>Lamp hours</source>
        <translation>Наработка лампы, ч</translation>
    </message>
    <message>
        <source>Filter hours</source>
        <translation>Наработка фильтра, ч</translation>
    </message>
    <message>
        <source>Error status</source>
        <translation>Состояние ошибок</translation>
    </message>
    <message>
        <source>Manufacturer</source>
        <translation>Производитель</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Модель</translation>
    </message>
    <message>
        <source>Other information</source>
        <translation>Прочие сведения</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>Серийный номер</translation>
    </message>
    <message>
        <source>Software version</source>
        <translation>Версия ПО</translation>
    </message>
    <message>
        <source>Not available now</source>
        <translation>Сейчас недоступно</translation>
    </message>
    <message>
        <source>Found by</source>
        <translation>Как найдено</translation>
    </message>
    <message>
        <source>Last report</source>
        <translation>Последний ответ</translation>
    </message>
</context>
<context>
    <name>LecturerWorkspace</name>
    <message>
        <source>Lecturer</source>
        <translation>Лектор</translation>
    </message>
    <message>
        <source>Everything in %1, ready with one button.</source>
        <translation>Всё в аудитории «%1» готово к работе одной кнопкой.</translation>
    </message>
    <message>
        <source>Devices in this room</source>
        <translation>Устройства в аудитории</translation>
    </message>
    <message>
        <source>Looking for the room's devices…</source>
        <translation>Ищем устройства аудитории…</translation>
    </message>
    <message>
        <source>Projectors, interactive boards, displays and cameras on this room's network appear here by themselves, with their state. Nothing needs to be set up.</source>
        <translation>Проекторы, интерактивные доски, дисплеи и камеры из сети аудитории появятся здесь сами, вместе со своим состоянием. Ничего настраивать не нужно.</translation>
    </message>
    <message>
        <source>All on</source>
        <translation>Включить всё</translation>
    </message>
    <message>
        <source>All off</source>
        <translation>Выключить всё</translation>
    </message>
    <message>
        <source>Turning everything on…</source>
        <translation>Включаем всё…</translation>
    </message>
    <message>
        <source>Turning everything off…</source>
        <translation>Выключаем всё…</translation>
    </message>
    <message>
        <source>%1 device(s) did not follow: %2</source>
        <translation>Не выполнили команду (%1): %2</translation>
    </message>
    <message>
        <source>Looking for devices…</source>
        <translation>Ищем устройства…</translation>
    </message>
    <message>
        <source>%1 found</source>
        <translation>Найдено: %1</translation>
    </message>
    <message>
        <source>Lecturer's name</source>
        <translation>Имя преподавателя</translation>
    </message>
    <message>
        <source>Course or topic</source>
        <translation>Курс или тема</translation>
    </message>
    <message>
        <source>No session running</source>
        <translation>Занятие не идёт</translation>
    </message>
    <message>
        <source>Start a session to log it for the centre.</source>
        <translation>Начните занятие, чтобы оно попало в журнал для центра.</translation>
    </message>
    <message>
        <source>Turn the room's devices on and off with the session</source>
        <translation>Включать и выключать устройства вместе с занятием</translation>
    </message>
    <message>
        <source>Start session</source>
        <translation>Начать занятие</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Завершить занятие</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Занятие</translation>
    </message>
    <message>
        <source>Running: %1</source>
        <translation>Идёт: %1</translation>
    </message>
    <message>
        <source>The session was saved to the log.</source>
        <translation>Занятие сохранено в журнале.</translation>
    </message>
    <message>
        <source>Elapsed %1</source>
        <translation>Прошло %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Classroom Console — %1</source>
        <translation>Пульт аудитории — %1</translation>
    </message>
    <message>
        <source>Sync: not set up</source>
        <translation>Синхронизация: не настроена</translation>
    </message>
    <message>
        <source>Sessions are kept on this PC until a centre is configured.</source>
        <translation>Занятия хранятся на этом компьютере, пока не указан центр.</translation>
    </message>
    <message>
        <source>Classroom
Console</source>
        <translation>Пульт
аудитории</translation>
    </message>
    <message>
        <source>Lecturer</source>
        <translation>Лектор</translation>
    </message>
    <message>
        <source>Studio</source>
        <translation>Студия</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Центр</translation>
    </message>
    <message>
        <source>Network: %1</source>
        <translation>Сеть: %1</translation>
    </message>
    <message>
        <source>Network: offline (loopback only)</source>
        <translation>Сеть: нет подключения (только локальный адрес)</translation>
    </message>
    <message>
        <source>Session log: %1</source>
        <translation>Журнал занятий: %1</translation>
    </message>
    <message>
        <source>Session log</source>
        <translation>Журнал занятий</translation>
    </message>
</context>
<context>
    <name>StudioWorkspace</name>
    <message>
        <source>Studio</source>
        <translation>Студия</translation>
    </message>
    <message>
        <source>Compose cameras, the board's screen and the microphone into a recording or a live stream.</source>
        <translation>Соберите камеры, экран доски и микрофон в запись или прямую трансляцию.</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>Источники</translation>
    </message>
    <message>
        <source>No sources yet</source>
        <translation>Источников пока нет</translation>
    </message>
    <message>
        <source>The room's cameras, the board's screen and microphones will be listed here to pick from.</source>
        <translation>Здесь появятся камеры аудитории, экран доски и микрофоны — выберите нужные.</translation>
    </message>
    <message>
        <source>Program</source>
        <translation>Программа</translation>
    </message>
    <message>
        <source>The live program preview appears here once a source is added.</source>
        <translation>Предпросмотр программы появится здесь, когда будет добавлен источник.</translation>
    </message>
    <message>
        <source>Single source</source>
        <translation>Один источник</translation>
    </message>
    <message>
        <source>Picture in picture</source>
        <translation>Картинка в картинке</translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation>Рядом</translation>
    </message>
    <message>
        <source>● Record</source>
        <translation>● Запись</translation>
    </message>
    <message>
        <source>Add a source first.</source>
        <translation>Сначала добавьте источник.</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>Раскладка</translation>
    </message>
</context>
</TS>