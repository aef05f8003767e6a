<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BadgedTableModel</name>
    <message>
        <location filename="../../ui/models/lists.py" line="116"/>
        <source>Needs you</source>
        <translation>需处理</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="117"/>
        <source>Waiting</source>
        <translation>待上传</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="120"/>
        <source>A change to this record was not taken by the township server: see Needs attention</source>
        <translation>此记录的修改未被乡镇服务器接受，请在“需要处理”中查看</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="124"/>
        <source>Changes to this record wait to be sent</source>
        <translation>此记录有修改等待上传</translation>
    </message>
</context>
<context>
    <name>CoverageDialog</name>
    <message>
        <location filename="../../ui/coverage.py" line="165"/>
        <source>Grid coverage</source>
        <translation>网格覆盖情况</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="181"/>
        <source>Export to Excel…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="222"/>
        <source>Grids (%1)</source>
        <translation>网格（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="224"/>
        <source>Households in no grid (%1)</source>
        <translation>未划入网格的户（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="227"/>
        <source>Grids missing posts (%1)</source>
        <translation>缺岗网格（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="235"/>
        <source>%1 grids: %2 below their household band, %3 within it, %4 above it. %5 households, %6 of them in no grid. %7 grids lack a staff post.</source>
        <translation>共 %1 个网格：户数低于标准 %2 个，符合标准 %3 个，超出标准 %4 个。共 %5 户，其中 %6 户未划入网格。%7 个网格缺少岗位人员。</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="245"/>
        <source>grid-coverage</source>
        <translation>网格覆盖情况</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="248"/>
        <source>Export grid coverage</source>
        <translation>导出网格覆盖情况</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="248"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="258"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="260"/>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
</context>
<context>
    <name>DateEdit</name>
    <message>
        <location filename="../../ui/widgets.py" line="352"/>
        <source>yyyy-mm-dd</source>
        <translation>年-月-日</translation>
    </message>
</context>
<context>
    <name>GridCoverageModel</name>
    <message>
        <location filename="../../ui/coverage.py" line="95"/>
        <source>Grid code</source>
        <translation>网格代码</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="95"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="95"/>
        <source>Village/community</source>
        <translation>所属村（社区）</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="95"/>
        <source>Urban/rural</source>
        <translation>城乡</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="96"/>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="96"/>
        <source>People</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="96"/>
        <source>Band</source>
        <translation>标准户数</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="96"/>
        <source>Size</source>
        <translation>户数情况</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="96"/>
        <source>Missing posts</source>
        <translation>缺少岗位</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="98"/>
        <source>Urban</source>
        <translation>城市</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="98"/>
        <source>Rural</source>
        <translation>农村</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="100"/>
        <source>Below the band</source>
        <translation>低于标准</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="101"/>
        <source>Within the band</source>
        <translation>符合标准</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="102"/>
        <source>Above the band</source>
        <translation>超出标准</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="120"/>
        <source>%1 households: fewer than the %2 a grid of this kind should hold</source>
        <translation>%1 户：少于此类网格应有的 %2 户</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="122"/>
        <source>%1 households: more than the %2 a grid of this kind should hold</source>
        <translation>%1 户：多于此类网格应有的 %2 户</translation>
    </message>
</context>
<context>
    <name>GridPicker</name>
    <message>
        <location filename="../../ui/household_editor.py" line="143"/>
        <source>Move to another grid</source>
        <translation>迁移到其他网格</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="169"/>
        <source>Move</source>
        <translation>迁移</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="170"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>HouseholdEditor</name>
    <message>
        <location filename="../../ui/household_editor.py" line="201"/>
        <source>numbered automatically</source>
        <translation>自动编号</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="207"/>
        <source>Living where registered</source>
        <translation>人户一致</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="213"/>
        <source>Household &amp;no.:</source>
        <translation>户号(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="213"/>
        <source>Household &amp;type:</source>
        <translation>户别(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="214"/>
        <source>&amp;Group / estate:</source>
        <translation>组/小区(&amp;G)：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="214"/>
        <source>&amp;Door no.:</source>
        <translation>门牌号(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="215"/>
        <source>&amp;Address:</source>
        <translation>地址(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="215"/>
        <source>&amp;Phone:</source>
        <translation>联系电话(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="216"/>
        <source>T&amp;ags:</source>
        <translation>户标签(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="216"/>
        <source>&amp;Note:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="242"/>
        <location filename="../../ui/household_editor.py" line="275"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="243"/>
        <location filename="../../ui/household_editor.py" line="276"/>
        <source>Relation to head</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="244"/>
        <location filename="../../ui/household_editor.py" line="277"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="245"/>
        <location filename="../../ui/household_editor.py" line="278"/>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="246"/>
        <location filename="../../ui/household_editor.py" line="279"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="252"/>
        <source>Members (Tab moves across; relation 02 户主 marks the head):</source>
        <translation>户成员（按 Tab 逐格填写；与户主关系填 02 户主 即为户主）：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="260"/>
        <source>Make this member the &amp;head</source>
        <translation>设为户主(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="295"/>
        <source>&amp;Open person</source>
        <translation>打开人员(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="296"/>
        <source>Add &amp;member…</source>
        <translation>新增成员(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="297"/>
        <source>Set as &amp;head</source>
        <translation>设为户主(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="298"/>
        <source>Change &amp;relation…</source>
        <translation>修改关系(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="299"/>
        <source>Move to another &amp;household…</source>
        <translation>迁往其他户(&amp;U)…</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="300"/>
        <source>&amp;Split into a new household…</source>
        <translation>分户(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="301"/>
        <source>Merge another household &amp;in…</source>
        <translation>合户(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="302"/>
        <source>Move household to another &amp;grid…</source>
        <translation>迁移到其他网格(&amp;G)…</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="312"/>
        <source>Household and &amp;members</source>
        <translation>户信息与成员(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="315"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="315"/>
        <source>Change</source>
        <translation>变动类型</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="315"/>
        <source>Details</source>
        <translation>变动内容</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="318"/>
        <source>&amp;History</source>
        <translation>户变动历史(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="376"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="378"/>
        <source>Row %1</source>
        <translation>第%1行</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="458"/>
        <source>%1 members</source>
        <translation>%1 名成员</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="465"/>
        <source>Member moved in</source>
        <translation>成员迁入</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="466"/>
        <source>Member moved out</source>
        <translation>成员迁出</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="467"/>
        <source>Head changed</source>
        <translation>变更户主</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="468"/>
        <location filename="../../ui/household_editor.py" line="742"/>
        <source>Split</source>
        <translation>分户</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="469"/>
        <source>Split off from another household</source>
        <translation>由他户分出</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="470"/>
        <source>Merged another household in</source>
        <translation>合户（他户并入本户）</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="471"/>
        <source>Merged into another household</source>
        <translation>合户（并入他户后注销）</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="472"/>
        <source>Moved to another grid</source>
        <translation>迁移网格</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="520"/>
        <source>Household %1</source>
        <translation>户 %1</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="520"/>
        <source>(new)</source>
        <translation>（新户）</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="524"/>
        <source>New household</source>
        <translation>登记新户</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="544"/>
        <source>New household, grid: choose a grid on the left before registering a household.</source>
        <translation>新登记的户的所属网格：请先在左侧选择网格再登记户。</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="592"/>
        <source>Select a member first.</source>
        <translation>请先选择一位成员。</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="596"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="634"/>
        <source>Make %1 the head of this household?</source>
        <translation>将 %1 设为本户户主？</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="641"/>
        <source>head of %1</source>
        <translation>户 %1 的户主</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="652"/>
        <source>Change relation</source>
        <translation>修改与户主关系</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="652"/>
        <source>Relation of %1 to the head:</source>
        <translation>%1 与户主的关系：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="681"/>
        <source>Household number (or part of it):</source>
        <translation>户号（可输入部分）：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="686"/>
        <source>No household number contains “%1”.</source>
        <translation>没有户号包含“%1”的户。</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="689"/>
        <source>Household:</source>
        <translation>户：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="700"/>
        <source>Move %1 to household</source>
        <translation>将 %1 迁往其他户</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="707"/>
        <source>Relation</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="708"/>
        <source>Relation to the new head:</source>
        <translation>与新户主的关系：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="719"/>
        <source>Move %1 to household %2?</source>
        <translation>将 %1 迁入户 %2？</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="737"/>
        <source>Select the members to split off first.</source>
        <translation>请先选择要分出的成员。</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="742"/>
        <source>Head of the new household:</source>
        <translation>新户户主：</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="748"/>
        <source>Split %1 into a new household?</source>
        <translation>将 %1 分出为新户？</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="755"/>
        <source>split of %1</source>
        <translation>户 %1 分户</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="758"/>
        <source>Merge a household into this one</source>
        <translation>合户：将其他户并入本户</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="765"/>
        <source>Merge household %1 into this one? Its members join this household and it is closed.</source>
        <translation>将户 %1 并入本户？其成员将迁入本户，原户注销。</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="773"/>
        <source>merge into %1</source>
        <translation>合户到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="787"/>
        <source>Move this household and its members to %1?</source>
        <translation>将本户及其成员迁移到“%1”？</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="793"/>
        <source>grid of %1</source>
        <translation>户 %1 的网格</translation>
    </message>
</context>
<context>
    <name>HouseholdTableModel</name>
    <message>
        <location filename="../../ui/models/lists.py" line="181"/>
        <source>Household no.</source>
        <translation>户号</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="181"/>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="181"/>
        <source>Members</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="181"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="181"/>
        <source>Tags</source>
        <translation>户标签</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="182"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="186"/>
        <source>A change to this household or a member was not taken by the township server: see Needs attention</source>
        <translation>本户或其成员的修改未被乡镇服务器接受，请在“需要处理”中查看</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="188"/>
        <source>Changes to this household or its members wait to be sent</source>
        <translation>本户或其成员有修改等待上传</translation>
    </message>
</context>
<context>
    <name>IdNumberEdit</name>
    <message>
        <location filename="../../ui/widgets.py" line="391"/>
        <source>18-digit ID number</source>
        <translation>18位身份证号</translation>
    </message>
</context>
<context>
    <name>InboxDialog</name>
    <message>
        <location filename="../../ui/inbox.py" line="51"/>
        <location filename="../../ui/inbox.py" line="211"/>
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
        <location filename="../../ui/inbox.py" line="75"/>
        <source>Keep this laptop&apos;s value</source>
        <translation>保留本机的值</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="76"/>
        <source>Keep the server&apos;s value</source>
        <translation>保留服务器的值</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="77"/>
        <source>Merge…</source>
        <translation>合并…</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="78"/>
        <source>Acknowledge</source>
        <translation>知道了</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="115"/>
        <source>%1 changes were not taken by the township server. Compare the values and choose which to keep; what this laptop saved is never lost.</source>
        <translation>有 %1 条修改未被乡镇服务器接受。请对比两边的值，选择保留哪一个；本机已保存的内容不会丢失。</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="121"/>
        <source>Nothing needs attention: every change was taken or is waiting to go.</source>
        <translation>没有需要处理的修改：所有修改都已被接受或正在等待上传。</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="146"/>
        <source>Not taken</source>
        <translation>未被接受</translation>
    </message>
    <message>
        <location filename="../../ui/inbox.py" line="195"/>
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
        <location filename="../../ui/inbox.py" line="199"/>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main.py" line="188"/>
        <source>GridDesk — grid ledger</source>
        <translation>网格台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="199"/>
        <source>Filter by household no., head, address or tag</source>
        <translation>按户号、户主、地址或户标签筛选</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="202"/>
        <source>Filter by name, pinyin initials or last digits of ID</source>
        <translation>按姓名、拼音首字母或身份证号后几位筛选</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="204"/>
        <source>Filter by name, address, owner or kind</source>
        <translation>按名称、地址、房主/负责人或场所类型筛选</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="206"/>
        <source>Filter by name, person in charge or kind</source>
        <translation>按名称、负责人或组织类别筛选</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="231"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="238"/>
        <source>User: %1</source>
        <translation>用户：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="239"/>
        <source>Profile: %1</source>
        <translation>配置：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="282"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="285"/>
        <source>New &amp;household…</source>
        <translation>新建户(&amp;H)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="288"/>
        <source>New &amp;person…</source>
        <translation>新建人员(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="290"/>
        <source>New p&amp;lace…</source>
        <translation>新建场所(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="292"/>
        <source>New &amp;organisation…</source>
        <translation>新建组织(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="298"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="300"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="303"/>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="309"/>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="311"/>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="312"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="316"/>
        <source>&amp;Households</source>
        <translation>户(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="317"/>
        <source>&amp;People</source>
        <translation>人员(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="318"/>
        <source>P&amp;laces</source>
        <translation>场所(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="319"/>
        <source>&amp;Organisations</source>
        <translation>组织(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="330"/>
        <source>&amp;Sync</source>
        <translation>同步(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="332"/>
        <source>Sync &amp;now</source>
        <translation>立即同步(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="334"/>
        <source>Needs &amp;attention…</source>
        <translation>需要处理(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="336"/>
        <source>&amp;Reports</source>
        <translation>报表(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="337"/>
        <source>Grid &amp;coverage…</source>
        <translation>网格覆盖情况(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="338"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="340"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="343"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="344"/>
        <source>&amp;About GridDesk</source>
        <translation>关于网格台账(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="436"/>
        <source>About GridDesk</source>
        <translation>关于网格台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="438"/>
        <source>GridDesk %1
The grid ledger for village and community grid workers: households, people, places, organisations, kept on this laptop (encrypted) and synced with the township server.</source>
        <translation>网格台账 %1
供村（社区）网格员使用的网格台账：户、人员、场所、组织，加密保存在本机，并与乡镇服务器同步。</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="447"/>
        <location filename="../../ui/main.py" line="477"/>
        <location filename="../../ui/main.py" line="480"/>
        <source>Sync: %1</source>
        <translation>同步：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="449"/>
        <source>Click to see the changes that need attention</source>
        <translation>点击查看需要处理的修改</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="456"/>
        <source>A sync is already running.</source>
        <translation>同步正在进行中，请稍候。</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="460"/>
        <source>This laptop is not enrolled with the township server yet: ask the township for an enrolment code (griddesk enrol).</source>
        <translation>本机尚未登记到乡镇服务器：请向乡镇信息员索取登记码（griddesk enrol）。</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="510"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="510"/>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="510"/>
        <source>People</source>
        <translation>人数</translation>
    </message>
</context>
<context>
    <name>MemberRow</name>
    <message>
        <location filename="../../ui/household_editor.py" line="109"/>
        <source>Person “%1”</source>
        <translation>人员“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="109"/>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../../ui/household_editor.py" line="112"/>
        <source>%1, birth date: “%2” is not a date; type it like 1980-03-05.</source>
        <translation>%1的出生日期：“%2”不是有效日期，请按 1980-03-05 的格式输入。</translation>
    </message>
</context>
<context>
    <name>MissingPostsModel</name>
    <message>
        <location filename="../../ui/coverage.py" line="148"/>
        <source>Grid code</source>
        <translation>网格代码</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="149"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="150"/>
        <source>Village/community</source>
        <translation>所属村（社区）</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="151"/>
        <source>Missing posts</source>
        <translation>缺少岗位</translation>
    </message>
</context>
<context>
    <name>NoteEdit</name>
    <message>
        <location filename="../../ui/widgets.py" line="76"/>
        <source>Enter starts a new line; Ctrl+Enter saves</source>
        <translation>回车换行，Ctrl+回车保存</translation>
    </message>
</context>
<context>
    <name>OrganisationEditor</name>
    <message>
        <location filename="../../ui/organisation_editor.py" line="107"/>
        <source>Village or grid:</source>
        <translation>所属村（网格）：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="109"/>
        <source>Organisation &amp;type:</source>
        <translation>组织类别(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="111"/>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="113"/>
        <source>&amp;Credit code:</source>
        <translation>统一社会信用代码(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="115"/>
        <source>&amp;Leader:</source>
        <translation>负责人(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="117"/>
        <source>&amp;Phone:</source>
        <translation>联系电话(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="119"/>
        <source>A&amp;ddress:</source>
        <translation>地址(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="123"/>
        <source>&amp;Established:</source>
        <translation>成立时间(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="125"/>
        <source>Members</source>
        <translation>组织成员</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="129"/>
        <source>&amp;Member:</source>
        <translation>成员(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="132"/>
        <source>&amp;Role:</source>
        <translation>职务(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="135"/>
        <source>&amp;Add member</source>
        <translation>添加成员(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="144"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="144"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="144"/>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="144"/>
        <source>Role (F2 to change)</source>
        <translation>职务（按 F2 修改）</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="152"/>
        <source>Open per&amp;son</source>
        <translation>查看人员(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="154"/>
        <source>Remo&amp;ve member</source>
        <translation>移除成员(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="233"/>
        <source>None chosen: choose a village or grid in the grid tree first</source>
        <translation>未选择：请先在网格树中选择村或网格</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="252"/>
        <source>Member: type a name and pick the person from the list first.</source>
        <translation>成员：请先输入姓名，并从列表中选择一人。</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="255"/>
        <source>%1 is already a member.</source>
        <translation>%1 已是该组织成员。</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="336"/>
        <source>Saved with the organisation</source>
        <translation>保存组织时一并保存</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="437"/>
        <source>Organisation “%1”</source>
        <translation>组织“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="439"/>
        <location filename="../../ui/organisation_editor.py" line="486"/>
        <source>Organisation</source>
        <translation>组织</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="445"/>
        <source>%1, organisation type: choose the type of organisation (villagers&apos; council, village patrol …).</source>
        <translation>%1的组织类别：请选择组织类别（村民议事会、护村联防队……）。</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="467"/>
        <source>%1, village (grid): none chosen. Choose the organisation&apos;s village or grid in the grid tree first, then create the organisation.</source>
        <translation>%1的所属村（网格）：未指定。请先在网格树中选中组织所在的村或网格，再新建组织。</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="478"/>
        <source>Member “%1”</source>
        <translation>成员“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="489"/>
        <source>(no name yet)</source>
        <translation>（尚未填写名称）</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="494"/>
        <source>New organisation</source>
        <translation>新建组织</translation>
    </message>
    <message>
        <location filename="../../ui/organisation_editor.py" line="495"/>
        <source>Organisation: %1</source>
        <translation>组织：%1</translation>
    </message>
</context>
<context>
    <name>OrganisationTableModel</name>
    <message>
        <location filename="../../ui/models/lists.py" line="264"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="264"/>
        <source>Kind</source>
        <translation>组织类别</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="264"/>
        <source>Person in charge</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="264"/>
        <source>Members</source>
        <translation>成员数</translation>
    </message>
</context>
<context>
    <name>PersonEditor</name>
    <message>
        <location filename="../../ui/person_editor.py" line="172"/>
        <source>Basic information</source>
        <translation>基本信息</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="176"/>
        <location filename="../../ui/person_editor.py" line="606"/>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="180"/>
        <source>&amp;Relation to head:</source>
        <translation>与户主关系(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="187"/>
        <source>&amp;Name:</source>
        <translation>姓名(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="188"/>
        <source>ID &amp;type:</source>
        <translation>证件类型(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="189"/>
        <source>&amp;ID number:</source>
        <translation>身份证号(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="193"/>
        <source>&amp;Sex:</source>
        <translation>性别(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="194"/>
        <source>&amp;Birth date:</source>
        <translation>出生日期(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="195"/>
        <source>&amp;Ethnicity:</source>
        <translation>民族(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="196"/>
        <source>&amp;Former name:</source>
        <translation>曾用名(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="197"/>
        <source>&amp;Phone:</source>
        <translation>联系电话(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="201"/>
        <source>Registered and current residence</source>
        <translation>户籍地与现住地</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="208"/>
        <source>Native &amp;place:</source>
        <translation>籍贯(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="209"/>
        <source>Re&amp;gistered region:</source>
        <translation>户籍地(&amp;G)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="210"/>
        <source>Registered address:</source>
        <translation>户籍门（楼）详址：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="211"/>
        <source>C&amp;urrent region:</source>
        <translation>现住地(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="212"/>
        <source>Current address:</source>
        <translation>现住门（楼）详址：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="216"/>
        <source>Other information</source>
        <translation>其他信息</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="226"/>
        <source>&amp;Marital status:</source>
        <translation>婚姻状况(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="227"/>
        <source>P&amp;olitical status:</source>
        <translation>政治面貌(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="228"/>
        <source>E&amp;ducation:</source>
        <translation>学历(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="229"/>
        <source>Religion:</source>
        <translation>宗教信仰：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="230"/>
        <source>Occupation:</source>
        <translation>职业：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="231"/>
        <source>Workplace:</source>
        <translation>服务处所：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="232"/>
        <source>T&amp;ags:</source>
        <translation>人员标签(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="233"/>
        <source>&amp;Note:</source>
        <translation>备注(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="237"/>
        <source>Residence class</source>
        <translation>人口类别</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="241"/>
        <source>Residence &amp;class:</source>
        <translation>人口类别(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="245"/>
        <source>Registered residents have no extra fields.</source>
        <translation>户籍人口无需填写附加信息。</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="271"/>
        <source>Special groups (sensitive)</source>
        <translation>特殊人群（敏感信息）</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="273"/>
        <source>Show special-group records…</source>
        <translation>查看特殊人群信息…</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="279"/>
        <source>Group</source>
        <translation>人群类别</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="279"/>
        <source>Concern level</source>
        <translation>关注程度</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="279"/>
        <source>Help situation</source>
        <translation>帮扶情况</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="279"/>
        <source>Details</source>
        <translation>详细情况</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="290"/>
        <source>Add record…</source>
        <translation>新增…</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="291"/>
        <source>Change record…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="331"/>
        <source>Reason for moving in</source>
        <translation>流入原因</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="332"/>
        <source>Permit type</source>
        <translation>办证类型</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="333"/>
        <source>Permit number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="334"/>
        <source>Permit valid until</source>
        <translation>证件有效期至</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="335"/>
        <source>Dwelling type</source>
        <translation>住所类型</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="336"/>
        <source>Registered on</source>
        <translation>登记日期</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="337"/>
        <source>Surname (foreign)</source>
        <translation>外文姓</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="338"/>
        <source>Given name (foreign)</source>
        <translation>外文名</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="339"/>
        <source>Nationality</source>
        <translation>国籍（地区）</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="340"/>
        <source>Purpose of stay</source>
        <translation>来华目的</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="341"/>
        <source>Arrived on</source>
        <translation>抵达日期</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="342"/>
        <source>Leaving on</source>
        <translation>预计离开日期</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="343"/>
        <source>Reason not registered</source>
        <translation>未落户原因</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="344"/>
        <source>Documents held</source>
        <translation>持有证件</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="490"/>
        <source>%1, %2: “%3” is not a date; type it like 1980-03-05.</source>
        <translation>%1的%2：“%3”不是有效日期，请按 1980-03-05 的格式输入。</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="563"/>
        <source>(no name)</source>
        <translation>（未填姓名）</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="564"/>
        <location filename="../../ui/person_editor.py" line="572"/>
        <source>Person %1</source>
        <translation>人员 %1</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="568"/>
        <source>New person</source>
        <translation>登记人员</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="570"/>
        <source>household %1</source>
        <translation>户 %1</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="593"/>
        <source>%1, birth date: “%2” is not a date; type it like 1980-03-05.</source>
        <translation>%1的出生日期：“%2”不是有效日期，请按 1980-03-05 的格式输入。</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="606"/>
        <source>Person “%1”</source>
        <translation>人员“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="620"/>
        <source>%1, relation to head: choose the relation to the head when joining a household.</source>
        <translation>%1的与户主关系：加入户时必须选择与户主关系。</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="629"/>
        <source>%1, grid: choose a grid on the left before registering a person.</source>
        <translation>%1的所属网格：请先在左侧选择网格再登记人员。</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="696"/>
        <source>%1 (born %2, household %3)</source>
        <translation>%1（%2，户号 %3）</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="698"/>
        <source>%1 (born %2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="704"/>
        <source>People with the same name and birth date are already registered: %1. Make sure this is not the same person.</source>
        <translation>已有同名同出生日期的人员：%1，请确认不是同一人。</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="705"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="720"/>
        <source>Already registered</source>
        <translation>已登记</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="725"/>
        <location filename="../../ui/person_editor.py" line="740"/>
        <source>Open that person</source>
        <translation>打开该人员</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="726"/>
        <location filename="../../ui/person_editor.py" line="741"/>
        <source>Back to the form</source>
        <translation>返回修改</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="737"/>
        <source>Same name and birth date</source>
        <translation>同名同出生日期</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="739"/>
        <source>Save anyway</source>
        <translation>仍然保存</translation>
    </message>
</context>
<context>
    <name>PersonPicker</name>
    <message>
        <location filename="../../ui/person_picker.py" line="55"/>
        <source>Name, pinyin initials or last digits of the ID number</source>
        <translation>姓名、拼音首字母或身份证号后几位</translation>
    </message>
    <message>
        <location filename="../../ui/person_picker.py" line="138"/>
        <source>Household %1</source>
        <translation>户号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/person_picker.py" line="145"/>
        <source>Nobody found: check the spelling, or register the person first</source>
        <translation>未找到此人：请核对输入，或先登记该人员</translation>
    </message>
</context>
<context>
    <name>PersonTableModel</name>
    <message>
        <location filename="../../ui/models/lists.py" line="212"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="212"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="212"/>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="212"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="213"/>
        <source>Relation to head</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="213"/>
        <source>Household no.</source>
        <translation>户号</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="213"/>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="213"/>
        <source>Residence class</source>
        <translation>人口类别</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="214"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="214"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
</context>
<context>
    <name>PlaceEditor</name>
    <message>
        <location filename="../../ui/place_editor.py" line="123"/>
        <source>Grid:</source>
        <translation>所属网格：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="125"/>
        <source>Place t&amp;ype:</source>
        <translation>场所类型(&amp;Y)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="127"/>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="129"/>
        <source>A&amp;ddress:</source>
        <translation>地址(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="132"/>
        <source>Rental &amp;use:</source>
        <translation>出租用途(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="140"/>
        <source>&amp;Category:</source>
        <translation>场所类别(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="142"/>
        <source>Service &amp;category:</source>
        <translation>服务类别(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="149"/>
        <source>&amp;Phone:</source>
        <translation>联系电话(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="153"/>
        <location filename="../../ui/place_editor.py" line="159"/>
        <source>not recorded</source>
        <translation>未填</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="154"/>
        <source>&amp;Rooms:</source>
        <translation>房间数(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="160"/>
        <source>Floor &amp;area:</source>
        <translation>面积(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="164"/>
        <source>Opening &amp;hours:</source>
        <translation>开放时间(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="167"/>
        <source>Hidden dan&amp;ger:</source>
        <translation>隐患类型(&amp;G)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="172"/>
        <source>Ris&amp;k notes:</source>
        <translation>风险说明(&amp;K)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="170"/>
        <source>Risks found and measures taken (Enter starts a new line; Ctrl+Enter saves)</source>
        <translation>发现的隐患和采取的措施（回车换行，Ctrl+回车保存）</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="174"/>
        <source>N&amp;otes:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="176"/>
        <source>Tenants</source>
        <translation>承租人</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="180"/>
        <source>&amp;Tenant:</source>
        <translation>承租人(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="183"/>
        <source>&amp;From:</source>
        <translation>起租日期(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="186"/>
        <source>Add t&amp;enant</source>
        <translation>添加承租人(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="195"/>
        <source>Tenant</source>
        <translation>承租人</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="195"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="195"/>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="195"/>
        <source>From</source>
        <translation>起租日期</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="195"/>
        <source>Until</source>
        <translation>退租日期</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="199"/>
        <source>&amp;Moved out on:</source>
        <translation>退租日期(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="202"/>
        <source>End tenan&amp;cy</source>
        <translation>办理退租(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="204"/>
        <source>Open per&amp;son</source>
        <translation>查看人员(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="206"/>
        <source>Remo&amp;ve unsaved</source>
        <translation>移除未保存的(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="311"/>
        <source>No grid chosen: choose a grid in the grid tree first</source>
        <translation>未选择网格：请先在网格树中选择网格</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="330"/>
        <source>O&amp;wner:</source>
        <translation>房主(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="331"/>
        <location filename="../../ui/place_editor.py" line="333"/>
        <source>Responsi&amp;ble person:</source>
        <translation>负责人(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="332"/>
        <source>Con&amp;tact:</source>
        <translation>联系人(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="373"/>
        <source>Tenant: type a name and pick the person from the list first.</source>
        <translation>承租人：请先输入姓名，并从列表中选择一人。</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="379"/>
        <source>From: “%1” is not a date; type it like 2025-03-01.</source>
        <translation>起租日期：“%1”不是有效日期，请按 2025-03-01 的格式填写。</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="384"/>
        <source>%1 is already a tenant here.</source>
        <translation>%1 已是本出租屋的承租人。</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="412"/>
        <source>Pick the tenant who moved out in the table first.</source>
        <translation>请先在表格中选择要退租的承租人。</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="417"/>
        <source>Moved out on: type the date the tenant moved out, like 2025-10-31.</source>
        <translation>退租日期：请填写承租人退租的日期，如 2025-10-31。</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="432"/>
        <source>A saved tenancy stays in the ledger: type the date the tenant moved out and end it.</source>
        <translation>已保存的承租记录不能删除：请填写退租日期并办理退租。</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="464"/>
        <source>Saved with the place</source>
        <translation>保存场所时一并保存</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="595"/>
        <location filename="../../ui/place_editor.py" line="640"/>
        <source>Place</source>
        <translation>场所</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="595"/>
        <source>Place “%1”</source>
        <translation>场所“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="600"/>
        <source>%1, place type: choose the type of place (rental housing, complex place, service point …).</source>
        <translation>%1的场所类型：请选择场所类型（出租屋、复杂场所、服务点……）。</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="619"/>
        <source>%1, grid: none chosen. Choose the place&apos;s grid in the grid tree first, then create the place.</source>
        <translation>%1的所属网格：未指定。请先在网格树中选中场所所在的网格，再新建场所。</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="629"/>
        <source>Tenant “%1”</source>
        <translation>承租人“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="643"/>
        <source>(no name yet)</source>
        <translation>（尚未填写名称）</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="648"/>
        <source>New place</source>
        <translation>新建场所</translation>
    </message>
    <message>
        <location filename="../../ui/place_editor.py" line="649"/>
        <source>Place: %1</source>
        <translation>场所：%1</translation>
    </message>
</context>
<context>
    <name>PlaceTableModel</name>
    <message>
        <location filename="../../ui/models/lists.py" line="247"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="247"/>
        <source>Kind</source>
        <translation>场所类型</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="247"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="247"/>
        <source>Owner / person in charge</source>
        <translation>房主/负责人</translation>
    </message>
    <message>
        <location filename="../../ui/models/lists.py" line="248"/>
        <source>Tenants</source>
        <translation>承租人数</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <location filename="../../ui/forms.py" line="128"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ui/forms.py" line="131"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/forms.py" line="135"/>
        <source>Save (Enter, or Ctrl+Enter in notes)</source>
        <translation>保存（回车；在备注中按 Ctrl+回车）</translation>
    </message>
</context>
<context>
    <name>SearchBox</name>
    <message>
        <location filename="../../ui/search_box.py" line="74"/>
        <source>Search people, households, places, organisations (Ctrl+F)</source>
        <translation>搜索人员、户、场所、组织（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="215"/>
        <location filename="../../ui/search_box.py" line="87"/>
        <source>People</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="214"/>
        <location filename="../../ui/search_box.py" line="88"/>
        <source>Households</source>
        <translation>户</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="216"/>
        <location filename="../../ui/search_box.py" line="89"/>
        <source>Places</source>
        <translation>场所</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="217"/>
        <location filename="../../ui/search_box.py" line="90"/>
        <source>Organisations</source>
        <translation>组织</translation>
    </message>
    <message>
        <location filename="../../ui/search_box.py" line="142"/>
        <source>Nothing found for “%1”</source>
        <translation>没有找到“%1”</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings.py" line="82"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="90"/>
        <source>The new language is used the next time GridDesk starts.</source>
        <translation>新的界面语言将在下次启动网格台账时生效。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="92"/>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="98"/>
        <source>Standard (100%)</source>
        <translation>标准（100%）</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="99"/>
        <source>Large (125%)</source>
        <translation>大（125%）</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="100"/>
        <source>Extra large (150%)</source>
        <translation>特大（150%）</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="104"/>
        <source>Font size</source>
        <translation>字体大小</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="112"/>
        <source>The font size changes at once, in every open window.</source>
        <translation>字体大小立即生效，所有已打开的窗口同时改变。</translation>
    </message>
</context>
<context>
    <name>SpecialGroupDialog</name>
    <message>
        <location filename="../../ui/person_editor.py" line="98"/>
        <source>Special group record</source>
        <translation>特殊人群信息</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="104"/>
        <source>&amp;Group:</source>
        <translation>人群类别(&amp;G)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="105"/>
        <source>&amp;Concern level:</source>
        <translation>关注程度(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="106"/>
        <source>&amp;Help situation:</source>
        <translation>帮扶情况(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="107"/>
        <source>&amp;Details:</source>
        <translation>详细情况(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="111"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../../ui/person_editor.py" line="112"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SyncWorker</name>
    <message>
        <location filename="../../ui/sync_worker.py" line="55"/>
        <source>Sync failed: %1</source>
        <translation>同步出错：%1</translation>
    </message>
</context>
<context>
    <name>TagEdit</name>
    <message>
        <location filename="../../ui/widgets.py" line="439"/>
        <source>tag 1, tag 2</source>
        <translation>标签1，标签2</translation>
    </message>
</context>
<context>
    <name>UndoStack</name>
    <message>
        <location filename="../../ui/undo.py" line="52"/>
        <source>Saved %1 — Undo (Ctrl+Z)</source>
        <translation>已保存 %1 — 撤销 (Ctrl+Z)</translation>
    </message>
    <message>
        <location filename="../../ui/undo.py" line="57"/>
        <source>Nothing to undo.</source>
        <translation>没有可撤销的保存。</translation>
    </message>
    <message>
        <location filename="../../ui/undo.py" line="71"/>
        <source>&amp;Undo save of %1</source>
        <translation>撤销保存：%1(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/undo.py" line="82"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../ui/undo.py" line="83"/>
        <source>Undo the last save of %1?</source>
        <translation>撤销对 %1 的上次保存？</translation>
    </message>
    <message>
        <location filename="../../ui/undo.py" line="96"/>
        <source>Undone: %1</source>
        <translation>已撤销：%1</translation>
    </message>
    <message>
        <location filename="../../ui/undo.py" line="103"/>
        <source>&amp;Undo last save</source>
        <translation>撤销上次保存(&amp;U)</translation>
    </message>
</context>
<context>
    <name>UngriddedModel</name>
    <message>
        <location filename="../../ui/coverage.py" line="131"/>
        <source>Household no.</source>
        <translation>户号</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="131"/>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="131"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="131"/>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="133"/>
        <source>No grid given</source>
        <translation>未划入网格</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="134"/>
        <source>Its grid was deleted or does not exist</source>
        <translation>所属网格已删除或不存在</translation>
    </message>
    <message>
        <location filename="../../ui/coverage.py" line="135"/>
        <source>Placed on “%1”, which is not a grid</source>
        <translation>挂在“%1”上，该节点不是网格</translation>
    </message>
</context>
<context>
    <name>drafts</name>
    <message>
        <location filename="../../ui/forms.py" line="417"/>
        <source>Unsaved entries found</source>
        <translation>发现未保存的录入</translation>
    </message>
    <message>
        <location filename="../../ui/forms.py" line="418"/>
        <source>%1 entries were not saved when GridDesk last closed:
%2

Open them to finish?</source>
        <translation>上次关闭网格台账时，有 %1 份录入没有保存：
%2

是否打开继续录入？</translation>
    </message>
    <message>
        <location filename="../../ui/forms.py" line="424"/>
        <source>Open them</source>
        <translation>打开继续录入</translation>
    </message>
    <message>
        <location filename="../../ui/forms.py" line="425"/>
        <source>Discard them</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <location filename="../../ui/forms.py" line="426"/>
        <source>Ask me next time</source>
        <translation>下次再说</translation>
    </message>
    <message>
        <location filename="../../ui/forms.py" line="433"/>
        <source>Discard unsaved entries</source>
        <translation>丢弃未保存的录入</translation>
    </message>
    <message>
        <location filename="../../ui/forms.py" line="434"/>
        <source>Discard %1 unsaved entries for good?</source>
        <translation>确定永久丢弃这 %1 份未保存的录入吗？</translation>
    </message>
</context>
<context>
    <name>unlock</name>
    <message>
        <location filename="../../ui/main.py" line="642"/>
        <source>Passphrase for the ledger in %1:</source>
        <translation>请输入 %1 中台账的口令：</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="647"/>
        <source>Unlock ledger</source>
        <translation>打开台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="659"/>
        <source>Cannot open ledger</source>
        <translation>无法打开台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="676"/>
        <source>No ledger yet</source>
        <translation>尚无台账</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="677"/>
        <source>There is no ledger in %1 yet. Create a demo township with: griddesk --profile DIR demo</source>
        <translation>%1 中还没有台账。可用以下命令创建演示乡镇：griddesk --profile 目录 demo</translation>
    </message>
</context>
</TS>
