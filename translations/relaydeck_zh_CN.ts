<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Console::AccountsPage</name>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
</context>
<context>
    <name>Console::AdminClient</name>
    <message>
        <source>HTTP status %1</source>
        <translation>HTTP 状态 %1</translation>
    </message>
    <message>
        <source>The relay did not answer in time.</source>
        <translation>中继未能及时响应。</translation>
    </message>
    <message>
        <source>Cannot reach the relay at %1: %2</source>
        <translation>无法连接到位于 %1 的中继：%2</translation>
    </message>
    <message>
        <source>The relay answered HTTP %1.</source>
        <translation>中继返回 HTTP %1。</translation>
    </message>
</context>
<context>
    <name>Console::ConnectionDialog</name>
    <message>
        <source>Remember the address and user name (never the password)</source>
        <translation>记住地址和用户名（从不保存密码）</translation>
    </message>
    <message>
        <source>Connect to a relay</source>
        <translation>连接到中继</translation>
    </message>
    <message>
        <source>Relay address</source>
        <translation>中继地址</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Sign in to a RelayDeck relay's admin API. A relay started with relaydeckd prints the first password once and keeps it in &lt;i&gt;admin-password&lt;/i&gt; in its data directory.</source>
        <translation>登录 RelayDeck 中继的管理 API。用 relaydeckd 启动的中继会在首次启动时打印一次初始密码，并保存在其数据目录的 &lt;i&gt;admin-password&lt;/i&gt; 文件中。</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>地址(&amp;A)：</translation>
    </message>
    <message>
        <source>&amp;User:</source>
        <translation>用户(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>Enter the relay's address, for example http://127.0.0.1:3000.</source>
        <translation>请输入中继地址，例如 http://127.0.0.1:3000。</translation>
    </message>
    <message>
        <source>Enter the user name and the password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <source>Signing in to %1…</source>
        <translation>正在登录 %1…</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
</context>
<context>
    <name>Console::DashboardPage</name>
    <message>
        <source>Dashboard</source>
        <translation>仪表盘</translation>
    </message>
</context>
<context>
    <name>Console::JsonTableModel</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>Console::KeysPage</name>
    <message>
        <source>API keys</source>
        <translation>API 密钥</translation>
    </message>
</context>
<context>
    <name>Console::LanguageManager</name>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
</context>
<context>
    <name>Console::LogsPage</name>
    <message>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
</context>
<context>
    <name>Console::MainWindow</name>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>About RelayDeck</source>
        <translation>关于 RelayDeck</translation>
    </message>
    <message>
        <source>&lt;h3&gt;RelayDeck %1&lt;/h3&gt;&lt;p&gt;A self-hosted relay for the Anthropic Claude API, with this operator console.&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;RelayDeck %1&lt;/h3&gt;&lt;p&gt;自托管的 Anthropic Claude API 中继，附带此运维控制台。&lt;/p&gt;&lt;p&gt;依据 GNU 通用公共许可证第 3 版或更高版本授权。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>RelayDeck</source>
        <translation>RelayDeck</translation>
    </message>
    <message>
        <source>RelayDeck — %1</source>
        <translation>RelayDeck — %1</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>页面</translation>
    </message>
    <message>
        <source>&amp;Console</source>
        <translation>控制台(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Connect to a relay…</source>
        <translation>连接到中继(&amp;C)…</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Relay</source>
        <translation>中继(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Start the bundled relay</source>
        <translation>启动内置中继(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top the bundled relay</source>
        <translation>停止内置中继(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Restart the bundled relay</source>
        <translation>重启内置中继(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About RelayDeck</source>
        <translation>关于 RelayDeck(&amp;A)</translation>
    </message>
    <message>
        <source>Show the console</source>
        <translation>显示控制台</translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>已登录：%1</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Relay unreachable</source>
        <translation>中继不可达</translation>
    </message>
    <message>
        <source>Relay error</source>
        <translation>中继错误</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>已连接到 %1</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>监听于 %1</translation>
    </message>
    <message>
        <source>embedded</source>
        <translation>内置</translation>
    </message>
    <message>
        <source>external</source>
        <translation>外部</translation>
    </message>
    <message>
        <source>Redis: up (%1, %2)</source>
        <translation>Redis：正常（%1，%2）</translation>
    </message>
    <message>
        <source>Redis: DOWN (%1)</source>
        <translation>Redis：不可用（%1）</translation>
    </message>
    <message>
        <source>RelayDeck %1</source>
        <translation>RelayDeck %1</translation>
    </message>
    <message>
        <source>Bundled relay stopped</source>
        <translation>内置中继已停止</translation>
    </message>
    <message>
        <source>Bundled relay starting…</source>
        <translation>内置中继正在启动…</translation>
    </message>
    <message>
        <source>Bundled relay running</source>
        <translation>内置中继运行中</translation>
    </message>
    <message>
        <source>Bundled relay stopping…</source>
        <translation>内置中继正在停止…</translation>
    </message>
    <message>
        <source>Bundled relay failed: %1</source>
        <translation>内置中继启动失败：%1</translation>
    </message>
    <message>
        <source>RelayDeck keeps running</source>
        <translation>RelayDeck 仍在运行</translation>
    </message>
    <message>
        <source>The bundled relay is still serving. Use Quit in the tray menu to stop it.</source>
        <translation>内置中继仍在提供服务。使用托盘菜单中的“退出”来停止它。</translation>
    </message>
</context>
<context>
    <name>Console::MessageBar</name>
    <message>
        <source>Close message</source>
        <translation>关闭消息</translation>
    </message>
</context>
<context>
    <name>Console::RedisPage</name>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
</context>
<context>
    <name>Console::RequestsPage</name>
    <message>
        <source>Requests</source>
        <translation>请求</translation>
    </message>
</context>
<context>
    <name>Console::SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
</context>
<context>
    <name>Console::UsagePage</name>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>%1前</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Admin password</source>
        <translation>管理员密码</translation>
    </message>
    <message>
        <source>The relay created the admin user "%1" with the password&lt;p&gt;&lt;b&gt;&lt;tt&gt;%2&lt;/tt&gt;&lt;/b&gt;&lt;/p&gt;It is also saved in %3 (readable only by you). This console signs in by itself; you need the password only to sign in from elsewhere.</source>
        <translation>中继已创建管理员用户“%1”，密码为&lt;p&gt;&lt;b&gt;&lt;tt&gt;%2&lt;/tt&gt;&lt;/b&gt;&lt;/p&gt;它也保存在 %3 中（仅您可读）。此控制台会自动登录；只有从其他地方登录时才需要该密码。</translation>
    </message>
</context>
</TS>