<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU">
<context>
    <name>AddressDialog</name>
    <message>
        <source>Add devices by address</source>
        <translation>Добавить устройства по адресу</translation>
    </message>
    <message>
        <source>Addresses or ranges to check, separated by commas, for example 10.20.1.15, 10.20.1.0/24</source>
        <translation>Адреса или диапазоны для проверки через запятую, например 10.20.1.15, 10.20.1.0/24</translation>
    </message>
    <message>
        <source>“%1” is too large a range: at most 1,024 addresses (a /22).</source>
        <translation>«%1» — слишком большой диапазон: не более 1024 адресов (/22).</translation>
    </message>
    <message>
        <source>“%1” is not an address or a range. Use 10.20.1.15 or 10.20.1.0/24.</source>
        <translation>«%1» — не адрес и не диапазон. Пишите так: 10.20.1.15 или 10.20.1.0/24.</translation>
    </message>
    <message>
        <source>These addresses could not be saved: together they are too many (at most 4,096), or the settings file could not be written.</source>
        <translation>Не удалось сохранить адреса: всего их слишком много (не более 4096) или файл настроек не записывается.</translation>
    </message>
</context>
<context>
    <name>AudioMixerPanel</name>
    <message>
        <source>Audio</source>
        <translation>Звук</translation>
    </message>
    <message>
        <source>%1 dB</source>
        <translation>%1 дБ</translation>
    </message>
    <message>
        <source>Clipping: the loudest moments are cut off. Turn the gain down; click the red mark to clear it.</source>
        <translation>Перегрузка: самые громкие моменты срезаются. Уменьшите усиление; щёлкните красную метку, чтобы сбросить её.</translation>
    </message>
    <message>
        <source>Level in dBFS: the bar falls after each peak, the bright core is the loudness, the line holds the loudest moment of the last 2 s, the mark at the end turns red when the sound clips.</source>
        <translation>Уровень в дБFS: полоса опускается после каждого пика, яркая середина — громкость, черта держит самый громкий момент за последние 2 с, метка в конце краснеет при перегрузке.</translation>
    </message>
</context>
<context>
    <name>CameraCard</name>
    <message>
        <source>move the camera</source>
        <translation>повернуть камеру</translation>
    </message>
    <message>
        <source>turn the camera to its home position</source>
        <translation>вернуть камеру в исходное положение</translation>
    </message>
    <message>
        <source>recall preset %1</source>
        <translation>перейти к предустановке %1</translation>
    </message>
    <message>
        <source>store preset %1</source>
        <translation>сохранить предустановку %1</translation>
    </message>
    <message>
        <source>%1: could not %2.</source>
        <translation>%1: не удалось %2.</translation>
    </message>
    <message>
        <source>Use in Studio</source>
        <translation>В студию</translation>
    </message>
    <message>
        <source>Add this camera&apos;s picture to the Studio&apos;s sources</source>
        <translation>Добавить изображение этой камеры в источники студии</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Подробнее</translation>
    </message>
    <message>
        <source>Double-click for a bigger picture</source>
        <translation>Дважды щёлкните, чтобы увеличить изображение</translation>
    </message>
    <message>
        <source>Added to the Studio</source>
        <translation>Добавлено в студию</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Проверить сейчас</translation>
    </message>
</context>
<context>
    <name>CameraView</name>
    <message>
        <source>No signal</source>
        <translation>Нет сигнала</translation>
    </message>
    <message>
        <source>The camera is not reachable.</source>
        <translation>Камера недоступна.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
</context>
<context>
    <name>CentreFormat</name>
    <message numerus="yes">
        <source>%n s</source>
        <comment>seconds</comment>
        <translation>
            <numerusform>%n с</numerusform>
            <numerusform>%n с</numerusform>
            <numerusform>%n с</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <comment>minutes</comment>
        <translation>
            <numerusform>%n мин</numerusform>
            <numerusform>%n мин</numerusform>
            <numerusform>%n мин</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n recording(s)</source>
        <translation>
            <numerusform>%n запись</numerusform>
            <numerusform>%n записи</numerusform>
            <numerusform>%n записей</numerusform>
        </translation>
    </message>
    <message>
        <source>.</source>
        <comment>the decimal separator</comment>
        <translation>,</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 Б</translation>
    </message>
    <message>
        <source>%1 KB</source>
        <translation>%1 КБ</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 МБ</translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1 ГБ</translation>
    </message>
    <message>
        <source>%1 TB</source>
        <translation>%1 ТБ</translation>
    </message>
    <message>
        <source>%1 h</source>
        <comment>hours</comment>
        <translation>%1 ч</translation>
    </message>
</context>
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
        <source>Export CSV…</source>
        <translation>Экспорт в CSV…</translation>
    </message>
    <message>
        <source>PDF report…</source>
        <translation>Отчёт в PDF…</translation>
    </message>
    <message>
        <source>hours in use</source>
        <translation>часов использования</translation>
    </message>
    <message>
        <source>Set up the centre…</source>
        <translation>Настроить центр…</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Открыть папку</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Открыть</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message numerus="yes">
        <source>session(s) logged</source>
        <translation>
            <numerusform>занятие в журнале</numerusform>
            <numerusform>занятия в журнале</numerusform>
            <numerusform>занятий в журнале</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>device(s) known</source>
        <translation>
            <numerusform>устройство известно</numerusform>
            <numerusform>устройства известно</numerusform>
            <numerusform>устройств известно</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>event(s) recorded</source>
        <translation>
            <numerusform>событие в журнале</numerusform>
            <numerusform>события в журнале</numerusform>
            <numerusform>событий в журнале</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>recording(s)</source>
        <translation>
            <numerusform>запись</numerusform>
            <numerusform>записи</numerusform>
            <numerusform>записей</numerusform>
        </translation>
    </message>
    <message>
        <source>When rooms are in use (hours, weekday × hour)</source>
        <translation>Когда аудитории заняты (часы, день недели × час)</translation>
    </message>
    <message>
        <source>Hours in use per room per week</source>
        <translation>Часы использования по аудиториям и неделям</translation>
    </message>
    <message>
        <source>Sessions by lecturer</source>
        <translation>Занятия по преподавателям</translation>
    </message>
    <message>
        <source>Sessions by course</source>
        <translation>Занятия по курсам</translation>
    </message>
    <message>
        <source>Lamp hours (orange: near the end of rated life)</source>
        <translation>Наработка ламп (оранжевым — близко к концу ресурса)</translation>
    </message>
    <message>
        <source>Faults by device</source>
        <translation>Неисправности по устройствам</translation>
    </message>
    <message>
        <source>Tablet participation: tablet activity is not recorded yet.</source>
        <translation>Участие с планшетов: активность планшетов пока не записывается.</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>Использование</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>Библиотека</translation>
    </message>
    <message>
        <source>read the usage figures</source>
        <translation>чтение показателей использования</translation>
    </message>
    <message>
        <source>No centre is set up, so there are no figures for all rooms. Enter the centre&apos;s address and this room&apos;s token in “Upload to the centre”, or choose “This room”.</source>
        <translation>Центр не настроен, поэтому данных по всем аудиториям нет. Введите адрес центра и токен этой аудитории в разделе «Отправка в центр» или выберите «Эта аудитория».</translation>
    </message>
    <message>
        <source>The centre&apos;s figures could not be read, so none are shown. Check the centre&apos;s address and token, or try again when the network is back.</source>
        <translation>Не удалось получить данные центра, поэтому они не показаны. Проверьте адрес центра и токен или повторите, когда появится сеть.</translation>
    </message>
    <message>
        <source>Recordings: %1, %2 in all, %3</source>
        <translation>Записи: %1, всего %2, %3</translation>
    </message>
    <message numerus="yes">
        <source>%n recording(s)</source>
        <translation>
            <numerusform>%n запись</numerusform>
            <numerusform>%n записи</numerusform>
            <numerusform>%n записей</numerusform>
        </translation>
    </message>
    <message>
        <source>Recordings: none in this period.</source>
        <translation>Записей за этот период нет.</translation>
    </message>
    <message numerus="yes">
        <source> and %n more</source>
        <translation>
            <numerusform> и ещё %n</numerusform>
            <numerusform> и ещё %n</numerusform>
            <numerusform> и ещё %n</numerusform>
        </translation>
    </message>
    <message>
        <source>read the sessions for the report</source>
        <translation>прочитать занятия для отчёта</translation>
    </message>
    <message>
        <source>all rooms, from the centre</source>
        <translation>все аудитории, по данным центра</translation>
    </message>
    <message>
        <source>this room</source>
        <translation>эта аудитория</translation>
    </message>
    <message>
        <source>From %1 to %2; %3; room: %4; lecturer: %5</source>
        <translation>С %1 по %2; %3; аудитория: %4; преподаватель: %5</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>Сохранено: %1</translation>
    </message>
    <message>
        <source>read the centre&apos;s figures</source>
        <translation>чтение показателей центра</translation>
    </message>
    <message>
        <source>(not given)</source>
        <translation>(не указано)</translation>
    </message>
    <message>
        <source>sessions</source>
        <translation>занятия</translation>
    </message>
    <message>
        <source>lamp hours</source>
        <translation>часы лампы</translation>
    </message>
    <message>
        <source>near end of life</source>
        <translation>близко к концу ресурса</translation>
    </message>
    <message>
        <source>faults</source>
        <translation>неисправности</translation>
    </message>
    <message>
        <source>Lamp near the end of its rated life: %1</source>
        <translation>Лампа близка к концу ресурса: %1</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Файлы CSV (*.csv)</translation>
    </message>
    <message>
        <source>Export sessions as CSV</source>
        <translation>Экспорт занятий в CSV</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Аудитория</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Дата</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Начало</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Конец</translation>
    </message>
    <message>
        <source>Lecturer</source>
        <translation>Преподаватель</translation>
    </message>
    <message>
        <source>Course</source>
        <translation>Курс</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>Часы</translation>
    </message>
    <message>
        <source>Recordings</source>
        <translation>Записи</translation>
    </message>
    <message>
        <source>export the CSV file</source>
        <translation>экспорт CSV-файла</translation>
    </message>
    <message>
        <source>Save the usage report as PDF</source>
        <translation>Сохранить отчёт об использовании в PDF</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>Файлы PDF (*.pdf)</translation>
    </message>
    <message>
        <source>all</source>
        <translation>все</translation>
    </message>
    <message>
        <source>Classroom usage report</source>
        <translation>Отчёт об использовании аудиторий</translation>
    </message>
</context>
<context>
    <name>ChaptersPanel</name>
    <message>
        <source>Pick a recording in the Recordings tab.</source>
        <translation>Выберите запись на вкладке «Записи».</translation>
    </message>
    <message>
        <source>Add here</source>
        <translation>Добавить здесь</translation>
    </message>
    <message>
        <source>A new chapter at the player&apos;s position</source>
        <translation>Новая глава в текущей позиции проигрывателя</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Переименовать</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Save chapters</source>
        <translation>Сохранить главы</translation>
    </message>
    <message>
        <source>Into the recording, its chapter file and the room&apos;s log; the centre gets them with the upload</source>
        <translation>В запись, её файл глав и журнал аудитории; центр получит их при выгрузке</translation>
    </message>
    <message>
        <source>list recordings</source>
        <translation>список записей</translation>
    </message>
    <message numerus="yes">
        <source>%n chapter(s). Double-click one to rename it.</source>
        <translation>
            <numerusform>%n глава. Дважды щёлкните, чтобы переименовать.</numerusform>
            <numerusform>%n главы. Дважды щёлкните, чтобы переименовать.</numerusform>
            <numerusform>%n глав. Дважды щёлкните, чтобы переименовать.</numerusform>
        </translation>
    </message>
    <message>
        <source>No chapters yet: add one at the player&apos;s position.</source>
        <translation>Глав пока нет: добавьте главу в позиции проигрывателя.</translation>
    </message>
    <message>
        <source>load chapters</source>
        <translation>загрузка глав</translation>
    </message>
    <message>
        <source>Finding chapters: %1 %</source>
        <translation>Поиск глав: %1 %</translation>
    </message>
    <message>
        <source>Not saved yet.</source>
        <translation>Ещё не сохранено.</translation>
    </message>
    <message>
        <source>A chapter needs a title.</source>
        <translation>У главы должно быть название.</translation>
    </message>
    <message>
        <source>There is a chapter at %1 already.</source>
        <translation>В %1 уже есть глава.</translation>
    </message>
    <message>
        <source>Chapter %1</source>
        <translation>Глава %1</translation>
    </message>
    <message>
        <source>Saving the chapters…</source>
        <translation>Главы сохраняются…</translation>
    </message>
    <message>
        <source>Saved into the recording and its chapter file.</source>
        <translation>Сохранено в запись и её файл глав.</translation>
    </message>
    <message>
        <source>Saved. The recording is already being uploaded, so its file stays as it is; the centre gets the new chapters.</source>
        <translation>Сохранено. Запись уже выгружается, поэтому её файл не меняется; центр получит новые главы.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Сохранено.</translation>
    </message>
    <message>
        <source>The chapters were not saved.</source>
        <translation>Главы не сохранены.</translation>
    </message>
    <message>
        <source>save the chapters</source>
        <translation>сохранение глав</translation>
    </message>
</context>
<context>
    <name>ChartCard</name>
    <message>
        <source>No data for this period</source>
        <translation>Нет данных за этот период</translation>
    </message>
</context>
<context>
    <name>ClassPanel</name>
    <message>
        <source>Join code</source>
        <translation>Код для входа</translation>
    </message>
    <message>
        <source>No tablets yet</source>
        <translation>Планшетов пока нет</translation>
    </message>
    <message>
        <source>Open for tablets</source>
        <translation>Открыть для планшетов</translation>
    </message>
    <message>
        <source>Show on projector</source>
        <translation>Показать на проекторе</translation>
    </message>
    <message>
        <source>The code and the live chart, full screen on the projector&apos;s display</source>
        <translation>Код и живая диаграмма во весь экран проектора</translation>
    </message>
    <message>
        <source>Ask the class</source>
        <translation>Вопрос группе</translation>
    </message>
    <message>
        <source>Poll: one choice</source>
        <translation>Опрос: один ответ</translation>
    </message>
    <message>
        <source>Poll: several choices</source>
        <translation>Опрос: несколько ответов</translation>
    </message>
    <message>
        <source>Quiz</source>
        <translation>Тест</translation>
    </message>
    <message>
        <source>Open answer</source>
        <translation>Свободный ответ</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Вопрос</translation>
    </message>
    <message>
        <source>One option per line</source>
        <translation>Один вариант в строке</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Начать</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Stop taking answers</source>
        <translation>Прекратить приём ответов</translation>
    </message>
    <message>
        <source>Share results</source>
        <translation>Показать итоги</translation>
    </message>
    <message>
        <source>Show the counts on the students&apos; tablets</source>
        <translation>Показать итоги на планшетах студентов</translation>
    </message>
    <message>
        <source> s</source>
        <translation> с</translation>
    </message>
    <message>
        <source>Timer</source>
        <translation>Таймер</translation>
    </message>
    <message>
        <source>A countdown on every tablet and on the projector</source>
        <translation>Обратный отсчёт на каждом планшете и на проекторе</translation>
    </message>
    <message>
        <source>Eyes on the board</source>
        <translation>Внимание на доску</translation>
    </message>
    <message>
        <source>Dim every tablet until you release them</source>
        <translation>Затемнить все планшеты, пока вы их не отпустите</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Итоги</translation>
    </message>
    <message>
        <source>Show to the class</source>
        <translation>Показать группе</translation>
    </message>
    <message>
        <source>The chosen answer appears on every tablet, without its author</source>
        <translation>Выбранный ответ появится на всех планшетах, без имени автора</translation>
    </message>
    <message>
        <source>Raised hands</source>
        <translation>Поднятые руки</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Нет</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Дальше</translation>
    </message>
    <message>
        <source>Lower the first hand in the queue</source>
        <translation>Опустить первую руку в очереди</translation>
    </message>
    <message>
        <source>Start a poll, a quiz or an open question: the answers appear here as they come, and Show on projector puts them on the big screen.</source>
        <translation>Начните опрос, тест или вопрос со свободным ответом: ответы появятся здесь по мере поступления, а «Показать на проекторе» выведет их на большой экран.</translation>
    </message>
    <message>
        <source>Close for tablets</source>
        <translation>Закрыть для планшетов</translation>
    </message>
    <message>
        <source>Start a session first</source>
        <translation>Сначала начните занятие</translation>
    </message>
    <message>
        <source>One option per line; put * before each right answer</source>
        <translation>Один вариант в строке; поставьте * перед каждым верным</translation>
    </message>
    <message>
        <source>open the tablets</source>
        <translation>открыть доступ планшетам</translation>
    </message>
    <message>
        <source>Type the question first.</source>
        <translation>Сначала введите вопрос.</translation>
    </message>
    <message>
        <source>Give at least two options, one per line.</source>
        <translation>Нужно хотя бы два варианта, по одному в строке.</translation>
    </message>
    <message>
        <source>Two options are the same.</source>
        <translation>Два варианта совпадают.</translation>
    </message>
    <message>
        <source>Mark the right answers with * at the start of their line.</source>
        <translation>Отметьте верные ответы звёздочкой * в начале строки.</translation>
    </message>
    <message>
        <source>start the activity</source>
        <translation>начать задание</translation>
    </message>
    <message>
        <source>The activity could not start.</source>
        <translation>Задание не удалось начать.</translation>
    </message>
    <message>
        <source>close the activity</source>
        <translation>закрыть задание</translation>
    </message>
    <message>
        <source>share the results</source>
        <translation>показать итоги</translation>
    </message>
    <message>
        <source>show the answer</source>
        <translation>показать ответ</translation>
    </message>
    <message>
        <source>lower the hand</source>
        <translation>опустить руку</translation>
    </message>
    <message>
        <source>stop the timer</source>
        <translation>остановить таймер</translation>
    </message>
    <message>
        <source>start the timer</source>
        <translation>запустить таймер</translation>
    </message>
    <message>
        <source>dim the tablets</source>
        <translation>затемнить планшеты</translation>
    </message>
    <message>
        <source>%1 of %2 tablets connected</source>
        <translation>Подключено планшетов: %1 из %2</translation>
    </message>
    <message>
        <source>Latest: %1</source>
        <translation>Последний: %1</translation>
    </message>
    <message>
        <source>Best scores: %1</source>
        <translation>Лучшие результаты: %1</translation>
    </message>
    <message>
        <source>%1 of %2 answered</source>
        <translation>Ответили %1 из %2</translation>
    </message>
    <message>
        <source>and %1 more</source>
        <translation>и ещё %1</translation>
    </message>
    <message>
        <source>Next (%1)</source>
        <translation>Дальше (%1)</translation>
    </message>
    <message>
        <source>Stop %1</source>
        <translation>Стоп %1</translation>
    </message>
</context>
<context>
    <name>DestinationDialog</name>
    <message>
        <source>Add a live destination</source>
        <translation>Добавить адрес трансляции</translation>
    </message>
    <message>
        <source>Custom RTMP server</source>
        <translation>Свой RTMP-сервер</translation>
    </message>
    <message>
        <source>The centre</source>
        <translation>Центр</translation>
    </message>
    <message>
        <source>stream key</source>
        <translation>ключ трансляции</translation>
    </message>
    <message>
        <source>Platform</source>
        <translation>Платформа</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Название</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Сервер</translation>
    </message>
    <message>
        <source>Stream key</source>
        <translation>Ключ трансляции</translation>
    </message>
</context>
<context>
    <name>DeviceCard</name>
    <message>
        <source>Password needed</source>
        <translation>Нужен пароль</translation>
    </message>
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
        <source>Turn on / off</source>
        <translation>Включить / выключить</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Проверить сейчас</translation>
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
        <source>Camera movement (PTZ)</source>
        <translation>Движение камеры (PTZ)</translation>
    </message>
    <message>
        <source>Picture</source>
        <translation>Изображение</translation>
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
        <source>Not this room&apos;s</source>
        <translation>Не этой аудитории</translation>
    </message>
    <message>
        <source>Not chosen for this room</source>
        <translation>Не выбрано для этой аудитории</translation>
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
        <source>Battery: %1%, charging</source>
        <translation>Батарея: %1%, заряжается</translation>
    </message>
    <message>
        <source>Battery: %1%</source>
        <translation>Батарея: %1%</translation>
    </message>
    <message>
        <source>Will turn off after warm-up</source>
        <translation>Выключится после прогрева</translation>
    </message>
    <message>
        <source>Will turn on after cooling down</source>
        <translation>Включится после охлаждения</translation>
    </message>
    <message>
        <source>Warming up · about %1 s left</source>
        <translation>Прогрев · осталось около %1 с</translation>
    </message>
    <message>
        <source>Cooling down · about %1 s left</source>
        <translation>Охлаждение · осталось около %1 с</translation>
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
        <source>%1 is not this room&apos;s device: another room may be using it. Turn it on anyway?</source>
        <translation>%1 — устройство не этой аудитории: им может пользоваться другая аудитория. Всё равно включить?</translation>
    </message>
    <message>
        <source>%1 is not this room&apos;s device: another room may be using it. Turn it off anyway?</source>
        <translation>%1 — устройство не этой аудитории: им может пользоваться другая аудитория. Всё равно выключить?</translation>
    </message>
    <message>
        <source>Another room&apos;s device</source>
        <translation>Устройство другой аудитории</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
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
</context>
<context>
    <name>DeviceDetails</name>
    <message>
        <source>it answered the projector search</source>
        <translation>ответил на поиск проекторов</translation>
    </message>
    <message>
        <source>it announced itself on the network</source>
        <translation>сам объявил о себе в сети</translation>
    </message>
    <message>
        <source>its address was checked</source>
        <translation>проверен по адресу</translation>
    </message>
    <message>
        <source>it answered the camera search</source>
        <translation>ответил на поиск камер</translation>
    </message>
    <message>
        <source>picture freeze</source>
        <translation>стоп-кадр</translation>
    </message>
    <message>
        <source>input</source>
        <translation>вход</translation>
    </message>
    <message>
        <source>input resolution</source>
        <translation>разрешение входа</translation>
    </message>
    <message>
        <source>blanking</source>
        <translation>скрытие изображения</translation>
    </message>
    <message>
        <source>lamp hours</source>
        <translation>часы лампы</translation>
    </message>
    <message>
        <source>error status</source>
        <translation>состояние ошибок</translation>
    </message>
    <message>
        <source>power</source>
        <translation>питание</translation>
    </message>
    <message>
        <source>filter hours</source>
        <translation>часы фильтра</translation>
    </message>
    <message>
        <source>This room&apos;s device</source>
        <translation>Устройство этой аудитории</translation>
    </message>
    <message>
        <source>Scenes, “All on”, “All off” and the end of a session switch only this room&apos;s devices; a neighbouring room&apos;s projector is left alone.</source>
        <translation>Сцены, «Включить всё», «Выключить всё» и конец занятия переключают только устройства этой аудитории; проектор соседней аудитории не трогается.</translation>
    </message>
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
        <source>Why</source>
        <translation>Причина</translation>
    </message>
    <message>
        <source>Technical detail</source>
        <translation>Технические подробности</translation>
    </message>
    <message>
        <source>You chose it as this room&apos;s: scenes switch it.</source>
        <translation>Вы отметили его как устройство этой аудитории: сцены его переключают.</translation>
    </message>
    <message>
        <source>You said it is not this room&apos;s: scenes leave it alone.</source>
        <translation>Вы указали, что оно не из этой аудитории: сцены его не трогают.</translation>
    </message>
    <message>
        <source>This room&apos;s by its address or password: scenes switch it.</source>
        <translation>Устройство этой аудитории по адресу или паролю: сцены его переключают.</translation>
    </message>
    <message>
        <source>Not chosen yet: scenes switch it until this room&apos;s devices are chosen.</source>
        <translation>Ещё не выбрано: сцены переключают его, пока не выбраны устройства этой аудитории.</translation>
    </message>
    <message>
        <source>Not chosen for this room: scenes leave it alone.</source>
        <translation>Не выбрано для этой аудитории: сцены его не трогают.</translation>
    </message>
    <message>
        <source>%1, class %2</source>
        <translation>%1, класс %2</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>This room</source>
        <translation>Эта аудитория</translation>
    </message>
    <message>
        <source>All rooms (centre)</source>
        <translation>Все аудитории (центр)</translation>
    </message>
    <message>
        <source>any room</source>
        <translation>любая аудитория</translation>
    </message>
    <message>
        <source>any lecturer</source>
        <translation>любой преподаватель</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Показать</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Источник</translation>
    </message>
    <message>
        <source>From</source>
        <translation>С</translation>
    </message>
    <message>
        <source>To</source>
        <translation>По</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Аудитория</translation>
    </message>
    <message>
        <source>Lecturer</source>
        <translation>Преподаватель</translation>
    </message>
</context>
<context>
    <name>HeatmapWidget</name>
    <message>
        <source>Mon</source>
        <translation>Пн</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>Вт</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>Ср</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>Чт</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>Пт</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>Сб</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>Вс</translation>
    </message>
    <message>
        <source>Busiest: %1 hours in one weekday-hour slot</source>
        <translation>Максимум: %1 ч в одной ячейке «день недели — час»</translation>
    </message>
</context>
<context>
    <name>LecturerWorkspace</name>
    <message>
        <source>Lecturer</source>
        <translation>Лектор</translation>
    </message>
    <message>
        <source>Course</source>
        <translation>Курс</translation>
    </message>
    <message>
        <source>Today&apos;s title or topic</source>
        <translation>Тема сегодняшнего занятия</translation>
    </message>
    <message>
        <source>Scene</source>
        <translation>Сцена</translation>
    </message>
    <message>
        <source>What the room&apos;s devices do when the session starts</source>
        <translation>Что делают устройства аудитории в начале занятия</translation>
    </message>
    <message>
        <source>Switch</source>
        <translation>Применить</translation>
    </message>
    <message>
        <source>Walk the room to this scene now</source>
        <translation>Перевести аудиторию в эту сцену сейчас</translation>
    </message>
    <message>
        <source>Edit scenes…</source>
        <translation>Сцены…</translation>
    </message>
    <message>
        <source>Turn the room off at the end</source>
        <translation>Выключить аудиторию в конце</translation>
    </message>
    <message>
        <source>End session turns the room&apos;s devices off and stops the recording</source>
        <translation>«Завершить занятие» выключит устройства аудитории и остановит запись</translation>
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
        <source>Room</source>
        <translation>Аудитория</translation>
    </message>
    <message>
        <source>Students&apos; tablets</source>
        <translation>Планшеты студентов</translation>
    </message>
    <message>
        <source>Looking for the room&apos;s devices…</source>
        <translation>Ищем устройства аудитории…</translation>
    </message>
    <message>
        <source>Projectors, interactive boards, displays and cameras on this room&apos;s network appear here by themselves, with their state. Nothing needs to be set up.</source>
        <translation>Проекторы, интерактивные доски, дисплеи и камеры из сети аудитории появятся здесь сами, вместе со своим состоянием. Ничего настраивать не нужно.</translation>
    </message>
    <message>
        <source>No devices found on this network yet</source>
        <translation>В этой сети пока не найдено ни одного устройства</translation>
    </message>
    <message>
        <source>The console keeps looking. If the room&apos;s projectors and boards are on another network segment (VLAN), press “Add by address…” and enter their addresses or range.</source>
        <translation>Пульт продолжает поиск. Если проекторы и доски аудитории находятся в другом сегменте сети (VLAN), нажмите «Добавить по адресу…» и введите их адреса или диапазон.</translation>
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
        <source>Add by address…</source>
        <translation>Добавить по адресу…</translation>
    </message>
    <message>
        <source>Devices on another network segment (VLAN) are not found automatically: list them here.</source>
        <translation>Устройства из другого сегмента сети (VLAN) не находятся автоматически: перечислите их здесь.</translation>
    </message>
    <message>
        <source>Checking the addresses…</source>
        <translation>Проверяем адреса…</translation>
    </message>
    <message>
        <source>save the addresses</source>
        <translation>сохранение адресов</translation>
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
        <source>%1 found · other rooms&apos;: %2</source>
        <translation>Найдено: %1 · других аудиторий: %2</translation>
    </message>
    <message>
        <source>Lecturer&apos;s name</source>
        <translation>Имя преподавателя</translation>
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
        <source>Start session</source>
        <translation>Начать занятие</translation>
    </message>
    <message>
        <source>No scene (leave the room as it is)</source>
        <translation>Без сцены (ничего не менять)</translation>
    </message>
    <message>
        <source>switch the scene</source>
        <translation>переключить сцену</translation>
    </message>
    <message>
        <source>save the setting</source>
        <translation>сохранить настройку</translation>
    </message>
    <message>
        <source>End the session</source>
        <translation>Завершение занятия</translation>
    </message>
    <message>
        <source>End this session?</source>
        <translation>Завершить это занятие?</translation>
    </message>
    <message>
        <source>The room&apos;s devices will be turned off.</source>
        <translation>Устройства аудитории будут выключены.</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Завершить занятие</translation>
    </message>
    <message>
        <source>Keep it running</source>
        <translation>Продолжить занятие</translation>
    </message>
    <message>
        <source>start the session</source>
        <translation>начать занятие</translation>
    </message>
    <message>
        <source>end the session</source>
        <translation>завершить занятие</translation>
    </message>
    <message>
        <source>The session was saved; some devices did not turn off.</source>
        <translation>Занятие сохранено; некоторые устройства не выключились.</translation>
    </message>
    <message>
        <source>The session was saved; not everything ended cleanly.</source>
        <translation>Занятие сохранено; не всё завершилось без ошибок.</translation>
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
        <source>● LIVE %1</source>
        <translation>● В ЭФИРЕ %1</translation>
    </message>
    <message>
        <source>● REC %1</source>
        <translation>● ЗАПИСЬ %1</translation>
    </message>
    <message>
        <source>The Studio is recording</source>
        <translation>Студия ведёт запись</translation>
    </message>
    <message>
        <source>read past lecturers and courses</source>
        <translation>чтение прошлых преподавателей и курсов</translation>
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
    <name>LibraryPage</name>
    <message>
        <source>Students watch the published lectures at</source>
        <translation>Опубликованные лекции студенты смотрят по адресу</translation>
    </message>
    <message>
        <source>On the centre&apos;s network, in any browser; scan the code with a phone.</source>
        <translation>В сети центра, в любом браузере; наведите камеру телефона на код.</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Обновить</translation>
    </message>
    <message>
        <source>Lecture</source>
        <translation>Лекция</translation>
    </message>
    <message>
        <source>Course</source>
        <translation>Курс</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Аудитория</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Опубликована</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Просмотры</translation>
    </message>
    <message>
        <source>Chapters</source>
        <translation>Главы</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Размер</translation>
    </message>
    <message>
        <source>Publish</source>
        <translation>Опубликовать</translation>
    </message>
    <message>
        <source>Unpublish</source>
        <translation>Снять с публикации</translation>
    </message>
    <message>
        <source>read the centre&apos;s library</source>
        <translation>чтение библиотеки центра</translation>
    </message>
    <message>
        <source>No centre is set up. Enter the centre&apos;s address and a token under “Upload to the centre” on the Usage tab.</source>
        <translation>Центр не настроен. Укажите адрес центра и токен в разделе «Отправка в центр» на вкладке «Использование».</translation>
    </message>
    <message>
        <source>Only centre staff may publish: this console&apos;s token is a room&apos;s. Use a staff token (&apos;classroom-console centre add-staff&apos;).</source>
        <translation>Публиковать может только персонал центра, а у этой консоли токен аудитории. Используйте токен персонала (&apos;classroom-console centre add-staff&apos;).</translation>
    </message>
    <message>
        <source>The centre cannot be reached now; try again when the network is back.</source>
        <translation>Центр сейчас недоступен; повторите, когда сеть появится.</translation>
    </message>
    <message>
        <source>The centre refused the request.</source>
        <translation>Центр отклонил запрос.</translation>
    </message>
    <message>
        <source>%1, %2 published</source>
        <translation>%1, опубликовано: %2</translation>
    </message>
    <message>
        <source>The centre holds no recordings yet.</source>
        <translation>В центре пока нет записей.</translation>
    </message>
    <message>
        <source>Not published</source>
        <translation>Не опубликована</translation>
    </message>
    <message>
        <source>Arriving</source>
        <translation>Загружается</translation>
    </message>
    <message>
        <source>publish the recording</source>
        <translation>публикация записи</translation>
    </message>
    <message>
        <source>unpublish the recording</source>
        <translation>снятие записи с публикации</translation>
    </message>
</context>
<context>
    <name>Live</name>
    <message>
        <source>the server refused the connection</source>
        <translation>сервер отказал в подключении</translation>
    </message>
    <message>
        <source>the connection was lost</source>
        <translation>соединение потеряно</translation>
    </message>
    <message>
        <source>the server rejected the stream (check the key)</source>
        <translation>сервер не принял трансляцию (проверьте ключ)</translation>
    </message>
    <message>
        <source>the server did not answer</source>
        <translation>сервер не ответил</translation>
    </message>
    <message>
        <source>the server cannot be reached</source>
        <translation>сервер недоступен</translation>
    </message>
    <message>
        <source>the server&apos;s name is unknown</source>
        <translation>имя сервера не найдено</translation>
    </message>
    <message>
        <source>Not live</source>
        <translation>Не в эфире</translation>
    </message>
    <message>
        <source>LIVE · %1 Mbit/s</source>
        <translation>В ЭФИРЕ · %1 Мбит/с</translation>
    </message>
    <message>
        <source>%1 packets dropped</source>
        <translation>потеряно пакетов: %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s: %2</source>
        <translation>Повторное подключение через %1 с: %2</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Сбой: %1</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>Завершена</translation>
    </message>
</context>
<context>
    <name>LivePanel</name>
    <message>
        <source>No live destinations yet. “Add…” a YouTube, VK Video, Twitch or other RTMP server with its stream key; “On the room&apos;s network” needs none.</source>
        <translation>Адресов трансляции пока нет. «Добавить…» — YouTube, VK Видео, Twitch или другой RTMP-сервер с ключом потока; для «В сеть аудитории» адрес не нужен.</translation>
    </message>
    <message>
        <source>Go live</source>
        <translation>В эфир</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Стоп</translation>
    </message>
    <message>
        <source>On the room&apos;s network</source>
        <translation>В сеть аудитории</translation>
    </message>
    <message>
        <source>Tablets and overflow rooms watch it in a browser, no internet needed</source>
        <translation>Планшеты и соседние аудитории смотрят в браузере, без интернета</translation>
    </message>
    <message>
        <source>All live</source>
        <translation>Всё в эфир</translation>
    </message>
    <message>
        <source>Go live on every destination (the recording starts too)</source>
        <translation>Трансляция на все адреса (запись тоже начнётся)</translation>
    </message>
    <message>
        <source>Stop all</source>
        <translation>Остановить все</translation>
    </message>
    <message>
        <source>End every live stream; the recording goes on</source>
        <translation>Завершить все трансляции; запись продолжится</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Добавить…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>On the room&apos;s network: %1 (viewers: %2)</source>
        <translation>В сети аудитории: %1 (зрителей: %2)</translation>
    </message>
    <message>
        <source>Stop on the room&apos;s network</source>
        <translation>Убрать из сети аудитории</translation>
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
        <source>Settings…</source>
        <translation>Настройки…</translation>
    </message>
    <message>
        <source>The room&apos;s name and the centre connection</source>
        <translation>Название аудитории и подключение к центру</translation>
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
        <source>Sync: the centre refused this room&apos;s token</source>
        <translation>Синхронизация: центр не принял токен аудитории</translation>
    </message>
    <message>
        <source>Sync: centre unreachable · %1 waiting</source>
        <translation>Синхронизация: центр недоступен · ждут отправки: %1</translation>
    </message>
    <message>
        <source>Sync: %1% · %2/s</source>
        <translation>Синхронизация: %1% · %2/с</translation>
    </message>
    <message>
        <source>about %1 s left</source>
        <translation>осталось около %1 с</translation>
    </message>
    <message>
        <source>Sync: sending…</source>
        <translation>Синхронизация: отправка…</translation>
    </message>
    <message>
        <source>Sync: %1 waiting</source>
        <translation>Синхронизация: ждут отправки: %1</translation>
    </message>
    <message>
        <source>Sync: up to date</source>
        <translation>Синхронизация: всё отправлено</translation>
    </message>
    <message>
        <source>Sync: error at the centre (HTTP %2) · %1 waiting</source>
        <translation>Синхронизация: ошибка в центре (HTTP %2) · в очереди: %1</translation>
    </message>
    <message>
        <source>Sync: the centre is busy · %1 waiting</source>
        <translation>Синхронизация: центр занят · в очереди: %1</translation>
    </message>
    <message>
        <source>Sync: the centre&apos;s disk is full · %1 waiting</source>
        <translation>Синхронизация: диск центра заполнен · в очереди: %1</translation>
    </message>
    <message>
        <source>Sync: the connection stalled · %1 waiting</source>
        <translation>Синхронизация: связь замерла · в очереди: %1</translation>
    </message>
    <message>
        <source>Session log: %1</source>
        <translation>Журнал занятий: %1</translation>
    </message>
    <message>
        <source>save the room&apos;s name</source>
        <translation>сохранение названия аудитории</translation>
    </message>
    <message>
        <source>A session and a recording are running.</source>
        <translation>Идут занятие и запись.</translation>
    </message>
    <message>
        <source>A session is running.</source>
        <translation>Идёт занятие.</translation>
    </message>
    <message>
        <source>Closing ends the session and keeps its log.</source>
        <translation>При закрытии занятие завершится, его журнал сохранится.</translation>
    </message>
    <message>
        <source>A recording is running.</source>
        <translation>Идёт запись.</translation>
    </message>
    <message>
        <source>Closing ends the recording and keeps everything recorded so far.</source>
        <translation>При закрытии запись завершится, всё уже записанное сохранится.</translation>
    </message>
    <message>
        <source>Close the console</source>
        <translation>Закрыть пульт</translation>
    </message>
    <message>
        <source>Closing ends them and keeps everything recorded so far.</source>
        <translation>При закрытии они завершатся, всё уже записанное сохранится.</translation>
    </message>
    <message>
        <source>End and turn the room off</source>
        <translation>Завершить и выключить аудиторию</translation>
    </message>
    <message>
        <source>End and leave it on</source>
        <translation>Завершить, оставив включённой</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Session log</source>
        <translation>Журнал занятий</translation>
    </message>
    <message>
        <source>find what is wrong with the session log</source>
        <translation>выяснить, что с журналом занятий</translation>
    </message>
</context>
<context>
    <name>ParticipationText</name>
    <message>
        <source>Tablet participation: no tablets joined a session in this period.</source>
        <translation>Участие с планшетов: в этот период к занятиям не подключился ни один планшет.</translation>
    </message>
    <message>
        <source>Tablet participation: %1; joined: %2, activities: %3, answers: %4, response rate: %5.</source>
        <translation>Участие с планшетов: %1; подключились: %2, заданий: %3, ответов: %4, доля ответивших: %5.</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n занятие</numerusform>
            <numerusform>%n занятия</numerusform>
            <numerusform>%n занятий</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: joined: %2, answers: %3, response rate: %4</source>
        <translation>%1: подключились: %2, ответов: %3, доля ответивших: %4</translation>
    </message>
    <message>
        <source>(no course)</source>
        <translation>(курс не указан)</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Device password</source>
        <translation>Пароль устройства</translation>
    </message>
    <message>
        <source>Password for %1.</source>
        <translation>Пароль для «%1».</translation>
    </message>
    <message>
        <source>Use a long password (16 characters or more): a device on the network can obtain a scrambled copy of it and try to guess it.</source>
        <translation>Используйте длинный пароль (не короче 16 символов): устройство в сети может получить его зашифрованную копию и попытаться подобрать пароль.</translation>
    </message>
    <message>
        <source>Use it as this room&apos;s password</source>
        <translation>Сделать его паролем этой аудитории</translation>
    </message>
    <message>
        <source>It is tried now on this room&apos;s other %1 device(s) that ask for a password, and later on those that ask.</source>
        <translation>Он будет сразу опробован на других устройствах этой аудитории, запрашивающих пароль (%1), и позже на тех, что его запросят.</translation>
    </message>
    <message>
        <source>This room&apos;s devices that ask for a password later get it too.</source>
        <translation>Устройства этой аудитории, которые запросят пароль позже, тоже его получат.</translation>
    </message>
    <message>
        <source>Also send it to devices new to this room</source>
        <translation>Отправить его и новым для этой аудитории устройствам</translation>
    </message>
    <message>
        <source>%1 device(s) new to this room ask for a password: %2</source>
        <translation>Новые для этой аудитории устройства запрашивают пароль (%1): %2</translation>
    </message>
    <message>
        <source>and %1 more</source>
        <translation>и ещё %1</translation>
    </message>
</context>
<context>
    <name>ProjectorWindow</name>
    <message>
        <source>Classroom Console — projector</source>
        <translation>Classroom Console — проектор</translation>
    </message>
    <message>
        <source>Join on your tablet or phone</source>
        <translation>Подключайтесь с планшета или телефона</translation>
    </message>
</context>
<context>
    <name>PtzControls</name>
    <message>
        <source>Drag to pan and tilt; the further from the centre, the faster</source>
        <translation>Тяните, чтобы повернуть камеру; чем дальше от центра, тем быстрее</translation>
    </message>
    <message>
        <source>Zoom in (hold)</source>
        <translation>Приблизить (удерживайте)</translation>
    </message>
    <message>
        <source>Zoom out (hold)</source>
        <translation>Отдалить (удерживайте)</translation>
    </message>
    <message>
        <source>Back to the camera&apos;s home position</source>
        <translation>Вернуть камеру в исходное положение</translation>
    </message>
    <message>
        <source>Going home…</source>
        <translation>Возврат в исходное положение…</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Запомнить</translation>
    </message>
    <message>
        <source>Then click a number to keep the present framing there (or hold a number)</source>
        <translation>Затем нажмите номер, чтобы запомнить под ним текущий кадр (или удерживайте номер)</translation>
    </message>
    <message>
        <source>Recall “%1” (hold to store the present framing)</source>
        <translation>Перейти к «%1» (удерживайте, чтобы запомнить текущий кадр)</translation>
    </message>
    <message>
        <source>Preset %1 is empty: hold to store the present framing</source>
        <translation>Предустановка %1 пуста: удерживайте, чтобы запомнить текущий кадр</translation>
    </message>
    <message>
        <source>Zoom %1%</source>
        <translation>Зум %1%</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Зум</translation>
    </message>
    <message>
        <source>Name preset %1</source>
        <translation>Название позиции %1</translation>
    </message>
    <message>
        <source>What this preset shows, e.g. Board or Students:</source>
        <translation>Что показывает эта позиция, например «Доска» или «Студенты»:</translation>
    </message>
    <message>
        <source>Preset %1 is “%2”</source>
        <translation>Позиция %1 — «%2»</translation>
    </message>
    <message>
        <source>Going to preset %1…</source>
        <translation>Переход к предустановке %1…</translation>
    </message>
    <message>
        <source>Stored as preset %1</source>
        <translation>Запомнено как предустановка %1</translation>
    </message>
</context>
<context>
    <name>Reasons</name>
    <message>
        <source>Another device at %1 claims to be this one: check the room&apos;s network.</source>
        <translation>Устройство по адресу %1 выдаёт себя за это: проверьте сеть аудитории.</translation>
    </message>
    <message>
        <source>Another device on this network claims to be this one: check the room&apos;s network.</source>
        <translation>Другое устройство в сети выдаёт себя за это: проверьте сеть аудитории.</translation>
    </message>
    <message>
        <source>Not checked yet.</source>
        <translation>Ещё не проверено.</translation>
    </message>
    <message>
        <source>Not answering. Check that it is plugged in and on the network.</source>
        <translation>Не отвечает. Проверьте, что оно включено в розетку и подключено к сети.</translation>
    </message>
    <message>
        <source>Cannot connect to it. Check that it is on and on this network.</source>
        <translation>Не удаётся подключиться. Проверьте, что оно включено и находится в этой сети.</translation>
    </message>
    <message>
        <source>This device asks for a password.</source>
        <translation>Это устройство запрашивает пароль.</translation>
    </message>
    <message>
        <source>The password was not accepted.</source>
        <translation>Пароль не подошёл.</translation>
    </message>
    <message>
        <source>It answers in a way the console does not understand.</source>
        <translation>Устройство отвечает так, что консоль его не понимает.</translation>
    </message>
    <message>
        <source>The device reports a fault.</source>
        <translation>Устройство сообщает о неисправности.</translation>
    </message>
    <message>
        <source>It cannot do that right now (warming up, cooling down or in standby).</source>
        <translation>Сейчас это невозможно (прогрев, охлаждение или режим ожидания).</translation>
    </message>
    <message>
        <source>This device has no such function.</source>
        <translation>У этого устройства нет такой функции.</translation>
    </message>
    <message>
        <source>The device does not accept that value.</source>
        <translation>Устройство не принимает это значение.</translation>
    </message>
    <message>
        <source>The console has not reached this device yet.</source>
        <translation>Консоль ещё не связалась с этим устройством.</translation>
    </message>
    <message>
        <source>Something went wrong.</source>
        <translation>Что-то пошло не так.</translation>
    </message>
    <message>
        <source>turn on</source>
        <translation>включить</translation>
    </message>
    <message>
        <source>turn off</source>
        <translation>выключить</translation>
    </message>
    <message>
        <source>switch input</source>
        <translation>переключить вход</translation>
    </message>
    <message>
        <source>blank the picture</source>
        <translation>скрыть изображение</translation>
    </message>
    <message>
        <source>show the picture</source>
        <translation>показать изображение</translation>
    </message>
    <message>
        <source>freeze the picture</source>
        <translation>заморозить изображение</translation>
    </message>
    <message>
        <source>unfreeze the picture</source>
        <translation>разморозить изображение</translation>
    </message>
    <message>
        <source>%1: could not %2.</source>
        <translation>%1: не удалось %2.</translation>
    </message>
    <message>
        <source>Looking for devices failed; the console will try again.</source>
        <translation>Поиск устройств не удался; пульт попробует ещё раз.</translation>
    </message>
    <message>
        <source>There is a problem with the session log on this PC: sessions may not be saved.</source>
        <translation>Проблема с журналом занятий на этом компьютере: занятия могут не сохраниться.</translation>
    </message>
    <message>
        <source>The recording stopped; what was recorded is kept.</source>
        <translation>Запись остановилась; всё записанное сохранено.</translation>
    </message>
    <message>
        <source>%1 did not follow a command.</source>
        <translation>%1 не выполнило команду.</translation>
    </message>
    <message>
        <source>At %1 the encoder&apos;s process stopped answering and was replaced: the recording goes on, about %2 s are missing from it.</source>
        <translation>В %1 процесс кодировщика перестал отвечать и был заменён: запись продолжается, в ней не хватает около %2 с.</translation>
    </message>
    <message>
        <source>At %1 the encoder&apos;s process ended and was replaced: the recording goes on, about %2 s are missing from it.</source>
        <translation>В %1 процесс кодировщика завершился и был заменён: запись продолжается, в ней не хватает около %2 с.</translation>
    </message>
    <message>
        <source>The data folder %1 is read-only: sessions are not being saved. Make it writable, or start the console with another folder (--data-dir).</source>
        <translation>Папка данных %1 только для чтения: занятия не сохраняются. Разрешите запись в неё или запустите пульт с другой папкой (--data-dir).</translation>
    </message>
    <message>
        <source>The disk holding %1 is full: sessions are not being saved. Free some space (old recordings?).</source>
        <translation>Диск с папкой %1 заполнен: занятия не сохраняются. Освободите место (старые записи?).</translation>
    </message>
    <message>
        <source>The disk holding %1 failed to read or write: sessions may not be saved.</source>
        <translation>Диск с папкой %1 не смог прочитать или записать данные: занятия могут не сохраниться.</translation>
    </message>
    <message>
        <source>The session log in %1 cannot be opened: sessions are not being saved.</source>
        <translation>Журнал занятий в %1 не открывается: занятия не сохраняются.</translation>
    </message>
    <message>
        <source>The session log in %1 was written by a newer Classroom Console: update this one. Sessions are not being saved; the file was left untouched.</source>
        <translation>Журнал занятий в %1 записан более новой версией Classroom Console: обновите эту. Занятия не сохраняются; файл не тронут.</translation>
    </message>
    <message>
        <source>The session log in %1 was damaged. It was moved to %2 and kept, and a new one started; nothing was deleted.</source>
        <translation>Журнал занятий в %1 был повреждён. Он перенесён в %2 и сохранён, начат новый; ничего не удалено.</translation>
    </message>
    <message>
        <source>The data folder %1 is a file, not a folder: sessions are not being saved. Start the console with another folder (--data-dir).</source>
        <translation>Папка данных %1 — это файл, а не папка: занятия не сохраняются. Запустите пульт с другой папкой (--data-dir).</translation>
    </message>
    <message>
        <source>This user may not write to the data folder %1: sessions are not being saved. Change its permissions, or start the console with another folder (--data-dir).</source>
        <translation>У этого пользователя нет права записи в папку данных %1: занятия не сохраняются. Измените права или запустите пульт с другой папкой (--data-dir).</translation>
    </message>
    <message>
        <source>There is a problem with the session log in %1: sessions may not be saved.</source>
        <translation>Проблема с журналом занятий в %1: занятия могут не сохраниться.</translation>
    </message>
    <message numerus="yes">
        <source>The session log in %1 was damaged. It was moved to %2 and kept; a new one was started with the %n session(s) that could be read from it. Nothing was deleted.</source>
        <translation>
            <numerusform>Журнал занятий в %1 был повреждён. Он перемещён в %2 и сохранён; начат новый, в него перенесено %n занятие, которое удалось прочитать. Ничего не удалено.</numerusform>
            <numerusform>Журнал занятий в %1 был повреждён. Он перемещён в %2 и сохранён; начат новый, в него перенесено %n занятия, которые удалось прочитать. Ничего не удалено.</numerusform>
            <numerusform>Журнал занятий в %1 был повреждён. Он перемещён в %2 и сохранён; начат новый, в него перенесено %n занятий, которые удалось прочитать. Ничего не удалено.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n session(s) in it could not be read.</source>
        <translation>
            <numerusform>%n занятие в нём прочитать не удалось.</numerusform>
            <numerusform>%n занятия в нём прочитать не удалось.</numerusform>
            <numerusform>%n занятий в нём прочитать не удалось.</numerusform>
        </translation>
    </message>
    <message>
        <source>%2 is read-only: the data folder %1 cannot be made there, so sessions are not being saved. Make it writable, or start the console with another folder (--data-dir).</source>
        <translation>%2 только для чтения: папку данных %1 там не создать, поэтому занятия не сохраняются. Разрешите запись или запустите пульт с другой папкой (--data-dir).</translation>
    </message>
    <message>
        <source>%2 is a file, not a folder: the data folder %1 cannot be made in it, so sessions are not being saved. Start the console with another folder (--data-dir).</source>
        <translation>%2 — это файл, а не папка: папку данных %1 в нём не создать, поэтому занятия не сохраняются. Запустите пульт с другой папкой (--data-dir).</translation>
    </message>
    <message>
        <source>This user may not write to %2, so sessions cannot be saved in %1. Change its permissions, or start the console with another folder (--data-dir).</source>
        <translation>У этого пользователя нет права записи в %2, поэтому занятия в %1 не сохранить. Измените права или запустите пульт с другой папкой (--data-dir).</translation>
    </message>
    <message>
        <source>Type the question first.</source>
        <translation>Сначала введите вопрос.</translation>
    </message>
    <message>
        <source>An open question has no options.</source>
        <translation>У открытого вопроса нет вариантов ответа.</translation>
    </message>
    <message>
        <source>Give at least two options, one per line.</source>
        <translation>Нужно хотя бы два варианта, по одному в строке.</translation>
    </message>
    <message>
        <source>A poll has at most %1 options.</source>
        <translation>В опросе не больше %1 вариантов.</translation>
    </message>
    <message>
        <source>An option is empty.</source>
        <translation>Один из вариантов пуст.</translation>
    </message>
    <message>
        <source>Two options are the same.</source>
        <translation>Два варианта совпадают.</translation>
    </message>
    <message>
        <source>The right answer “%1” is not one of the options.</source>
        <translation>Правильного ответа «%1» нет среди вариантов.</translation>
    </message>
    <message>
        <source>A single-choice quiz has one right answer: mark only one with *.</source>
        <translation>В тесте с одним ответом правильный ответ один: отметьте * только его.</translation>
    </message>
    <message>
        <source>Not every device answered within %1 s: check that the room is off.</source>
        <translation>Не все устройства ответили за %1 с: проверьте, что аудитория выключена.</translation>
    </message>
    <message>
        <source>The recording did not stop cleanly; the details are in the log.</source>
        <translation>Запись остановилась с ошибкой; подробности в журнале.</translation>
    </message>
    <message>
        <source>The tablets could not all be told that the session ended.</source>
        <translation>Не всем планшетам удалось сообщить, что занятие окончено.</translation>
    </message>
    <message>
        <source>Something did not end cleanly; the details are in the log.</source>
        <translation>Что-то завершилось с ошибкой; подробности в журнале.</translation>
    </message>
    <message>
        <source>The session ended as the log was closing; its end was not written.</source>
        <translation>Занятие закончено, когда журнал закрывался; его конец не записан.</translation>
    </message>
    <message>
        <source>The session ended; the disk is full, so the log could not write its end.</source>
        <translation>Занятие закончено; диск заполнен, и журнал не смог записать его конец.</translation>
    </message>
    <message>
        <source>The session ended; the data folder is read-only, so the log could not write its end.</source>
        <translation>Занятие закончено; папка данных только для чтения, и журнал не смог записать его конец.</translation>
    </message>
    <message>
        <source>The session ended; the log could not write its end.</source>
        <translation>Занятие закончено; журнал не смог записать его конец.</translation>
    </message>
    <message>
        <source>The session ended, but something failed as it closed.</source>
        <translation>Занятие закончено, но при его закрытии что-то не удалось.</translation>
    </message>
    <message>
        <source>Its end may be missing from the session log.</source>
        <translation>Конца занятия может не быть в журнале.</translation>
    </message>
    <message>
        <source>What was logged is kept, and the console closes the session at its next start.</source>
        <translation>Записанное сохранено; пульт закроет занятие при следующем запуске.</translation>
    </message>
    <message>
        <source>Details: %1</source>
        <translation>Подробности: %1</translation>
    </message>
</context>
<context>
    <name>RecordingsPanel</name>
    <message>
        <source>Pick a recording and press Play.</source>
        <translation>Выберите запись и нажмите «Воспроизвести».</translation>
    </message>
    <message>
        <source>Drag to move through the recording</source>
        <translation>Перетащите, чтобы перейти к месту записи</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Воспроизвести</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Открыть папку</translation>
    </message>
    <message>
        <source>Show the recordings&apos; folder in the file manager</source>
        <translation>Показать папку с записями в файловом менеджере</translation>
    </message>
    <message>
        <source>   + per-source files: %1</source>
        <translation>   + файлов источников: %1</translation>
    </message>
    <message>
        <source>recording or interrupted</source>
        <translation>идёт запись или прервана</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Пауза</translation>
    </message>
    <message>
        <source>This recording cannot be played.</source>
        <translation>Эту запись невозможно воспроизвести.</translation>
    </message>
</context>
<context>
    <name>ReportPdf</name>
    <message>
        <source>Sessions</source>
        <translation>Занятия</translation>
    </message>
    <message>
        <source>Hours in use</source>
        <translation>Часы работы</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Аудитории</translation>
    </message>
    <message>
        <source>Recordings</source>
        <translation>Записи</translation>
    </message>
    <message>
        <source>Lamps near the end of rated life</source>
        <translation>Лампы на исходе ресурса</translation>
    </message>
    <message>
        <source>none</source>
        <translation>нет</translation>
    </message>
    <message>
        <source>Faults</source>
        <translation>Неисправности</translation>
    </message>
    <message>
        <source>Made on %1</source>
        <translation>Составлен %1</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Сводка</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>Показатель</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Значение</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>Графики</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Аудитория</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Дата</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Начало</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Конец</translation>
    </message>
    <message>
        <source>Lecturer</source>
        <translation>Преподаватель</translation>
    </message>
    <message>
        <source>Course</source>
        <translation>Курс</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Длительность</translation>
    </message>
    <message>
        <source>No sessions in this period.</source>
        <translation>За этот период занятий нет.</translation>
    </message>
    <message>
        <source>Sessions by lecturer</source>
        <translation>Занятия по преподавателям</translation>
    </message>
    <message>
        <source>Sessions by course</source>
        <translation>Занятия по курсам</translation>
    </message>
    <message>
        <source>(not given)</source>
        <translation>(не указано)</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Устройства</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Устройство</translation>
    </message>
    <message>
        <source>Hours in sessions</source>
        <translation>Часы на занятиях</translation>
    </message>
    <message>
        <source>Lamp hours</source>
        <translation>Часы лампы</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 из %2</translation>
    </message>
    <message>
        <source>No devices known.</source>
        <translation>Устройства неизвестны.</translation>
    </message>
    <message>
        <source>Faults by device</source>
        <translation>Неисправности по устройствам</translation>
    </message>
    <message>
        <source>Last</source>
        <translation>Последняя</translation>
    </message>
    <message>
        <source>No faults in this period.</source>
        <translation>За этот период неисправностей нет.</translation>
    </message>
</context>
<context>
    <name>RoomBanner</name>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) found on the network: choose which are this room&apos;s — scenes switch only those. Until then scenes, “All on” and “All off” switch every device found except those you said are another room&apos;s.</source>
        <translation>
            <numerusform>В сети найдено %n устройство: выберите, какие относятся к этой аудитории, — сцены будут переключать только их. До тех пор сцены, «Включить всё» и «Выключить всё» переключают все найденные устройства, кроме тех, что вы отнесли к другой аудитории.</numerusform>
            <numerusform>В сети найдено %n устройства: выберите, какие относятся к этой аудитории, — сцены будут переключать только их. До тех пор сцены, «Включить всё» и «Выключить всё» переключают все найденные устройства, кроме тех, что вы отнесли к другой аудитории.</numerusform>
            <numerusform>В сети найдено %n устройств: выберите, какие относятся к этой аудитории, — сцены будут переключать только их. До тех пор сцены, «Включить всё» и «Выключить всё» переключают все найденные устройства, кроме тех, что вы отнесли к другой аудитории.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) found on the network: choose which are this room&apos;s — scenes switch only those. Until then scenes, “All on” and “All off” switch every device found.</source>
        <translation>
            <numerusform>В сети найдено %n устройство: выберите, какие относятся к этой аудитории, — сцены будут переключать только их. До тех пор сцены, «Включить всё» и «Выключить всё» переключают все найденные устройства.</numerusform>
            <numerusform>В сети найдено %n устройства: выберите, какие относятся к этой аудитории, — сцены будут переключать только их. До тех пор сцены, «Включить всё» и «Выключить всё» переключают все найденные устройства.</numerusform>
            <numerusform>В сети найдено %n устройств: выберите, какие относятся к этой аудитории, — сцены будут переключать только их. До тех пор сцены, «Включить всё» и «Выключить всё» переключают все найденные устройства.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) found on the network not chosen for this room: scenes leave them alone. Choose which are this room&apos;s.</source>
        <translation>
            <numerusform>%n устройство в сети не выбрано для этой аудитории: сцены его не трогают. Выберите, какие устройства относятся к этой аудитории.</numerusform>
            <numerusform>%n устройства в сети не выбраны для этой аудитории: сцены их не трогают. Выберите, какие устройства относятся к этой аудитории.</numerusform>
            <numerusform>%n устройств в сети не выбраны для этой аудитории: сцены их не трогают. Выберите, какие устройства относятся к этой аудитории.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RoomBridge</name>
    <message>
        <source>Could not %1.</source>
        <translation>Не удалось выполнить: %1.</translation>
    </message>
    <message>
        <source>start the session</source>
        <translation>начало занятия</translation>
    </message>
    <message>
        <source>end the session</source>
        <translation>завершение занятия</translation>
    </message>
    <message>
        <source>send a command to a device</source>
        <translation>отправка команды устройству</translation>
    </message>
    <message>
        <source>check the device</source>
        <translation>проверка устройства</translation>
    </message>
    <message>
        <source>turn everything on</source>
        <translation>включение всех устройств</translation>
    </message>
    <message>
        <source>turn everything off</source>
        <translation>выключение всех устройств</translation>
    </message>
    <message>
        <source>save which devices are this room&apos;s</source>
        <translation>сохранить, какие устройства относятся к этой аудитории</translation>
    </message>
    <message>
        <source>save the password</source>
        <translation>сохранение пароля</translation>
    </message>
    <message>
        <source>save the Studio&apos;s sources and scenes</source>
        <translation>сохранение источников и сцен студии</translation>
    </message>
</context>
<context>
    <name>RoomChooser</name>
    <message>
        <source>This room&apos;s devices</source>
        <translation>Устройства этой аудитории</translation>
    </message>
    <message>
        <source>Tick the devices that are in this room. Scenes, “All on”, “All off” and the end of a session switch only the ticked ones; the others (a neighbouring room&apos;s projector found on the same network) are left alone and not asked about again. Each device&apos;s Details can change it later.</source>
        <translation>Отметьте устройства, которые находятся в этой аудитории. Сцены, «Включить всё», «Выключить всё» и конец занятия переключают только отмеченные; остальные (например, проектор соседней аудитории в той же сети) не трогаются, и о них больше не спрашивается. Изменить выбор можно потом в «Подробнее» у каждого устройства.</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Устройство</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Тип</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Адрес</translation>
    </message>
    <message>
        <source>How it was found</source>
        <translation>Как найдено</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Сейчас</translation>
    </message>
    <message>
        <source>Tick at least one device: with none ticked, scenes, “All on” and “All off” would switch nothing. Cancel to decide later.</source>
        <translation>Отметьте хотя бы одно устройство: если не отмечено ни одного, сцены, «Включить всё» и «Выключить всё» ничего не переключат. Нажмите «Отмена», чтобы решить позже.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Сохранить</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>remembered by its address (no id of its own)</source>
        <translation>запомнено по адресу (своего идентификатора нет)</translation>
    </message>
</context>
<context>
    <name>RoomSettingsDialog</name>
    <message>
        <source>Room settings</source>
        <translation>Настройки аудитории</translation>
    </message>
    <message>
        <source>Room name, as lecturers and the centre know it (e.g. “Hall 3, building B”)</source>
        <translation>Название аудитории, как его знают преподаватели и центр (например, «Зал 3, корпус Б»)</translation>
    </message>
    <message>
        <source>A room needs a name.</source>
        <translation>У аудитории должно быть название.</translation>
    </message>
    <message>
        <source>Connect to the centre…</source>
        <translation>Подключиться к центру…</translation>
    </message>
</context>
<context>
    <name>SceneBar</name>
    <message>
        <source>+ Scene</source>
        <translation>+ Сцена</translation>
    </message>
    <message>
        <source>Save the arrangement on show (layout, main picture, inset) as a studio scene, to switch back to it with one click or Alt+1…9</source>
        <translation>Сохранить то, что сейчас в программе (раскладку, главную картинку, врезку), как сцену студии, чтобы вернуться к ней одним щелчком или Alt+1…9</translation>
    </message>
    <message>
        <source>Update with the arrangement on show</source>
        <translation>Заменить тем, что сейчас в программе</translation>
    </message>
    <message>
        <source>Delete this scene</source>
        <translation>Удалить эту сцену</translation>
    </message>
    <message>
        <source>Save studio scene</source>
        <translation>Сохранить сцену студии</translation>
    </message>
    <message>
        <source>Name of the scene (e.g. Lecturer and board):</source>
        <translation>Название сцены (например, «Лектор и доска»):</translation>
    </message>
    <message>
        <source>Scene %1</source>
        <translation>Сцена %1</translation>
    </message>
</context>
<context>
    <name>SceneButton</name>
    <message>
        <source>Show the studio scene “%1” (%2). Right-click to update or delete it.</source>
        <translation>Показать сцену студии «%1» (%2). Правый щелчок — заменить или удалить её.</translation>
    </message>
</context>
<context>
    <name>SceneEditor</name>
    <message>
        <source>Scenes of this room</source>
        <translation>Сцены этой аудитории</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Копировать</translation>
    </message>
    <message>
        <source>A new scene starting from this one</source>
        <translation>Новая сцена на основе этой</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Включить</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Выключить</translation>
    </message>
    <message>
        <source>Leave as it is</source>
        <translation>Не менять</translation>
    </message>
    <message>
        <source>Show the picture</source>
        <translation>Показывать изображение</translation>
    </message>
    <message>
        <source>Blank</source>
        <translation>Затемнить</translation>
    </message>
    <message>
        <source>Preset %1</source>
        <translation>Пресет %1</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Записывать</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Остановить</translation>
    </message>
    <message>
        <source>Go live</source>
        <translation>Начать трансляцию</translation>
    </message>
    <message>
        <source>Open for joining</source>
        <translation>Открыть для подключения</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Название</translation>
    </message>
    <message>
        <source>Projectors and displays</source>
        <translation>Проекторы и дисплеи</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>Вход</translation>
    </message>
    <message>
        <source>Screen</source>
        <translation>Экран</translation>
    </message>
    <message>
        <source>Interactive boards</source>
        <translation>Интерактивные доски</translation>
    </message>
    <message>
        <source>Cameras</source>
        <translation>Камеры</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Запись</translation>
    </message>
    <message>
        <source>Live stream</source>
        <translation>Трансляция</translation>
    </message>
    <message>
        <source>Students&apos; tablets</source>
        <translation>Планшеты студентов</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Сохранить</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>The four scenes that ship cannot be deleted</source>
        <translation>Четыре встроенные сцены удалить нельзя</translation>
    </message>
    <message>
        <source>delete the scene</source>
        <translation>удалить сцену</translation>
    </message>
    <message>
        <source>save the scene</source>
        <translation>сохранить сцену</translation>
    </message>
    <message>
        <source>There is already a scene with this name.</source>
        <translation>Сцена с таким названием уже есть.</translation>
    </message>
    <message>
        <source>The scene “%1” has this name in the other language: choose another name.</source>
        <translation>Сцена «%1» называется так на другом языке: выберите другое название.</translation>
    </message>
    <message>
        <source>A scene needs a name.</source>
        <translation>У сцены должно быть название.</translation>
    </message>
    <message>
        <source>The scene could not be saved.</source>
        <translation>Сцену не удалось сохранить.</translation>
    </message>
</context>
<context>
    <name>SceneProgress</name>
    <message>
        <source>Hide</source>
        <translation>Скрыть</translation>
    </message>
    <message>
        <source>Applying “%1”…</source>
        <translation>Применяется «%1»…</translation>
    </message>
    <message>
        <source>“%1” is set: everything followed.</source>
        <translation>«%1» применена: всё выполнено.</translation>
    </message>
    <message>
        <source>“%1” is set, except: %2</source>
        <translation>«%1» применена, кроме: %2</translation>
    </message>
</context>
<context>
    <name>Scenes</name>
    <message>
        <source>Lecture</source>
        <translation>Лекция</translation>
    </message>
    <message>
        <source>Discussion</source>
        <translation>Обсуждение</translation>
    </message>
    <message>
        <source>Group work</source>
        <translation>Работа в группах</translation>
    </message>
    <message>
        <source>Recording only</source>
        <translation>Только запись</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Запись</translation>
    </message>
    <message>
        <source>Live stream</source>
        <translation>Трансляция</translation>
    </message>
    <message>
        <source>Tablets</source>
        <translation>Планшеты</translation>
    </message>
    <message>
        <source>Switching power…</source>
        <translation>Включение…</translation>
    </message>
    <message>
        <source>Switching input…</source>
        <translation>Переключение входа…</translation>
    </message>
    <message>
        <source>Setting the picture…</source>
        <translation>Настройка изображения…</translation>
    </message>
    <message>
        <source>Moving to the preset…</source>
        <translation>Переход к пресету…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Запуск…</translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation>Открытие…</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>Выполняется…</translation>
    </message>
    <message>
        <source>Power failed</source>
        <translation>Питание: ошибка</translation>
    </message>
    <message>
        <source>Did not come on</source>
        <translation>Не включилось вовремя</translation>
    </message>
    <message>
        <source>Input failed</source>
        <translation>Вход не переключён</translation>
    </message>
    <message>
        <source>Picture failed</source>
        <translation>Изображение не настроено</translation>
    </message>
    <message>
        <source>Preset failed</source>
        <translation>Пресет не выполнен</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Ошибка</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Готово</translation>
    </message>
    <message>
        <source>Left alone: not this room&apos;s</source>
        <translation>Не тронуто: не этой аудитории</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Пропущено</translation>
    </message>
    <message>
        <source>Warming up…</source>
        <translation>Прогрев…</translation>
    </message>
    <message>
        <source>Nothing to record: add a source in the Studio or connect a camera.</source>
        <translation>Нечего записывать: добавьте источник в Студии или подключите камеру.</translation>
    </message>
    <message>
        <source>No live destination is set up: add one in the Studio.</source>
        <translation>Не настроено ни одного адреса трансляции: добавьте его в Студии.</translation>
    </message>
    <message>
        <source>Not available in this console.</source>
        <translation>Недоступно в этой консоли.</translation>
    </message>
    <message>
        <source>It was asked to turn on but did not come on in time.</source>
        <translation>Команда на включение отправлена, но устройство не включилось вовремя.</translation>
    </message>
    <message>
        <source>Something went wrong; the details are in the log.</source>
        <translation>Что-то пошло не так; подробности в журнале.</translation>
    </message>
    <message>
        <source>Not chosen as this room&apos;s device: scenes leave it alone.</source>
        <translation>Не выбрано как устройство этой аудитории: сцены его не трогают.</translation>
    </message>
    <message>
        <source>%1: %2.</source>
        <translation>%1: %2.</translation>
    </message>
</context>
<context>
    <name>SourcePickers</name>
    <message>
        <source>The source shown large</source>
        <translation>Источник, показанный крупно</translation>
    </message>
    <message>
        <source>The source in the small picture (or the right half)</source>
        <translation>Источник в маленькой картинке (или в правой половине)</translation>
    </message>
    <message>
        <source>Swap the main picture and the inset</source>
        <translation>Поменять местами главную картинку и врезку</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Главный</translation>
    </message>
    <message>
        <source>Inset</source>
        <translation>Врезка</translation>
    </message>
</context>
<context>
    <name>SourcesPanel</name>
    <message>
        <source>Sources</source>
        <translation>Источники</translation>
    </message>
    <message>
        <source>Test pattern</source>
        <translation>Испытательная таблица</translation>
    </message>
    <message>
        <source>Test tone</source>
        <translation>Испытательный тон</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Микрофон</translation>
    </message>
    <message>
        <source>Screen capture</source>
        <translation>Захват экрана</translation>
    </message>
    <message>
        <source>Camera (URL)</source>
        <translation>Камера (URL)</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Добавить</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Gain</source>
        <translation>Усиление</translation>
    </message>
    <message>
        <source>Microphone gain in dB</source>
        <translation>Усиление микрофона, дБ</translation>
    </message>
    <message>
        <source>size, e.g. 1280x720</source>
        <translation>размер, напр. 1280x720</translation>
    </message>
    <message>
        <source>default microphone</source>
        <translation>микрофон по умолчанию</translation>
    </message>
    <message>
        <source>display, e.g. :0</source>
        <translation>дисплей, напр. :0</translation>
    </message>
    <message>
        <source>rtsp://, http://, /dev/video0</source>
        <translation>rtsp://, http://, /dev/video0</translation>
    </message>
    <message>
        <source>Optional: the pattern&apos;s size. Empty: the program&apos;s size.</source>
        <translation>Необязательно: размер таблицы. Пусто — размер программы.</translation>
    </message>
    <message>
        <source>A microphone from the list, or empty for the system&apos;s default one.</source>
        <translation>Микрофон из списка; пусто — микрофон системы по умолчанию.</translation>
    </message>
    <message>
        <source>Optional: the X display to capture. Empty: this one.</source>
        <translation>Необязательно: какой дисплей X снимать. Пусто — этот.</translation>
    </message>
    <message>
        <source>A camera found in the room, or its stream&apos;s address: rtsp://, http:// or /dev/video0.</source>
        <translation>Камера, найденная в аудитории, или адрес её потока: rtsp://, http:// или /dev/video0.</translation>
    </message>
    <message>
        <source>no microphone found</source>
        <translation>микрофон не найден</translation>
    </message>
    <message>
        <source>Details: %1</source>
        <translation>Подробности: %1</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>ожидание</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>запуск</translation>
    </message>
    <message>
        <source>live</source>
        <comment>a source&apos;s state: running, its pictures or sound arrive</comment>
        <translation>работает</translation>
    </message>
    <message>
        <source>lost</source>
        <translation>потерян</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>сбой</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>остановлен</translation>
    </message>
    <message>
        <source>stopped sending; trying again</source>
        <translation>перестал передавать; повторная попытка</translation>
    </message>
    <message>
        <source>cannot be opened; check its address or connection</source>
        <translation>не открывается; проверьте адрес или подключение</translation>
    </message>
    <message>
        <source>Double-click a source (or press F2) to rename it</source>
        <translation>Дважды щёлкните источник (или нажмите F2), чтобы переименовать его</translation>
    </message>
    <message>
        <source>Screen</source>
        <translation>Экран</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Камера</translation>
    </message>
</context>
<context>
    <name>StatsPanel</name>
    <message>
        <source>Encoder setting</source>
        <translation>Настройка кодировщика</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Обычная</translation>
    </message>
    <message>
        <source>Fastest (busy PC)</source>
        <translation>Быстрейшая (ПК занят)</translation>
    </message>
    <message>
        <source>Faster (busy PC)</source>
        <translation>Более быстрая (ПК занят)</translation>
    </message>
    <message>
        <source>This PC is busy: the encoder switched to a faster setting to keep every frame; the picture may be a little softer.</source>
        <translation>Компьютер занят: кодировщик перешёл на более быструю настройку, чтобы не терять кадры; изображение может быть чуть менее чётким.</translation>
    </message>
    <message>
        <source>The encoder cannot keep up and skips frames: choose a smaller output, or turn off the per-source files.</source>
        <translation>Кодировщик не успевает и пропускает кадры: выберите меньший размер выхода или отключите отдельные файлы источников.</translation>
    </message>
    <message>
        <source>The encoder cannot keep up and skips frames: choose a smaller output or a lower frame rate, or close other programs on this PC.</source>
        <translation>Кодировщик не успевает и пропускает кадры: выберите меньший размер или частоту кадров либо закройте другие программы на этом компьютере.</translation>
    </message>
    <message>
        <source>A source is not delivering its pictures in time: check its cable or network, or remove it.</source>
        <translation>Источник не успевает передавать кадры: проверьте его кабель или сеть либо удалите его.</translation>
    </message>
    <message>
        <source>Less than %1 minutes of disk space left at this bitrate; the recording will stop and be saved when it runs out.</source>
        <translation>Места на диске осталось меньше чем на %1 мин. при таком битрейте; когда оно кончится, запись остановится и сохранится.</translation>
    </message>
    <message>
        <source>Dropped at capture</source>
        <translation>Потеряно при захвате</translation>
    </message>
    <message>
        <source>over %1 days</source>
        <translation>более %1 дн.</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 ч %2 мин</translation>
    </message>
    <message>
        <source>Late at compositing</source>
        <translation>Опоздало при сведении</translation>
    </message>
    <message>
        <source>Skipped by encoder</source>
        <translation>Пропущено кодировщиком</translation>
    </message>
    <message>
        <source>Encoder fps</source>
        <translation>Кадров/с кодировщика</translation>
    </message>
    <message>
        <source>Bitrate</source>
        <translation>Битрейт</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>Размер файла</translation>
    </message>
    <message>
        <source>Free disk</source>
        <translation>Свободно на диске</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Осталось времени</translation>
    </message>
    <message>
        <source>%1 kbit/s</source>
        <translation>%1 кбит/с</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 МБ</translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1 ГБ</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 мин</translation>
    </message>
    <message>
        <source>Pictures arrive late from %1: check its cable or network, or remove it.</source>
        <translation>Кадры опаздывают: %1. Проверьте кабель или сеть источника либо уберите его.</translation>
    </message>
    <message>
        <source>The encoder cannot keep up and skips frames: turn off the per-source files, or close other programs on this PC.</source>
        <translation>Кодировщик не успевает и пропускает кадры: отключите отдельные файлы источников либо закройте другие программы на этом компьютере.</translation>
    </message>
    <message>
        <source>The encoder cannot keep up and skips frames even at the smallest output: close other programs on this PC.</source>
        <translation>Кодировщик не успевает и пропускает кадры даже при самом малом выходе: закройте другие программы на этом компьютере.</translation>
    </message>
</context>
<context>
    <name>StudioWorkspace</name>
    <message>
        <source>Studio</source>
        <translation>Студия</translation>
    </message>
    <message>
        <source>Compose cameras, the board&apos;s screen and the microphone into a recording or a live stream.</source>
        <translation>Соберите камеры, экран доски и микрофон в запись или прямую трансляцию.</translation>
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
        <translation>Кадр в кадре</translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation>Рядом</translation>
    </message>
    <message>
        <source>bottom right</source>
        <translation>внизу справа</translation>
    </message>
    <message>
        <source>bottom left</source>
        <translation>внизу слева</translation>
    </message>
    <message>
        <source>top right</source>
        <translation>вверху справа</translation>
    </message>
    <message>
        <source>top left</source>
        <translation>вверху слева</translation>
    </message>
    <message>
        <source>Where the small picture goes</source>
        <translation>Где расположить малое изображение</translation>
    </message>
    <message>
        <source>Lower third: lecturer, course (optional)</source>
        <translation>Титр: лектор, курс (необязательно)</translation>
    </message>
    <message>
        <source>Add marker</source>
        <translation>Добавить метку</translation>
    </message>
    <message>
        <source>● Record</source>
        <translation>● Запись</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Запись</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>%1p, %2 fps</source>
        <translation>%1p, %2 кадр/с</translation>
    </message>
    <message>
        <source>The recording&apos;s picture size and frame rate</source>
        <translation>Размер кадра и частота кадров записи</translation>
    </message>
    <message>
        <source>Live figures</source>
        <translation>Показатели</translation>
    </message>
    <message>
        <source>Recordings</source>
        <translation>Записи</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Эфир</translation>
    </message>
    <message>
        <source>Chapters</source>
        <translation>Главы</translation>
    </message>
    <message>
        <source>check recordings</source>
        <translation>проверка записей</translation>
    </message>
    <message>
        <source>The source was not added: %1</source>
        <translation>Источник не добавлен: %1</translation>
    </message>
    <message>
        <source>add source</source>
        <translation>добавление источника</translation>
    </message>
    <message>
        <source>«%1» is not a size; write width x height, e.g. 1280x720.</source>
        <translation>«%1» — не размер; укажите ширину x высоту, например 1280x720.</translation>
    </message>
    <message>
        <source>the size %1 is outside 16x16 to 7680x4320.</source>
        <translation>размер %1 вне пределов от 16x16 до 7680x4320.</translation>
    </message>
    <message>
        <source>the size %1 has an odd number; both must be even, e.g. 1280x720.</source>
        <translation>в размере %1 есть нечётное число; оба должны быть чётными, например 1280x720.</translation>
    </message>
    <message>
        <source>give the camera&apos;s address: rtsp://, http:// or /dev/video0.</source>
        <translation>укажите адрес камеры: rtsp://, http:// или /dev/video0.</translation>
    </message>
    <message>
        <source>this kind of source is unknown.</source>
        <translation>такой вид источника неизвестен.</translation>
    </message>
    <message>
        <source>That camera is already in the program.</source>
        <translation>Эта камера уже в программе.</translation>
    </message>
    <message>
        <source>Camera added to the program.</source>
        <translation>Камера добавлена в программу.</translation>
    </message>
    <message>
        <source>remove source</source>
        <translation>удаление источника</translation>
    </message>
    <message>
        <source>list this PC&apos;s cameras</source>
        <translation>список камер этого компьютера</translation>
    </message>
    <message>
        <source>list microphones</source>
        <translation>список микрофонов</translation>
    </message>
    <message>
        <source>change output</source>
        <translation>смена выхода</translation>
    </message>
    <message>
        <source>stop recording</source>
        <translation>остановка записи</translation>
    </message>
    <message>
        <source>start recording</source>
        <translation>начало записи</translation>
    </message>
    <message>
        <source>Not enough free disk space to record: %1 MB free in %2, at least %3 MB needed. Free some space on that disk: “Open folder” in the Recordings tab shows the recordings kept there.</source>
        <translation>Недостаточно места на диске для записи: в %2 свободно %1 МБ, нужно не меньше %3 МБ. Освободите место на этом диске: «Открыть папку» на вкладке «Записи» покажет хранящиеся там записи.</translation>
    </message>
    <message>
        <source>Recording to %1</source>
        <translation>Идёт запись в %1</translation>
    </message>
    <message>
        <source>recording</source>
        <translation>запись</translation>
    </message>
    <message>
        <source>The disk is full: the recording stopped, and %1 keeps all that was recorded (%2 s).</source>
        <translation>Диск заполнен: запись остановлена, в файле %1 сохранено всё записанное (%2 с).</translation>
    </message>
    <message>
        <source>The disk stopped answering: the recording stopped, and %1 keeps what reached the disk. The console closes it when it next starts.</source>
        <translation>Диск перестал отвечать: запись остановлена, в файле %1 сохранено то, что успело попасть на диск. Пульт закроет его при следующем запуске.</translation>
    </message>
    <message>
        <source>The encoder&apos;s process was lost %1 times within %2 minutes: the recording stopped, and %3 keeps what was recorded (%4 s). Close other programs before recording again.</source>
        <translation>Процесс кодировщика терялся %1 раза за %2 минут: запись остановлена, в %3 сохранено записанное (%4 с). Закройте другие программы, прежде чем записывать снова.</translation>
    </message>
    <message>
        <source>The encoder&apos;s process ended or stopped answering: the recording stopped, and %1 keeps what was recorded (%2 s). A new recording can start at once.</source>
        <translation>Процесс кодировщика завершился или перестал отвечать: запись остановлена, в файле %1 сохранено записанное (%2 с). Новую запись можно начать сразу.</translation>
    </message>
    <message>
        <source>The recording stopped on an error; %1 keeps what was recorded. Details: %2</source>
        <translation>Запись остановлена из-за ошибки; в файле %1 сохранено то, что успели записать. Подробности: %2</translation>
    </message>
    <message>
        <source>read the centre&apos;s address</source>
        <translation>чтение адреса центра</translation>
    </message>
    <message>
        <source>This console cannot send SRT (its FFmpeg has no SRT support): use the platform&apos;s RTMP address.</source>
        <translation>Этот пульт не может передавать SRT (в его FFmpeg нет поддержки SRT): используйте RTMP-адрес платформы.</translation>
    </message>
    <message>
        <source>That is not an RTMP or SRT address: rtmp://server/app/ and the stream key, or srt://server:port.</source>
        <translation>Это не адрес RTMP или SRT: нужен rtmp://сервер/приложение/ и ключ трансляции или srt://сервер:порт.</translation>
    </message>
    <message>
        <source>Saved %1 (%2 s); per-source files beside it: %3</source>
        <translation>Сохранено: %1 (%2 с), рядом файлы отдельных источников: %3</translation>
    </message>
    <message>
        <source>Each source in its own file too</source>
        <translation>Отдельные файлы источников</translation>
    </message>
    <message>
        <source>Also records each camera and screen into a file of its own beside the program, as lecture platforms take presenter and presentation tracks. Each file costs one more encoder&apos;s work.</source>
        <translation>Записывает каждую камеру и экран ещё и в отдельный файл рядом с программой: так платформы лекций принимают дорожки лектора и презентации. Каждый файл — работа ещё одного кодировщика.</translation>
    </message>
    <message>
        <source>Saved %1 (%2 s)</source>
        <translation>Сохранено: %1 (%2 с)</translation>
    </message>
    <message>
        <source>The encoder&apos;s process stopped answering as the recording was finishing and was ended: less than a second at the end is missing.</source>
        <translation>Процесс кодировщика перестал отвечать, когда запись заканчивалась, и был остановлен: в конце записи не хватает меньше секунды.</translation>
    </message>
    <message>
        <source>The encoder&apos;s process stopped answering as the recording was finishing and was ended: about %1 s at the end are missing.</source>
        <translation>Процесс кодировщика перестал отвечать, когда запись заканчивалась, и был остановлен: в конце записи не хватает около %1 с.</translation>
    </message>
    <message>
        <source>The encoder&apos;s process ended as the recording was finishing: less than a second at the end is missing.</source>
        <translation>Процесс кодировщика завершился, когда запись заканчивалась: в конце записи не хватает меньше секунды.</translation>
    </message>
    <message>
        <source>The encoder&apos;s process ended as the recording was finishing: about %1 s at the end are missing.</source>
        <translation>Процесс кодировщика завершился, когда запись заканчивалась: в конце записи не хватает около %1 с.</translation>
    </message>
    <message>
        <source>Marker at %1</source>
        <translation>Метка в %1</translation>
    </message>
    <message>
        <source>add marker</source>
        <translation>добавление метки</translation>
    </message>
    <message>
        <source>There is already a destination with this name.</source>
        <translation>Адрес трансляции с таким названием уже есть.</translation>
    </message>
    <message>
        <source>Give the destination a name.</source>
        <translation>Дайте адресу трансляции название.</translation>
    </message>
    <message>
        <source>add the destination</source>
        <translation>добавление адреса трансляции</translation>
    </message>
    <message>
        <source>remove the destination</source>
        <translation>удаление адреса трансляции</translation>
    </message>
    <message>
        <source>go live</source>
        <translation>выход в эфир</translation>
    </message>
    <message>
        <source>show it on the room&apos;s network</source>
        <translation>показ в сети аудитории</translation>
    </message>
    <message>
        <source>stop the live stream</source>
        <translation>остановка трансляции</translation>
    </message>
    <message>
        <source>list recordings</source>
        <translation>список записей</translation>
    </message>
    <message>
        <source>Add a source first.</source>
        <translation>Сначала добавьте источник.</translation>
    </message>
    <message>
        <source>■ Stop  %1</source>
        <translation>■ Стоп  %1</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>Раскладка</translation>
    </message>
    <message>
        <source>bring back the Studio&apos;s sources</source>
        <translation>восстановление источников студии</translation>
    </message>
    <message>
        <source>Give the scene a name.</source>
        <translation>Дайте сцене название.</translation>
    </message>
    <message>
        <source>There are already 9 studio scenes: delete one first.</source>
        <translation>Сцен студии уже 9: сначала удалите одну.</translation>
    </message>
    <message>
        <source>Studio scene “%1” saved.</source>
        <translation>Сцена студии «%1» сохранена.</translation>
    </message>
    <message>
        <source>Finishing the recording: %1 s left…</source>
        <translation>Запись завершается: осталось %1 с…</translation>
    </message>
    <message>
        <source>Finishing the recording…</source>
        <translation>Запись завершается…</translation>
    </message>
    <message>
        <source>Stop recording (%1)</source>
        <translation>Остановить запись (%1)</translation>
    </message>
    <message>
        <source>Start recording (%1)</source>
        <translation>Начать запись (%1)</translation>
    </message>
    <message>
        <source>Start a new chapter here (%1)</source>
        <translation>Начать здесь новую главу (%1)</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <source>Upload to the centre</source>
        <translation>Отправка в центр</translation>
    </message>
    <message>
        <source>https://centre.example.edu:8765</source>
        <translation>https://centre.example.edu:8765</translation>
    </message>
    <message>
        <source>this room&apos;s token</source>
        <translation>токен этой аудитории</translation>
    </message>
    <message>
        <source>Delete local recordings once the centre has confirmed them</source>
        <translation>Удалять локальные записи после подтверждения центром</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Сохранить</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Отправить сейчас</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>Ещё не отправлялось</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>Центр</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Токен</translation>
    </message>
    <message>
        <source>read the sync settings</source>
        <translation>чтение настроек синхронизации</translation>
    </message>
    <message>
        <source>read the upload queue</source>
        <translation>чтение очереди отправки</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <comment>upload queue items</comment>
        <translation>
            <numerusform>в очереди: %n</numerusform>
            <numerusform>в очереди: %n</numerusform>
            <numerusform>в очереди: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n uploaded</source>
        <comment>upload queue items</comment>
        <translation>
            <numerusform>загружено: %n</numerusform>
            <numerusform>загружено: %n</numerusform>
            <numerusform>загружено: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refused by the centre</source>
        <comment>upload queue items</comment>
        <translation>
            <numerusform>отклонено центром: %n</numerusform>
            <numerusform>отклонено центром: %n</numerusform>
            <numerusform>отклонено центром: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>Not sent: something went wrong in the console; the details are in its log.</source>
        <translation>Не отправлено: сбой в пульте; подробности — в его журнале.</translation>
    </message>
    <message>
        <source>Up to date: %1, %2.</source>
        <translation>Всё отправлено: %1, %2.</translation>
    </message>
    <message numerus="yes">
        <source>%n sent</source>
        <comment>upload items</comment>
        <translation>
            <numerusform>отправлено: %n</numerusform>
            <numerusform>отправлено: %n</numerusform>
            <numerusform>отправлено: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refused</source>
        <comment>upload items</comment>
        <translation>
            <numerusform>отклонено: %n</numerusform>
            <numerusform>отклонено: %n</numerusform>
            <numerusform>отклонено: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) wait to be sent.</source>
        <translation>
            <numerusform>В очереди на отправку: %n.</numerusform>
            <numerusform>В очереди на отправку: %n.</numerusform>
            <numerusform>В очереди на отправку: %n.</numerusform>
        </translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>“%1” is not a centre&apos;s address: give it as http(s)://HOST[:PORT], e.g. https://centre.example.edu:8765. Nothing was saved or sent.</source>
        <translation>«%1» — не адрес центра: укажите его в виде http(s)://ХОСТ[:ПОРТ], например https://centre.example.edu:8765. Ничего не сохранено и не отправлено.</translation>
    </message>
    <message>
        <source>Not sent: enter the centre&apos;s address and this room&apos;s token first.</source>
        <translation>Не отправлено: сначала введите адрес центра и токен этой аудитории.</translation>
    </message>
    <message>
        <source>Not sent: the centre refused this room&apos;s token (%1). Ask centre staff for the right one.</source>
        <translation>Не отправлено: центр отклонил токен этой аудитории (%1). Попросите правильный токен у сотрудников центра.</translation>
    </message>
    <message>
        <source>Not sent: the connection to the centre stalled; what arrived is kept for the next try.</source>
        <translation>Не отправлено: связь с центром замерла; то, что дошло, сохранено для следующей попытки.</translation>
    </message>
    <message>
        <source>Not sent: the centre is busy (%1); it will be tried again later.</source>
        <translation>Не отправлено: центр занят (%1); отправка повторится позже.</translation>
    </message>
    <message>
        <source>Not sent: the centre&apos;s disk is full (%1). Tell centre staff.</source>
        <translation>Не отправлено: диск центра заполнен (%1). Сообщите сотрудникам центра.</translation>
    </message>
    <message>
        <source>Not sent: the centre had an error (%1). It will be tried again later; if it goes on, tell centre staff.</source>
        <translation>Не отправлено: в центре произошла ошибка (%1). Отправка повторится позже; если ошибка не пройдёт, сообщите сотрудникам центра.</translation>
    </message>
    <message>
        <source>Not sent: the address answers with a redirect (%1). Give the centre&apos;s own address.</source>
        <translation>Не отправлено: этот адрес отвечает перенаправлением (%1). Укажите собственный адрес центра.</translation>
    </message>
    <message>
        <source>Not sent: something answers at this address, but not as a centre does. Check the address.</source>
        <translation>Не отправлено: по этому адресу что-то отвечает, но не так, как центр. Проверьте адрес.</translation>
    </message>
    <message>
        <source>Not sent: the centre took the bytes but kept none; it will be tried again later.</source>
        <translation>Не отправлено: центр принял данные, но ничего не сохранил; отправка повторится позже.</translation>
    </message>
    <message>
        <source>Not sent: the centre refused it (%1).</source>
        <translation>Не отправлено: центр отказался это принять (%1).</translation>
    </message>
    <message>
        <source>Not sent: the centre cannot be reached. Check its address and the network; it will be tried again later.</source>
        <translation>Не отправлено: нет связи с центром. Проверьте его адрес и сеть; отправка повторится позже.</translation>
    </message>
    <message>
        <source>Not sent: something went wrong; the details are in the console&apos;s log.</source>
        <translation>Не отправлено: что-то пошло не так; подробности — в журнале пульта.</translation>
    </message>
    <message>
        <source>, about %1 left</source>
        <translation>, осталось около %1</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Сохранено.</translation>
    </message>
    <message>
        <source>save the sync settings</source>
        <translation>сохранение настроек синхронизации</translation>
    </message>
    <message>
        <source>The session log is not open, so there is nothing to send.</source>
        <translation>Журнал занятий не открыт, отправлять нечего.</translation>
    </message>
    <message>
        <source>Connecting to the centre…</source>
        <translation>Подключение к центру…</translation>
    </message>
    <message>
        <source>send to the centre</source>
        <translation>отправка в центр</translation>
    </message>
    <message>
        <source>The centre refused this room&apos;s token. Ask centre staff for the right one.</source>
        <translation>Центр отклонил токен этой аудитории. Попросите правильный токен у сотрудников центра.</translation>
    </message>
    <message>
        <source>Sending a recording: %1 of %2 at %3/s%4</source>
        <translation>Отправка записи: %1 из %2, %3/с%4</translation>
    </message>
    <message>
        <source>Sending sessions…</source>
        <translation>Отправка занятий…</translation>
    </message>
</context>
</TS>
