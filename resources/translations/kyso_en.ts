<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>BatchConfirmDialog</name>
    <message numerus="yes">
        <source>%n document(s), %1, level %2</source>
        <translation><numerusform>%n document, %1, level %2</numerusform><numerusform>%n documents, %1, level %2</numerusform></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Checking %n document(s)…</source>
        <translation><numerusform>Checking %n document…</numerusform><numerusform>Checking %n documents…</numerusform></translation>
    </message>
</context>
<context>
    <name>TokenStatusWidget</name>
    <message numerus="yes">
        <source>certificate expires in %n day(s)</source>
        <translation><numerusform>certificate expires in %n day</numerusform><numerusform>certificate expires in %n days</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) inserted</source>
        <translation><numerusform>%n token inserted</numerusform><numerusform>%n tokens inserted</numerusform></translation>
    </message>
</context>
</TS>