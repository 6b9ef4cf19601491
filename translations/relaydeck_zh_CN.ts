<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Console::AccountsPage</name>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::AdminClient</name>
    <message>
        <source>HTTP status %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The relay did not answer in time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach the relay at %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The relay answered HTTP %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::ConnectionDialog</name>
    <message>
        <source>Remember the address and user name (never the password)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to a relay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relay address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to a RelayDeck relay&apos;s admin API. A relay started with relaydeckd prints the first password once and keeps it in &lt;i&gt;admin-password&lt;/i&gt; in its data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the relay&apos;s address, for example http://127.0.0.1:3000.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the user name and the password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::DashboardPage</name>
    <message>
        <source>Dashboard</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::JsonTableModel</name>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::KeysPage</name>
    <message>
        <source>API keys</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::LanguageManager</name>
    <message>
        <source>System default</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::LogsPage</name>
    <message>
        <source>Logs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::MainWindow</name>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About RelayDeck</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;RelayDeck %1&lt;/h3&gt;&lt;p&gt;A self-hosted relay for the Anthropic Claude API, with this operator console.&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RelayDeck</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RelayDeck — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect to a relay…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Relay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start the bundled relay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;top the bundled relay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Restart the bundled relay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About RelayDeck</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relay unreachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relay error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>embedded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>external</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redis: up (%1, %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redis: DOWN (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RelayDeck %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bundled relay stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bundled relay starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bundled relay running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bundled relay stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bundled relay failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RelayDeck keeps running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bundled relay is still serving. Use Quit in the tray menu to stop it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::MessageBar</name>
    <message>
        <source>Close message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::RedisPage</name>
    <message>
        <source>Redis</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::RequestsPage</name>
    <message>
        <source>Requests</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Console::UsagePage</name>
    <message>
        <source>Usage</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Admin password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The relay created the admin user &quot;%1&quot; with the password&lt;p&gt;&lt;b&gt;&lt;tt&gt;%2&lt;/tt&gt;&lt;/b&gt;&lt;/p&gt;It is also saved in %3 (readable only by you). This console signs in by itself; you need the password only to sign in from elsewhere.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
