<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>HouseholdTableModel</name>
    <message>
        <location filename="../../ui/main.py" line="54"/>
        <source>Household no.</source>
        <translation>户号</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="54"/>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="54"/>
        <source>Members</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="54"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="54"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="56"/>
        <source>Needs you</source>
        <translation>需处理</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="56"/>
        <source>Waiting</source>
        <translation>待上传</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="59"/>
        <source>A change to this household or a member was not taken by the township server: see Needs attention</source>
        <translation>本户或其成员的修改未被乡镇服务器接受，请在“需要处理”中查看</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="61"/>
        <source>Changes to this household or its members wait to be sent</source>
        <translation>本户或其成员有修改等待上传</translation>
    </message>
</context>
<context>
    <name>InboxDialog</name>
    <message>
        <location filename="../../ui/inbox.py" line="51"/>
        <location filename="../../ui/inbox.py" line="208"/>
        <source>Needs attention</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="59"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="59"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="59"/>
        <source>This laptop</source>
        <translation>本机</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="59"/>
        <source>Township server</source>
        <translation>乡镇服务器</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="60"/>
        <source>Why</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="72"/>
        <source>Keep this laptop&apos;s value</source>
        <translation>保留本机的值</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="73"/>
        <source>Keep the server&apos;s value</source>
        <translation>保留服务器的值</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="74"/>
        <source>Merge…</source>
        <translation>合并…</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="75"/>
        <source>Acknowledge</source>
        <translation>知道了</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="112"/>
        <source>%1 changes were not taken by the township server. Compare the values and choose which to keep; what this laptop saved is never lost.</source>
        <translation>有 %1 条修改未被乡镇服务器接受。请对比两边的值，选择保留哪一个；本机已保存的内容不会丢失。</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="118"/>
        <source>Nothing needs attention: every change was taken or is waiting to go.</source>
        <translation>没有需要处理的修改：所有修改都已被接受或正在等待上传。</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="143"/>
        <source>Not taken</source>
        <translation>未被接受</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="192"/>
        <source>%1 of %2
This laptop: %3
Township server: %4
Value to keep:</source>
        <translation>%2的%1
本机：%3
乡镇服务器：%4
要保留的值：</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="196"/>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main.py" line="134"/>
        <source>GridDesk — grid ledger</source>
        <translation>网格台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="158"/>
        <source>User: %1</source>
        <translation>用户：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="159"/>
        <source>Profile: %1</source>
        <translation>配置：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="190"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="191"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="195"/>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="196"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="201"/>
        <source>&amp;Sync</source>
        <translation>同步(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="202"/>
        <source>Sync &amp;now</source>
        <translation>立即同步(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="207"/>
        <source>Needs &amp;attention…</source>
        <translation>需要处理(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="214"/>
        <location filename="../../ui/main.py" line="244"/>
        <location filename="../../ui/main.py" line="247"/>
        <source>Sync: %1</source>
        <translation>同步：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="216"/>
        <source>Click to see the changes that need attention</source>
        <translation>点击查看需要处理的修改</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="223"/>
        <source>A sync is already running.</source>
        <translation>同步正在进行中，请稍候。</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="227"/>
        <source>This laptop is not enrolled with the township server yet: ask the township for an enrolment code (griddesk enrol).</source>
        <translation>本机尚未登记到乡镇服务器：请向乡镇信息员索取登记码（griddesk enrol）。</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="270"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="270"/>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="270"/>
        <source>People</source>
        <translation>人数</translation>
    </message>
</context>
<context>
    <name>unlock</name>
    <message>
        <location filename="../../ui/main.py" line="309"/>
        <source>Passphrase for the ledger in %1:</source>
        <translation>请输入 %1 中台账的口令：</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="314"/>
        <source>Unlock ledger</source>
        <translation>打开台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="326"/>
        <source>Cannot open ledger</source>
        <translation>无法打开台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="342"/>
        <source>No ledger yet</source>
        <translation>尚无台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="343"/>
        <source>There is no ledger in %1 yet. Create a demo township with: griddesk --profile DIR demo</source>
        <translation>%1 中还没有台账。可用以下命令创建演示乡镇：griddesk --profile 目录 demo</translation>
    </message>
</context>
</TS>
