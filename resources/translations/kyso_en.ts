<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AuditWindow</name>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n event</numerusform>
            <numerusform>%n events</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BatchConfirmDialog</name>
    <message numerus="yes">
        <source>%n document(s), %1, level %2</source>
        <translation>
            <numerusform>%n document, %1, level %2</numerusform>
            <numerusform>%n documents, %1, level %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message numerus="yes">
        <source>%n event(s) shown by the current filters will be exported.</source>
        <translation>
            <numerusform>%n event shown by the current filters will be exported.</numerusform>
            <numerusform>%n events shown by the current filters will be exported.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Checking %n document(s)…</source>
        <translation>
            <numerusform>Checking %n document…</numerusform>
            <numerusform>Checking %n documents…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message numerus="yes">
        <source>Log not sent: %n event(s) waiting</source>
        <translation>
            <numerusform>Log not sent: %n event waiting</numerusform>
            <numerusform>Log not sent: %n events waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) waiting to be sent</source>
        <translation>
            <numerusform>%n event waiting to be sent</numerusform>
            <numerusform>%n events waiting to be sent</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TokenStatusWidget</name>
    <message numerus="yes">
        <source>certificate expires in %n day(s)</source>
        <translation>
            <numerusform>certificate expires in %n day</numerusform>
            <numerusform>certificate expires in %n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) inserted</source>
        <translation>
            <numerusform>%n token inserted</numerusform>
            <numerusform>%n tokens inserted</numerusform>
        </translation>
    </message>
</context>
</TS>
