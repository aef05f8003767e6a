<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>HouseholdTableModel</name>
    <message>
        <location filename="../../ui/main.py" line="42"/>
        <source>Household no.</source>
        <translation>户号</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="42"/>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="42"/>
        <source>Members</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="42"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main.py" line="63"/>
        <source>GridDesk — grid ledger</source>
        <translation>网格台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="85"/>
        <source>User: %1</source>
        <translation>用户：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="86"/>
        <source>Profile: %1</source>
        <translation>配置：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="101"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="102"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="106"/>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="107"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="116"/>
        <source>Sync: %1</source>
        <translation>同步：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="123"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="123"/>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="123"/>
        <source>People</source>
        <translation>人数</translation>
    </message>
</context>
<context>
    <name>unlock</name>
    <message>
        <location filename="../../ui/main.py" line="159"/>
        <source>Passphrase for the ledger in %1:</source>
        <translation>请输入 %1 中台账的口令：</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="164"/>
        <source>Unlock ledger</source>
        <translation>打开台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="176"/>
        <source>Cannot open ledger</source>
        <translation>无法打开台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="192"/>
        <source>No ledger yet</source>
        <translation>尚无台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="193"/>
        <source>There is no ledger in %1 yet. Create a demo township with: griddesk --profile DIR demo</source>
        <translation>%1 中还没有台账。可用以下命令创建演示乡镇：griddesk --profile 目录 demo</translation>
    </message>
</context>
</TS>
