<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CentreFormat</name>
    <message numerus="yes">
        <source>%n s</source>
        <comment>seconds</comment>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <comment>minutes</comment>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n recording(s)</source>
        <translation>
            <numerusform>%n recording</numerusform>
            <numerusform>%n recordings</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CentreWorkspace</name>
    <message numerus="yes">
        <source>session(s) logged</source>
        <translation>
            <numerusform>session logged</numerusform>
            <numerusform>sessions logged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>device(s) known</source>
        <translation>
            <numerusform>device known</numerusform>
            <numerusform>devices known</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>event(s) recorded</source>
        <translation>
            <numerusform>event recorded</numerusform>
            <numerusform>events recorded</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>recording(s)</source>
        <translation>
            <numerusform>recording</numerusform>
            <numerusform>recordings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n recording(s)</source>
        <translation>
            <numerusform>%n recording</numerusform>
            <numerusform>%n recordings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> and %n more</source>
        <translation>
            <numerusform> and %n more</numerusform>
            <numerusform> and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChaptersPanel</name>
    <message numerus="yes">
        <source>%n chapter(s). Double-click one to rename it.</source>
        <translation>
            <numerusform>%n chapter. Double-click it to rename it.</numerusform>
            <numerusform>%n chapters. Double-click one to rename it.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ParticipationText</name>
    <message numerus="yes">
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n session</numerusform>
            <numerusform>%n sessions</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Reasons</name>
    <message numerus="yes">
        <source>The session log in %1 was damaged. It was moved to %2 and kept; a new one was started with the %n session(s) that could be read from it. Nothing was deleted.</source>
        <translation>
            <numerusform>The session log in %1 was damaged. It was moved to %2 and kept; a new one was started with the %n session that could be read from it. Nothing was deleted.</numerusform>
            <numerusform>The session log in %1 was damaged. It was moved to %2 and kept; a new one was started with the %n sessions that could be read from it. Nothing was deleted.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n session(s) in it could not be read.</source>
        <translation>
            <numerusform>%n session in it could not be read.</numerusform>
            <numerusform>%n sessions in it could not be read.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RoomBanner</name>
    <message numerus="yes">
        <source>%n device(s) found on the network: choose which are this room&apos;s — scenes switch only those. Until then scenes, “All on” and “All off” switch every device found except those you said are another room&apos;s.</source>
        <translation>
            <numerusform>%n device found on the network: choose which are this room&apos;s — scenes switch only those. Until then scenes, “All on” and “All off” switch every device found except those you said are another room&apos;s.</numerusform>
            <numerusform>%n devices found on the network: choose which are this room&apos;s — scenes switch only those. Until then scenes, “All on” and “All off” switch every device found except those you said are another room&apos;s.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) found on the network: choose which are this room&apos;s — scenes switch only those. Until then scenes, “All on” and “All off” switch every device found.</source>
        <translation>
            <numerusform>%n device found on the network: choose which are this room&apos;s — scenes switch only those. Until then scenes, “All on” and “All off” switch every device found.</numerusform>
            <numerusform>%n devices found on the network: choose which are this room&apos;s — scenes switch only those. Until then scenes, “All on” and “All off” switch every device found.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) found on the network not chosen for this room: scenes leave them alone. Choose which are this room&apos;s.</source>
        <translation>
            <numerusform>%n device found on the network is not chosen for this room: scenes leave it alone. Choose which are this room&apos;s.</numerusform>
            <numerusform>%n devices found on the network are not chosen for this room: scenes leave them alone. Choose which are this room&apos;s.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message numerus="yes">
        <source>%n waiting</source>
        <comment>upload queue items</comment>
        <translation>
            <numerusform>%n waiting</numerusform>
            <numerusform>%n waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n uploaded</source>
        <comment>upload queue items</comment>
        <translation>
            <numerusform>%n uploaded</numerusform>
            <numerusform>%n uploaded</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refused by the centre</source>
        <comment>upload queue items</comment>
        <translation>
            <numerusform>%n refused by the centre</numerusform>
            <numerusform>%n refused by the centre</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) wait to be sent.</source>
        <translation>
            <numerusform>%n item waits to be sent.</numerusform>
            <numerusform>%n items wait to be sent.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n sent</source>
        <comment>upload items</comment>
        <translation>
            <numerusform>%n sent</numerusform>
            <numerusform>%n sent</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refused</source>
        <comment>upload items</comment>
        <translation>
            <numerusform>%n refused</numerusform>
            <numerusform>%n refused</numerusform>
        </translation>
    </message>
</context>
</TS>
