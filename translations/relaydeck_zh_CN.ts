<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Console::AccountDialog</name>
    <message>
        <source>Edit account %1</source>
        <translation>编辑账户 %1</translation>
    </message>
    <message>
        <source>Add account</source>
        <translation>添加账户</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>OAuth (Claude subscription)</source>
        <translation>OAuth（Claude 订阅）</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>类型(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Base URL:</source>
        <translation>基础 URL(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Refresh token:</source>
        <translation>刷新令牌(&amp;R)：</translation>
    </message>
    <message>
        <source>Token e&amp;xpires:</source>
        <translation>令牌过期时间(&amp;X)：</translation>
    </message>
    <message>
        <source>known</source>
        <translation>已知</translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation>优先级(&amp;P)：</translation>
    </message>
    <message>
        <source>0 to 1000; lower is preferred</source>
        <translation>0 到 1000；数值越小越优先</translation>
    </message>
    <message>
        <source>Max &amp;concurrency:</source>
        <translation>最大并发(&amp;C)：</translation>
    </message>
    <message>
        <source>No limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Scheduling:</source>
        <translation>调度：</translation>
    </message>
    <message>
        <source>&amp;Schedulable (takes new requests)</source>
        <translation>可调度（接收新请求）(&amp;S)</translation>
    </message>
    <message>
        <source>Pro&amp;xy URL:</source>
        <translation>代理 URL(&amp;X)：</translation>
    </message>
    <message>
        <source>none (direct); http://host:port or socks5://user@host:port</source>
        <translation>无（直连）；http://host:port 或 socks5://user@host:port</translation>
    </message>
    <message>
        <source>Proxy pass&amp;word:</source>
        <translation>代理密码(&amp;W)：</translation>
    </message>
    <message>
        <source>&amp;Model mapping:</source>
        <translation>模型映射(&amp;M)：</translation>
    </message>
    <message>
        <source>one per line: requested-model = upstream-model</source>
        <translation>每行一条：请求的模型 = 上游模型</translation>
    </message>
    <message>
        <source>Daily cost &amp;quota:</source>
        <translation>每日费用配额(&amp;Q)：</translation>
    </message>
    <message>
        <source>No quota</source>
        <translation>无配额</translation>
    </message>
    <message>
        <source>N&amp;otes:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>unchanged — type to replace</source>
        <translation>未更改 — 输入新值以替换</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Account type</source>
        <translation>账户类型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>基础 URL</translation>
    </message>
    <message>
        <source>Refresh token</source>
        <translation>刷新令牌</translation>
    </message>
    <message>
        <source>Token expiry</source>
        <translation>令牌过期时间</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Max concurrency</source>
        <translation>最大并发</translation>
    </message>
    <message>
        <source>Proxy URL</source>
        <translation>代理 URL</translation>
    </message>
    <message>
        <source>Proxy password</source>
        <translation>代理密码</translation>
    </message>
    <message>
        <source>Model mapping</source>
        <translation>模型映射</translation>
    </message>
    <message>
        <source>Daily cost quota in USD</source>
        <translation>每日费用配额（美元）</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>&amp;Access token:</source>
        <translation>访问令牌(&amp;A)：</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API 密钥(&amp;K)：</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <source>https://api.anthropic.com (default)</source>
        <translation>https://api.anthropic.com（默认）</translation>
    </message>
    <message>
        <source>https://api.anthropic.com</source>
        <translation>https://api.anthropic.com</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>the OAuth access token</source>
        <translation>OAuth 访问令牌</translation>
    </message>
    <message>
        <source>sk-ant-api03-…</source>
        <translation>sk-ant-api03-…</translation>
    </message>
    <message>
        <source>optional: lets the relay renew the access token</source>
        <translation>可选：供中继续期访问令牌</translation>
    </message>
    <message>
        <source>Line %1: write requested-model = upstream-model</source>
        <translation>第 %1 行：请写成 请求的模型 = 上游模型</translation>
    </message>
</context>
<context>
    <name>Console::AccountsPage</name>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>OAuth</source>
        <translation>OAuth</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>添加(&amp;A)</translation>
    </message>
    <message>
        <source>Add an upstream account (%1)</source>
        <translation>添加上游账户（%1）</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>Edit the selected account (double-click a row)</source>
        <translation>编辑所选账户（双击行）</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>测试(&amp;T)</translation>
    </message>
    <message>
        <source>Send one tiny request through the selected account and report the outcome</source>
        <translation>通过所选账户发送一个极小的请求并报告结果</translation>
    </message>
    <message>
        <source>E&amp;nable</source>
        <translation>启用(&amp;N)</translation>
    </message>
    <message>
        <source>Let the selected account take requests again</source>
        <translation>让所选账户重新接收请求</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>停用(&amp;D)</translation>
    </message>
    <message>
        <source>Stop sending requests to the selected account</source>
        <translation>停止向所选账户发送请求</translation>
    </message>
    <message>
        <source>&amp;Reset state</source>
        <translation>重置状态(&amp;R)</translation>
    </message>
    <message>
        <source>Put the account&apos;s health back to active and end its cooldowns (the only way out of unauthorized and blocked)</source>
        <translation>将账户健康状态恢复为正常并结束其冷却（这是解除“未授权”和“已封禁”状态的唯一方式）</translation>
    </message>
    <message>
        <source>De&amp;lete</source>
        <translation>删除(&amp;L)</translation>
    </message>
    <message>
        <source>Delete the selected account (Del)</source>
        <translation>删除所选账户（Del）</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Load the accounts again (F5)</source>
        <translation>重新加载账户（F5）</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>显示(&amp;S)：</translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation>全部账户</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Cooling</source>
        <translation>冷却中</translation>
    </message>
    <message>
        <source>Half open</source>
        <translation>半开</translation>
    </message>
    <message>
        <source>Unauthorized</source>
        <translation>未授权</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>已封禁</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Show accounts in state</source>
        <translation>按状态显示账户</translation>
    </message>
    <message>
        <source>Upstream accounts</source>
        <translation>上游账户</translation>
    </message>
    <message>
        <source>Test result</source>
        <translation>测试结果</translation>
    </message>
    <message>
        <source>Close test result</source>
        <translation>关闭测试结果</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <source>Cost today</source>
        <translation>今日费用</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>基础 URL</translation>
    </message>
    <message>
        <source>Loading accounts…</source>
        <translation>正在加载账户…</translation>
    </message>
    <message>
        <source>Cannot load the accounts: %1</source>
        <translation>无法加载账户：%1</translation>
    </message>
    <message>
        <source>%1 accounts (first %2 shown)</source>
        <translation>%1 个账户（显示前 %2 个）</translation>
    </message>
    <message numerus="yes">
        <source>%n account(s)</source>
        <translation>
            <numerusform>%n 个账户</numerusform>
        </translation>
    </message>
    <message>
        <source>No upstream accounts yet. Add an Anthropic API key or a Claude OAuth token with Add (%1); clients&apos; requests are relayed through them.</source>
        <translation>还没有上游账户。使用“添加”（%1）添加 Anthropic API 密钥或 Claude OAuth 令牌；客户端的请求将通过这些账户中继。</translation>
    </message>
    <message>
        <source>No account is in the state “%1”.</source>
        <translation>没有处于“%1”状态的账户。</translation>
    </message>
    <message>
        <source>Cooling, %1 left</source>
        <translation>冷却中，剩余 %1</translation>
    </message>
    <message>
        <source>Half open (probing)</source>
        <translation>半开（探测中）</translation>
    </message>
    <message>
        <source>%1, not schedulable</source>
        <translation>%1，不可调度</translation>
    </message>
    <message>
        <source>%1 · testing…</source>
        <translation>%1 · 测试中…</translation>
    </message>
    <message>
        <source>%1 cooling, %2 left</source>
        <translation>%1 冷却中，剩余 %2</translation>
    </message>
    <message>
        <source>secret unreadable: %1</source>
        <translation>密钥无法读取：%1</translation>
    </message>
    <message>
        <source>Account “%1” saved.</source>
        <translation>账户“%1”已保存。</translation>
    </message>
    <message>
        <source>Account “%1” added.</source>
        <translation>账户“%1”已添加。</translation>
    </message>
    <message>
        <source>Testing “%1”…</source>
        <translation>正在测试“%1”…</translation>
    </message>
    <message>
        <source>Test of “%1” could not run: %2</source>
        <translation>无法测试“%1”：%2</translation>
    </message>
    <message>
        <source>“%1” works: HTTP %2 in %3 (first byte after %4), model %5 answered with %6 output token(s).</source>
        <translation>“%1”可用：HTTP %2，耗时 %3（首字节 %4），模型 %5 返回了 %6 个输出令牌。</translation>
    </message>
    <message>
        <source>“%1” failed: HTTP %2 after %3: %4</source>
        <translation>“%1”失败：HTTP %2，耗时 %3：%4</translation>
    </message>
    <message>
        <source>“%1” failed after %2: %3</source>
        <translation>“%1”失败，耗时 %2：%3</translation>
    </message>
    <message>
        <source>Enabling “%1”…</source>
        <translation>正在启用“%1”…</translation>
    </message>
    <message>
        <source>“%1” enabled.</source>
        <translation>“%1”已启用。</translation>
    </message>
    <message>
        <source>Disabling “%1”…</source>
        <translation>正在停用“%1”…</translation>
    </message>
    <message>
        <source>“%1” disabled.</source>
        <translation>“%1”已停用。</translation>
    </message>
    <message>
        <source>Resetting the state of “%1”…</source>
        <translation>正在重置“%1”的状态…</translation>
    </message>
    <message>
        <source>The state of “%1” is back to active.</source>
        <translation>“%1”的状态已恢复为正常。</translation>
    </message>
    <message>
        <source>Delete account</source>
        <translation>删除账户</translation>
    </message>
    <message>
        <source>Delete the account “%1”?</source>
        <translation>删除账户“%1”？</translation>
    </message>
    <message>
        <source>Its health state and group memberships are deleted with it; keys bound to it get no answers.</source>
        <translation>其健康状态和分组成员关系将一并删除；绑定到该账户的密钥将得不到响应。</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Deleting “%1”…</source>
        <translation>正在删除“%1”…</translation>
    </message>
    <message>
        <source>Cannot delete “%1”: %2</source>
        <translation>无法删除“%1”：%2</translation>
    </message>
    <message>
        <source>Account “%1” deleted.</source>
        <translation>账户“%1”已删除。</translation>
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
        <source>Sign in to a RelayDeck relay&apos;s admin API. A relay started with relaydeckd prints the first password once and keeps it in &lt;i&gt;admin-password&lt;/i&gt; in its data directory.</source>
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
        <source>Enter the relay&apos;s address, for example http://127.0.0.1:3000.</source>
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
    <message>
        <source>Window:</source>
        <translation>时间窗口：</translation>
    </message>
    <message>
        <source>5 min</source>
        <translation>5 分钟</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 分钟</translation>
    </message>
    <message>
        <source>60 min</source>
        <translation>60 分钟</translation>
    </message>
    <message>
        <source>Show the last %1</source>
        <translation>显示最近 %1</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Load the history and today&apos;s figures again (F5)</source>
        <translation>重新加载历史数据和今日数据（F5）</translation>
    </message>
    <message>
        <source>Active streams</source>
        <translation>活动流</translation>
    </message>
    <message>
        <source>Requests/s now</source>
        <translation>当前请求/秒</translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation>今日请求</translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation>今日令牌</translation>
    </message>
    <message>
        <source>Cost today</source>
        <translation>今日费用</translation>
    </message>
    <message>
        <source>Requests and errors per second</source>
        <translation>每秒请求与错误</translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>Errors/s (4xx + 5xx)</source>
        <translation>错误/秒（4xx + 5xx）</translation>
    </message>
    <message>
        <source>Server errors/s (5xx)</source>
        <translation>服务器错误/秒（5xx）</translation>
    </message>
    <message>
        <source>Latency (ms)</source>
        <translation>延迟（毫秒）</translation>
    </message>
    <message>
        <source>Latency in milliseconds</source>
        <translation>延迟（毫秒）</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>总耗时</translation>
    </message>
    <message>
        <source>Upstream first byte</source>
        <translation>上游首字节</translation>
    </message>
    <message>
        <source>Relay overhead</source>
        <translation>中继开销</translation>
    </message>
    <message>
        <source>Latency shown</source>
        <translation>显示的延迟</translation>
    </message>
    <message>
        <source>Total: the whole request. Upstream first byte: until the upstream&apos;s first byte. Relay overhead: time spent in the relay itself.</source>
        <translation>总耗时：整个请求的耗时。上游首字节：直到收到上游第一个字节的耗时。中继开销：在中继自身花费的时间。</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Account health</source>
        <translation>账户健康状态</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <source>Cannot load the metrics history: %1</source>
        <translation>无法加载指标历史：%1</translation>
    </message>
    <message>
        <source>Cannot load today&apos;s usage: %1</source>
        <translation>无法加载今日用量：%1</translation>
    </message>
    <message>
        <source>Cannot load the accounts: %1</source>
        <translation>无法加载账户：%1</translation>
    </message>
    <message>
        <source>The live metrics stopped (HTTP status %1). Press Refresh to try again.</source>
        <translation>实时指标已中断（HTTP 状态 %1）。请点击“刷新”重试。</translation>
    </message>
    <message>
        <source>No requests yet</source>
        <translation>暂无请求</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>No measurements of this latency in the window</source>
        <translation>此时间窗口内没有该延迟的测量数据</translation>
    </message>
    <message>
        <source>● Live</source>
        <translation>● 实时</translation>
    </message>
    <message>
        <source>○ Connecting…</source>
        <translation>○ 正在连接…</translation>
    </message>
    <message>
        <source>○ Not live</source>
        <translation>○ 未实时更新</translation>
    </message>
    <message>
        <source>%1 in flight, %2 queued</source>
        <translation>%1 个进行中，%2 个排队中</translation>
    </message>
    <message>
        <source>%1 errors/s</source>
        <translation>%1 错误/秒</translation>
    </message>
    <message>
        <source>%1 with errors, %2 streamed</source>
        <translation>%1 个出错，%2 个流式</translation>
    </message>
    <message>
        <source>%1 in, %2 out</source>
        <translation>输入 %1，输出 %2</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) without a price</source>
        <translation>
            <numerusform>%n 个请求没有价格</numerusform>
        </translation>
    </message>
    <message>
        <source>since midnight (%1)</source>
        <translation>自午夜起（%1）</translation>
    </message>
    <message>
        <source>active</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>cooling</source>
        <translation>冷却中</translation>
    </message>
    <message>
        <source>half-open (probing)</source>
        <translation>半开（探测中）</translation>
    </message>
    <message>
        <source>unauthorized</source>
        <translation>未授权</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>已封禁</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>%1 · not scheduled</source>
        <translation>%1 · 不参与调度</translation>
    </message>
    <message>
        <source>%1 cooling · %2</source>
        <translation>%1 冷却中 · %2</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
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
    <name>Console::KeyDialog</name>
    <message>
        <source>New API key</source>
        <translation>新建 API 密钥</translation>
    </message>
    <message>
        <source>Edit API key</source>
        <translation>编辑 API 密钥</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>限额</translation>
    </message>
    <message>
        <source>Restrictions</source>
        <translation>访问限制</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>N&amp;otes:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <source>&amp;Tags:</source>
        <translation>标签(&amp;T)：</translation>
    </message>
    <message>
        <source>E&amp;xpires:</source>
        <translation>过期(&amp;X)：</translation>
    </message>
    <message>
        <source>&amp;Binding:</source>
        <translation>绑定(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Concurrent requests:</source>
        <translation>并发请求数(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Wait for a free slot:</source>
        <translation>等待空闲槽位(&amp;W)：</translation>
    </message>
    <message>
        <source>Ra&amp;te window:</source>
        <translation>速率窗口(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Requests per window:</source>
        <translation>每窗口请求数(&amp;R)：</translation>
    </message>
    <message>
        <source>T&amp;okens per window:</source>
        <translation>每窗口令牌数(&amp;O)：</translation>
    </message>
    <message>
        <source>Cost per w&amp;indow:</source>
        <translation>每窗口费用(&amp;I)：</translation>
    </message>
    <message>
        <source>Cost per &amp;day:</source>
        <translation>每日费用(&amp;D)：</translation>
    </message>
    <message>
        <source>Total cost (&amp;lifetime):</source>
        <translation>总费用（全生命周期）(&amp;L)：</translation>
    </message>
    <message>
        <source>Weekly cost, Opus models:</source>
        <translation>每周费用，Opus 模型：</translation>
    </message>
    <message>
        <source>Weekly cost, Sonnet models:</source>
        <translation>每周费用，Sonnet 模型：</translation>
    </message>
    <message>
        <source>Weekly cost, Haiku models:</source>
        <translation>每周费用，Haiku 模型：</translation>
    </message>
    <message>
        <source>Time &amp;zone for days:</source>
        <translation>按日计算所用时区(&amp;Z)：</translation>
    </message>
    <message>
        <source>&amp;Endpoints:</source>
        <translation>端点(&amp;E)：</translation>
    </message>
    <message>
        <source>&amp;Model rule:</source>
        <translation>模型规则(&amp;M)：</translation>
    </message>
    <message>
        <source>M&amp;odels:</source>
        <translation>模型(&amp;O)：</translation>
    </message>
    <message>
        <source>&amp;Clients:</source>
        <translation>客户端(&amp;C)：</translation>
    </message>
    <message>
        <source>who or what uses this key, e.g. &quot;CI pipeline&quot;</source>
        <translation>谁或什么在使用此密钥，例如“CI 流水线”</translation>
    </message>
    <message>
        <source>optional notes for operators</source>
        <translation>给运维人员的备注（可选）</translation>
    </message>
    <message>
        <source>comma-separated, e.g. team-a, ci</source>
        <translation>以逗号分隔，例如 team-a, ci</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>永不</translation>
    </message>
    <message>
        <source>At</source>
        <translation>指定时间</translation>
    </message>
    <message>
        <source>After first use</source>
        <translation>首次使用后</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>过期方式</translation>
    </message>
    <message>
        <source>Expiry date</source>
        <translation>过期日期</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Days after first use</source>
        <translation>首次使用后的天数</translation>
    </message>
    <message>
        <source>Shared pool (any account)</source>
        <translation>共享池（任意账户）</translation>
    </message>
    <message>
        <source>Group: %1</source>
        <translation>分组：%1</translation>
    </message>
    <message>
        <source>Account: %1</source>
        <translation>账户：%1</translation>
    </message>
    <message>
        <source>No limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Do not wait (refuse at once)</source>
        <translation>不等待（立即拒绝）</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>No rate window</source>
        <translation>无速率窗口</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>the relay&apos;s time zone, or e.g. Europe/Berlin</source>
        <translation>中继的时区，或例如 Asia/Shanghai</translation>
    </message>
    <message>
        <source>0 means no limit. Requests, tokens and cost per window count within a fixed window that starts with the first request; daily and weekly costs reset at midnight.</source>
        <translation>0 表示不限。每窗口的请求数、令牌数和费用在一个从首个请求开始计时的固定窗口内统计；每日和每周费用在午夜重置。</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Count tokens</source>
        <translation>令牌计数</translation>
    </message>
    <message>
        <source>List models</source>
        <translation>模型列表</translation>
    </message>
    <message>
        <source>Any model</source>
        <translation>任意模型</translation>
    </message>
    <message>
        <source>Only these models</source>
        <translation>仅限这些模型</translation>
    </message>
    <message>
        <source>All but these models</source>
        <translation>除这些模型外的所有模型</translation>
    </message>
    <message>
        <source>comma-separated, e.g. claude-sonnet-4-5, claude-haiku-4-5</source>
        <translation>以逗号分隔，例如 claude-sonnet-4-5, claude-haiku-4-5</translation>
    </message>
    <message>
        <source>Any client</source>
        <translation>任意客户端</translation>
    </message>
    <message>
        <source>Claude Code only</source>
        <translation>仅限 Claude Code</translation>
    </message>
</context>
<context>
    <name>Console::KeysPage</name>
    <message>
        <source>API keys</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>有效</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>%1 req · %2</source>
        <translation>%1 次请求 · %2</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Create an API key (%1)</source>
        <translation>创建 API 密钥（%1）</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Edit the selected key&apos;s settings, limits and restrictions</source>
        <translation>编辑所选密钥的设置、限额和访问限制</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Let the selected key make requests again</source>
        <translation>允许所选密钥重新发起请求</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Refuse the selected key&apos;s requests until it is enabled again</source>
        <translation>拒绝所选密钥的请求，直到重新启用</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Give the selected key a new secret; the old one stops working</source>
        <translation>为所选密钥生成新的密钥值；旧密钥将失效</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selected key (Del)</source>
        <translation>删除所选密钥（Del）</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Load the keys again (F5)</source>
        <translation>重新加载密钥（F5）</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Search names, notes and key hints… (Ctrl+F)</source>
        <translation>搜索名称、备注和密钥提示…（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search API keys</source>
        <translation>搜索 API 密钥</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>状态(&amp;S)：</translation>
    </message>
    <message>
        <source>Status filter</source>
        <translation>状态筛选</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>T&amp;ag:</source>
        <translation>标签(&amp;A)：</translation>
    </message>
    <message>
        <source>Tag filter</source>
        <translation>标签筛选</translation>
    </message>
    <message>
        <source>any tag</source>
        <translation>任意标签</translation>
    </message>
    <message>
        <source>S&amp;ort:</source>
        <translation>排序(&amp;O)：</translation>
    </message>
    <message>
        <source>Sort order</source>
        <translation>排序方式</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation>最新创建优先</translation>
    </message>
    <message>
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>限额</translation>
    </message>
    <message>
        <source>Binding</source>
        <translation>绑定</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Could not load the API keys: %1</source>
        <translation>无法加载 API 密钥：%1</translation>
    </message>
    <message>
        <source>Could not load</source>
        <translation>无法加载</translation>
    </message>
    <message>
        <source>Loading the API keys…</source>
        <translation>正在加载 API 密钥…</translation>
    </message>
    <message>
        <source>No API key matches the search and filters.</source>
        <translation>没有与搜索和筛选条件匹配的 API 密钥。</translation>
    </message>
    <message>
        <source>No API keys yet.
Create one with New (Ctrl+N): clients send it as x-api-key or as a bearer token instead of an Anthropic key.</source>
        <translation>还没有 API 密钥。
使用“新建”（Ctrl+N）创建一个：客户端以 x-api-key 或 Bearer 令牌的形式发送它，以代替 Anthropic 密钥。</translation>
    </message>
    <message>
        <source>No keys</source>
        <translation>没有密钥</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>第 %1–%2 个，共 %3 个</translation>
    </message>
    <message>
        <source>Account: %1</source>
        <translation>账户：%1</translation>
    </message>
    <message>
        <source>Group: %1</source>
        <translation>分组：%1</translation>
    </message>
    <message>
        <source>shared pool</source>
        <translation>共享池</translation>
    </message>
    <message>
        <source>%1 concurrent</source>
        <translation>并发 %1</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 req/%2</source>
        <translation>%1 次请求/%2</translation>
    </message>
    <message>
        <source>%1 tokens/%2</source>
        <translation>%1 令牌/%2</translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <source>%1/day</source>
        <translation>%1/天</translation>
    </message>
    <message>
        <source>%1 %2/week</source>
        <translation>%1 %2/周</translation>
    </message>
    <message>
        <source>%1 total</source>
        <translation>总计 %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Created the API key &quot;%1&quot;.</source>
        <translation>已创建 API 密钥“%1”。</translation>
    </message>
    <message>
        <source>Saved the API key &quot;%1&quot;.</source>
        <translation>已保存 API 密钥“%1”。</translation>
    </message>
    <message>
        <source>Enabling &quot;%1&quot;…</source>
        <translation>正在启用“%1”…</translation>
    </message>
    <message>
        <source>Disabling &quot;%1&quot;…</source>
        <translation>正在停用“%1”…</translation>
    </message>
    <message>
        <source>Could not change &quot;%1&quot;: %2</source>
        <translation>无法更改“%1”：%2</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is enabled.</source>
        <translation>“%1”已启用。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is disabled: its requests are refused.</source>
        <translation>“%1”已停用：其请求将被拒绝。</translation>
    </message>
    <message>
        <source>Regenerate API key</source>
        <translation>重新生成 API 密钥</translation>
    </message>
    <message>
        <source>Give &quot;%1&quot; a new secret?

The current key stops working at once; every client that uses it needs the new one.</source>
        <translation>为“%1”生成新的密钥值？

当前密钥将立即失效；所有使用它的客户端都需要换用新密钥。</translation>
    </message>
    <message>
        <source>Regenerating &quot;%1&quot;…</source>
        <translation>正在重新生成“%1”…</translation>
    </message>
    <message>
        <source>Could not regenerate &quot;%1&quot;: %2</source>
        <translation>无法重新生成“%1”：%2</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has a new secret; the old one is refused.</source>
        <translation>“%1”已生成新的密钥值；旧密钥将被拒绝。</translation>
    </message>
    <message>
        <source>Delete API key</source>
        <translation>删除 API 密钥</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;?

Its requests are refused from now on. Its usage history stays in the usage reports.</source>
        <translation>删除“%1”？

从现在起其请求将被拒绝。其用量历史仍保留在用量报表中。</translation>
    </message>
    <message>
        <source>Deleting &quot;%1&quot;…</source>
        <translation>正在删除“%1”…</translation>
    </message>
    <message>
        <source>Could not delete &quot;%1&quot;: %2</source>
        <translation>无法删除“%1”：%2</translation>
    </message>
    <message>
        <source>Deleted &quot;%1&quot;.</source>
        <translation>已删除“%1”。</translation>
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
    <message>
        <source>&amp;Level</source>
        <translation>级别(&amp;L)</translation>
    </message>
    <message>
        <source>Trace and above</source>
        <translation>Trace 及以上</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>Debug 及以上</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Info 及以上</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>仅错误</translation>
    </message>
    <message>
        <source>Critical only</source>
        <translation>仅严重错误</translation>
    </message>
    <message>
        <source>Minimum log level</source>
        <translation>最低日志级别</translation>
    </message>
    <message>
        <source>Search messages and logger names (Ctrl+F)</source>
        <translation>搜索消息和记录器名称（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search the log</source>
        <translation>搜索日志</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Clear the view; new lines keep coming (Ctrl+L)</source>
        <translation>清空视图；新日志行仍会继续显示（Ctrl+L）</translation>
    </message>
    <message>
        <source>Clear the view</source>
        <translation>清空视图</translation>
    </message>
    <message>
        <source>Log lines</source>
        <translation>日志行</translation>
    </message>
    <message>
        <source>No log lines match the level and search yet. New lines appear here as the relay writes them.</source>
        <translation>暂无符合级别和搜索条件的日志行。中继写入新日志时会显示在这里。</translation>
    </message>
    <message>
        <source>Could not load the log: %1</source>
        <translation>无法加载日志：%1</translation>
    </message>
    <message>
        <source>The live log stopped (HTTP %1): %2</source>
        <translation>实时日志已中断（HTTP %1）：%2</translation>
    </message>
    <message>
        <source>The live log stopped: %1</source>
        <translation>实时日志已中断：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n line(s) missing here: the relay&apos;s log ring wrapped before they were sent.</source>
        <translation>
            <numerusform>此处缺少 %n 行：中继的日志环形缓冲区在发送这些行之前已被覆盖。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n line(s) received while paused are not shown: the pause buffer was full.</source>
        <translation>
            <numerusform>暂停期间收到的 %n 行未显示：暂停缓冲区已满。</numerusform>
        </translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume the live log</source>
        <translation>继续实时日志</translation>
    </message>
    <message>
        <source>Pause the live log</source>
        <translation>暂停实时日志</translation>
    </message>
    <message>
        <source>Show the lines received while paused and follow the tail again (Ctrl+P)</source>
        <translation>显示暂停期间收到的日志行并重新跟随最新日志（Ctrl+P）</translation>
    </message>
    <message>
        <source>Stop adding lines to the view; they are kept until Resume (Ctrl+P)</source>
        <translation>停止向视图添加日志行；这些行会保留到点击“继续”为止（Ctrl+P）</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message numerus="yes">
        <source>Paused: %n new line(s)</source>
        <translation>
            <numerusform>已暂停：%n 条新日志行</numerusform>
        </translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>● Live</source>
        <translation>● 实时</translation>
    </message>
    <message>
        <source>Not following</source>
        <translation>未跟随</translation>
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
    <message>
        <source>The relay could not start</source>
        <translation>中继无法启动</translation>
    </message>
    <message>
        <source>The bundled relay could not start:&lt;p&gt;%1&lt;/p&gt;Fix the cause (for example, choose another port with --listen or in relaydeck.conf if another program uses it), then start the relay again from the Relay menu.</source>
        <translation>内置中继无法启动：&lt;p&gt;%1&lt;/p&gt;请排除原因（例如端口被其他程序占用时，通过 --listen 或在 relaydeck.conf 中选择其他端口），然后从“中继”菜单重新启动中继。</translation>
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
    <name>Console::NewKeyDialog</name>
    <message>
        <source>API key created</source>
        <translation>API 密钥已创建</translation>
    </message>
    <message>
        <source>API key regenerated</source>
        <translation>API 密钥已重新生成</translation>
    </message>
    <message>
        <source>The API key &quot;%1&quot; was created. Give this key to its user:</source>
        <translation>API 密钥“%1”已创建。请将此密钥交给其使用者：</translation>
    </message>
    <message>
        <source>The API key &quot;%1&quot; has a new secret; the old one no longer works. Give this key to its user:</source>
        <translation>API 密钥“%1”已生成新的密钥值，旧密钥不再可用。请将此密钥交给其使用者：</translation>
    </message>
    <message>
        <source>New API key</source>
        <translation>新的 API 密钥</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the key to the clipboard</source>
        <translation>将密钥复制到剪贴板</translation>
    </message>
    <message>
        <source>This key will not be shown again. The relay keeps only a hash of it: copy it now and store it safely.</source>
        <translation>此密钥不会再次显示。中继只保存其哈希值：请立即复制并妥善保管。</translation>
    </message>
</context>
<context>
    <name>Console::RedisPage</name>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
    <message>
        <source>%1 µs</source>
        <translation>%1 微秒</translation>
    </message>
    <message>
        <source>Slow log</source>
        <translation>慢日志</translation>
    </message>
    <message>
        <source>Commands</source>
        <translation>命令统计</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Redis views</source>
        <translation>Redis 视图</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Load the visible tab again (F5)</source>
        <translation>重新加载当前标签页（F5）</translation>
    </message>
    <message>
        <source>Slow log settings</source>
        <translation>慢日志设置</translation>
    </message>
    <message>
        <source>Log commands slower &amp;than</source>
        <translation>记录耗时超过(&amp;T)</translation>
    </message>
    <message>
        <source> µs</source>
        <translation> 微秒</translation>
    </message>
    <message>
        <source>never (off)</source>
        <translation>从不（关闭）</translation>
    </message>
    <message>
        <source>Slow log threshold in microseconds</source>
        <translation>慢日志阈值（微秒）</translation>
    </message>
    <message>
        <source>slowlog-log-slower-than: 0 logs every command, the lowest value turns the slow log off</source>
        <translation>slowlog-log-slower-than：0 表示记录每条命令，最小值表示关闭慢日志</translation>
    </message>
    <message>
        <source>&amp;Keep at most</source>
        <translation>最多保留(&amp;K)</translation>
    </message>
    <message>
        <source> entries</source>
        <translation> 条</translation>
    </message>
    <message>
        <source>Slow log length</source>
        <translation>慢日志长度</translation>
    </message>
    <message>
        <source>slowlog-max-len: older entries are dropped</source>
        <translation>slowlog-max-len：超出后丢弃较旧的条目</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>应用(&amp;A)</translation>
    </message>
    <message>
        <source>Apply slow log settings</source>
        <translation>应用慢日志设置</translation>
    </message>
    <message>
        <source>Change the Redis settings now (CONFIG SET; not written to redis.conf)</source>
        <translation>立即更改 Redis 设置（CONFIG SET；不写入 redis.conf）</translation>
    </message>
    <message>
        <source>Refresh every 2 s</source>
        <translation>每 2 秒刷新</translation>
    </message>
    <message>
        <source>Refresh the slow log every 2 seconds</source>
        <translation>每 2 秒刷新慢日志</translation>
    </message>
    <message>
        <source>&amp;Reset…</source>
        <translation>重置(&amp;R)…</translation>
    </message>
    <message>
        <source>Reset the slow log</source>
        <translation>重置慢日志</translation>
    </message>
    <message>
        <source>Empty the slow log (SLOWLOG RESET)</source>
        <translation>清空慢日志（SLOWLOG RESET）</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Slow log entries</source>
        <translation>慢日志条目</translation>
    </message>
    <message>
        <source>&amp;Sort and chart by</source>
        <translation>排序和图表依据(&amp;S)</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>调用次数</translation>
    </message>
    <message>
        <source>Total time</source>
        <translation>总耗时</translation>
    </message>
    <message>
        <source>Time per call</source>
        <translation>每次调用耗时</translation>
    </message>
    <message>
        <source>Rejected calls</source>
        <translation>被拒绝的调用</translation>
    </message>
    <message>
        <source>Failed calls</source>
        <translation>失败的调用</translation>
    </message>
    <message>
        <source>Sort commands by</source>
        <translation>命令排序依据</translation>
    </message>
    <message>
        <source>Per call</source>
        <translation>每次调用</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Command statistics</source>
        <translation>命令统计</translation>
    </message>
    <message>
        <source>Top commands chart</source>
        <translation>热门命令图表</translation>
    </message>
    <message>
        <source>Server (INFO)</source>
        <translation>服务器（INFO）</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>运行时间</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Connected clients</source>
        <translation>已连接客户端</translation>
    </message>
    <message>
        <source>Used memory</source>
        <translation>已用内存</translation>
    </message>
    <message>
        <source>Peak memory</source>
        <translation>内存峰值</translation>
    </message>
    <message>
        <source>Fragmentation ratio</source>
        <translation>碎片率</translation>
    </message>
    <message>
        <source>Operations per second</source>
        <translation>每秒操作数</translation>
    </message>
    <message>
        <source>Keyspace hit rate</source>
        <translation>键空间命中率</translation>
    </message>
    <message>
        <source>Keyspace</source>
        <translation>键空间</translation>
    </message>
    <message>
        <source>Persistence</source>
        <translation>持久化</translation>
    </message>
    <message>
        <source>Keys in the relay&apos;s database</source>
        <translation>中继数据库中的键</translation>
    </message>
    <message>
        <source>Latency events (LATENCY LATEST)</source>
        <translation>延迟事件（LATENCY LATEST）</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Last spike</source>
        <translation>最近尖峰</translation>
    </message>
    <message>
        <source>Latest</source>
        <translation>最近值</translation>
    </message>
    <message>
        <source>Worst</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>Latency events</source>
        <translation>延迟事件</translation>
    </message>
    <message>
        <source>Key prefix</source>
        <translation>键前缀</translation>
    </message>
    <message>
        <source>Keys (est.)</source>
        <translation>键数（估算）</translation>
    </message>
    <message>
        <source>Memory (est.)</source>
        <translation>内存（估算）</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Memory by key prefix</source>
        <translation>按键前缀统计内存</translation>
    </message>
    <message>
        <source>Memory by key prefix chart</source>
        <translation>按键前缀统计内存图表</translation>
    </message>
    <message>
        <source>Could not load the slow log: %1</source>
        <translation>无法加载慢日志：%1</translation>
    </message>
    <message>
        <source>Could not load the slow log settings: %1</source>
        <translation>无法加载慢日志设置：%1</translation>
    </message>
    <message>
        <source>Changing the slow log settings…</source>
        <translation>正在更改慢日志设置…</translation>
    </message>
    <message>
        <source>The slow log settings were not changed: %1</source>
        <translation>慢日志设置未更改：%1</translation>
    </message>
    <message>
        <source>Threshold: %1</source>
        <translation>阈值：%1</translation>
    </message>
    <message>
        <source>Length: %1</source>
        <translation>长度：%1</translation>
    </message>
    <message>
        <source>Slow log settings changed.</source>
        <translation>慢日志设置已更改。</translation>
    </message>
    <message>
        <source>Remove all entries from the Redis slow log? This cannot be undone.</source>
        <translation>删除 Redis 慢日志中的所有条目？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Resetting the slow log…</source>
        <translation>正在重置慢日志…</translation>
    </message>
    <message>
        <source>The slow log was not reset: %1</source>
        <translation>慢日志未重置：%1</translation>
    </message>
    <message>
        <source>The slow log is empty.</source>
        <translation>慢日志为空。</translation>
    </message>
    <message>
        <source>(slow log off)</source>
        <translation>（慢日志已关闭）</translation>
    </message>
    <message>
        <source>(every command)</source>
        <translation>（记录每条命令）</translation>
    </message>
    <message>
        <source>Loading the slow log…</source>
        <translation>正在加载慢日志…</translation>
    </message>
    <message>
        <source>The slow log is empty and turned off: set a threshold to record commands.</source>
        <translation>慢日志为空且已关闭：请设置阈值以记录命令。</translation>
    </message>
    <message>
        <source>The slow log is empty: no command took longer than %1 since the last reset.</source>
        <translation>慢日志为空：自上次重置以来没有耗时超过 %1 的命令。</translation>
    </message>
    <message>
        <source>%1 entries in the slow log; the newest %2 are shown.</source>
        <translation>慢日志中有 %1 条记录；显示最新的 %2 条。</translation>
    </message>
    <message>
        <source>Entries in the slow log: %1.</source>
        <translation>慢日志条目数：%1。</translation>
    </message>
    <message>
        <source>Could not load the command statistics: %1</source>
        <translation>无法加载命令统计：%1</translation>
    </message>
    <message>
        <source>total time (ms)</source>
        <translation>总耗时（毫秒）</translation>
    </message>
    <message>
        <source>time per call (µs)</source>
        <translation>每次调用耗时（微秒）</translation>
    </message>
    <message>
        <source>calls</source>
        <translation>调用次数</translation>
    </message>
    <message>
        <source>rejected calls</source>
        <translation>被拒绝的调用次数</translation>
    </message>
    <message>
        <source>failed calls</source>
        <translation>失败的调用次数</translation>
    </message>
    <message>
        <source>Nothing to chart yet</source>
        <translation>暂无可绘制的数据</translation>
    </message>
    <message>
        <source>Top commands by %1</source>
        <translation>按%1排列的热门命令</translation>
    </message>
    <message>
        <source>Could not load INFO: %1</source>
        <translation>无法加载 INFO：%1</translation>
    </message>
    <message>
        <source>Could not load the latency events: %1</source>
        <translation>无法加载延迟事件：%1</translation>
    </message>
    <message>
        <source>no lookups yet</source>
        <translation>尚无查找</translation>
    </message>
    <message>
        <source>%1 (%2 hits, %3 misses)</source>
        <translation>%1（命中 %2 次，未命中 %3 次）</translation>
    </message>
    <message>
        <source>%1: %2 keys, %3 with a TTL</source>
        <translation>%1：%2 个键，其中 %3 个设有 TTL</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>空</translation>
    </message>
    <message>
        <source>RDB snapshot in progress</source>
        <translation>正在进行 RDB 快照</translation>
    </message>
    <message>
        <source>RDB: last save %1 (%2), %3 changes since</source>
        <translation>RDB：上次保存于 %1（%2），此后有 %3 次更改</translation>
    </message>
    <message>
        <source>AOF: on (last write %1)</source>
        <translation>AOF：开启（上次写入 %1）</translation>
    </message>
    <message>
        <source>AOF: off</source>
        <translation>AOF：关闭</translation>
    </message>
    <message>
        <source>Loading the data set</source>
        <translation>正在加载数据集</translation>
    </message>
    <message>
        <source>No latency spikes recorded. Redis records them only when latency-monitor-threshold is set (CONFIG SET latency-monitor-threshold &lt;ms&gt;).</source>
        <translation>未记录到延迟尖峰。仅当设置了 latency-monitor-threshold 时 Redis 才会记录（CONFIG SET latency-monitor-threshold &lt;ms&gt;）。</translation>
    </message>
    <message>
        <source>The latest and the worst spike of each event Redis monitors.</source>
        <translation>Redis 所监控的每个事件的最近一次和最严重的延迟尖峰。</translation>
    </message>
    <message>
        <source>Sampling keys to estimate memory by prefix…</source>
        <translation>正在抽样键以按前缀估算内存…</translation>
    </message>
    <message>
        <source>Could not estimate memory: %1</source>
        <translation>无法估算内存：%1</translation>
    </message>
    <message>
        <source>Memory by key prefix is estimated from a sample of keys when this tab is shown.</source>
        <translation>显示此标签页时，会根据抽样的键估算按键前缀统计的内存。</translation>
    </message>
    <message>
        <source>The database holds no keys.</source>
        <translation>数据库中没有键。</translation>
    </message>
    <message>
        <source>All %1 keys measured: %2 in keys (MEMORY USAGE; server overhead not included).</source>
        <translation>已测量全部 %1 个键：键占用 %2（MEMORY USAGE；不含服务器开销）。</translation>
    </message>
    <message>
        <source>Estimated from a sample of %1 of %2 keys: about %3 in keys. Segments that look like ids, dates or hashes are shown as *.</source>
        <translation>根据 %2 个键中抽样的 %1 个估算：键约占用 %3。形似 ID、日期或哈希的片段显示为 *。</translation>
    </message>
    <message>
        <source>estimated MiB</source>
        <translation>估算 MiB</translation>
    </message>
    <message>
        <source>estimated KiB</source>
        <translation>估算 KiB</translation>
    </message>
    <message>
        <source>estimated bytes</source>
        <translation>估算字节</translation>
    </message>
    <message>
        <source>No keys sampled</source>
        <translation>未抽样到键</translation>
    </message>
    <message>
        <source>Largest key prefixes</source>
        <translation>占用最大的键前缀</translation>
    </message>
</context>
<context>
    <name>Console::RequestsPage</name>
    <message>
        <source>Requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>stream</source>
        <translation>流式</translation>
    </message>
    <message>
        <source>truncated</source>
        <translation>已截断</translation>
    </message>
    <message>
        <source>client left</source>
        <translation>客户端已断开</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>状态(&amp;S)：</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Successful (2xx)</source>
        <translation>成功（2xx）</translation>
    </message>
    <message>
        <source>Client errors (4xx)</source>
        <translation>客户端错误（4xx）</translation>
    </message>
    <message>
        <source>Server errors (5xx)</source>
        <translation>服务器错误（5xx）</translation>
    </message>
    <message>
        <source>All errors (400+)</source>
        <translation>所有错误（400+）</translation>
    </message>
    <message>
        <source>Status filter</source>
        <translation>状态筛选</translation>
    </message>
    <message>
        <source>&amp;Slower than:</source>
        <translation>慢于(&amp;S)：</translation>
    </message>
    <message>
        <source>any</source>
        <translation>不限</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <source>Minimum duration in milliseconds</source>
        <translation>最短耗时（毫秒）</translation>
    </message>
    <message>
        <source>Key id</source>
        <translation>密钥 ID</translation>
    </message>
    <message>
        <source>Only this key id</source>
        <translation>仅此密钥 ID</translation>
    </message>
    <message>
        <source>Account id</source>
        <translation>账户 ID</translation>
    </message>
    <message>
        <source>Only this account id</source>
        <translation>仅此账户 ID</translation>
    </message>
    <message>
        <source>&amp;Auto-refresh</source>
        <translation>自动刷新(&amp;A)</translation>
    </message>
    <message>
        <source>Reload the list every 2 seconds while this page is shown</source>
        <translation>显示此页面时每 2 秒重新加载列表</translation>
    </message>
    <message>
        <source>Auto-refresh</source>
        <translation>自动刷新</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Reload the list (F5)</source>
        <translation>重新加载列表（F5）</translation>
    </message>
    <message>
        <source>Recent requests</source>
        <translation>最近请求</translation>
    </message>
    <message>
        <source>Stages of the selected request</source>
        <translation>所选请求的各阶段</translation>
    </message>
    <message>
        <source>Select a request to see how long each stage took.</source>
        <translation>选择一个请求以查看各阶段的耗时。</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>总耗时</translation>
    </message>
    <message>
        <source>First byte</source>
        <translation>首字节</translation>
    </message>
    <message>
        <source>Relay overhead</source>
        <translation>中继开销</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Loading the recent requests…</source>
        <translation>正在加载最近请求…</translation>
    </message>
    <message>
        <source>Could not load the requests: %1</source>
        <translation>无法加载请求：%1</translation>
    </message>
    <message>
        <source>No recent request matches these filters.</source>
        <translation>没有符合这些筛选条件的最近请求。</translation>
    </message>
    <message>
        <source>No requests yet.
Every request the relay answers appears here with its stage timings (the last 1000 per worker are kept in memory).</source>
        <translation>暂无请求。
中继响应的每个请求都会连同各阶段耗时显示在这里（每个工作线程在内存中保留最近 1000 个）。</translation>
    </message>
    <message>
        <source>Showing the newest %1 of %2 requests kept</source>
        <translation>显示已保留的 %2 个请求中最新的 %1 个</translation>
    </message>
    <message>
        <source>Requests kept: %1</source>
        <translation>已保留请求：%1</translation>
    </message>
    <message>
        <source>no key</source>
        <translation>无密钥</translation>
    </message>
    <message>
        <source>no account</source>
        <translation>无账户</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · status %2 · %3 · key %4 → account %5 · attempts: %6 · tokens in %7, out %8 · total %9</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · 状态 %2 · %3 · 密钥 %4 → 账户 %5 · 尝试次数：%6 · 令牌 输入 %7，输出 %8 · 总耗时 %9</translation>
    </message>
    <message>
        <source> · error %1</source>
        <translation> · 错误 %1</translation>
    </message>
    <message>
        <source>Authentication</source>
        <translation>认证</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>限额检查</translation>
    </message>
    <message>
        <source>Account choice</source>
        <translation>选择账户</translation>
    </message>
    <message>
        <source>Upstream connect and send</source>
        <translation>连接上游并发送</translation>
    </message>
    <message>
        <source>Waiting for first byte</source>
        <translation>等待首字节</translation>
    </message>
    <message>
        <source>Streaming</source>
        <translation>流式传输</translation>
    </message>
    <message>
        <source>Response body</source>
        <translation>响应体</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>响应</translation>
    </message>
</context>
<context>
    <name>Console::SettingRow</name>
    <message>
        <source>Listen address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Worker threads</source>
        <translation>工作线程数</translation>
    </message>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <source>Config file</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <source>Redis key prefix</source>
        <translation>Redis 键前缀</translation>
    </message>
    <message>
        <source>Server secret file</source>
        <translation>服务器密钥文件</translation>
    </message>
    <message>
        <source>API key prefix</source>
        <translation>API 密钥前缀</translation>
    </message>
    <message>
        <source>Request body limit</source>
        <translation>请求体大小上限</translation>
    </message>
    <message>
        <source>Request head limit</source>
        <translation>请求头大小上限</translation>
    </message>
    <message>
        <source>Request head timeout</source>
        <translation>请求头超时</translation>
    </message>
    <message>
        <source>Keep-alive idle timeout</source>
        <translation>Keep-alive 空闲超时</translation>
    </message>
    <message>
        <source>Shutdown grace time</source>
        <translation>关闭宽限时间</translation>
    </message>
    <message>
        <source>Log level</source>
        <translation>日志级别</translation>
    </message>
    <message>
        <source>Log file</source>
        <translation>日志文件</translation>
    </message>
    <message>
        <source>Log file size limit</source>
        <translation>日志文件大小上限</translation>
    </message>
    <message>
        <source>Rotated log files kept</source>
        <translation>保留的轮转日志文件数</translation>
    </message>
    <message>
        <source>Request log sampling</source>
        <translation>请求日志采样率</translation>
    </message>
    <message>
        <source>Redis command timeout</source>
        <translation>Redis 命令超时</translation>
    </message>
    <message>
        <source>Usage write interval</source>
        <translation>用量写入间隔</translation>
    </message>
    <message>
        <source>Connect timeout</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <source>First byte timeout</source>
        <translation>首字节超时</translation>
    </message>
    <message>
        <source>Stream idle timeout</source>
        <translation>流空闲超时</translation>
    </message>
    <message>
        <source>Cleartext upstream protocol</source>
        <translation>明文上游协议</translation>
    </message>
    <message>
        <source>Failover retries</source>
        <translation>故障转移重试次数</translation>
    </message>
    <message>
        <source>Too large max_tokens</source>
        <translation>max_tokens 过大时</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <source>OAuth token URL</source>
        <translation>OAuth 令牌 URL</translation>
    </message>
    <message>
        <source>OAuth client id</source>
        <translation>OAuth 客户端 ID</translation>
    </message>
    <message>
        <source>Refresh ahead of expiry</source>
        <translation>提前刷新时间</translation>
    </message>
    <message>
        <source>Admin API access</source>
        <translation>管理 API 访问</translation>
    </message>
    <message>
        <source>Admin API address</source>
        <translation>管理 API 地址</translation>
    </message>
    <message>
        <source>First password file</source>
        <translation>初始密码文件</translation>
    </message>
    <message>
        <source>Session idle limit</source>
        <translation>会话空闲时限</translation>
    </message>
    <message>
        <source>Session lifetime</source>
        <translation>会话有效期</translation>
    </message>
    <message>
        <source>Price table override</source>
        <translation>价格表覆盖文件</translation>
    </message>
    <message>
        <source>set with a command-line option or environment variable only</source>
        <translation>只能通过命令行选项或环境变量设置</translation>
    </message>
    <message>
        <source>applies immediately</source>
        <translation>立即生效</translation>
    </message>
    <message>
        <source>takes effect when the relay restarts</source>
        <translation>中继重启后生效</translation>
    </message>
    <message>
        <source>%1 (&quot;%2&quot; in the config file)
%3
Default: %4</source>
        <translation>%1（配置文件中的“%2”）
%3
默认值：%4</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>unchanged — type a new value to replace it</source>
        <translation>未更改 — 输入新值以替换</translation>
    </message>
    <message>
        <source>Embedded (private redis-server)</source>
        <translation>内置（私有 redis-server）</translation>
    </message>
    <message>
        <source>External URL:</source>
        <translation>外部 URL：</translation>
    </message>
    <message>
        <source>Embedded Redis</source>
        <translation>内置 Redis</translation>
    </message>
    <message>
        <source>External Redis URL</source>
        <translation>外部 Redis URL</translation>
    </message>
    <message>
        <source>Reset to the default (%1)</source>
        <translation>重置为默认值（%1）</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>空</translation>
    </message>
    <message>
        <source>Reset %1 to the default</source>
        <translation>将%1重置为默认值</translation>
    </message>
    <message>
        <source>set by %1</source>
        <translation>由 %1 设置</translation>
    </message>
    <message>
        <source>set by option %1</source>
        <translation>由选项 %1 设置</translation>
    </message>
    <message>
        <source>%1 wins over the config file: a value saved here is not used while it is set</source>
        <translation>%1 优先于配置文件：设置了它时，此处保存的值不会生效</translation>
    </message>
    <message>
        <source>restart pending</source>
        <translation>待重启</translation>
    </message>
    <message>
        <source>The relay runs with %1; the saved value is used from its next start</source>
        <translation>中继当前使用 %1 运行；保存的值将在下次启动时生效</translation>
    </message>
</context>
<context>
    <name>Console::SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Restarting the relay…</source>
        <translation>正在重启中继…</translation>
    </message>
    <message>
        <source>Relay</source>
        <translation>中继</translation>
    </message>
    <message>
        <source>Console</source>
        <translation>控制台</translation>
    </message>
    <message>
        <source>The relay&apos;s settings, saved in its config file</source>
        <translation>中继的设置，保存在其配置文件中</translation>
    </message>
    <message>
        <source>Preferences of this console</source>
        <translation>此控制台的偏好设置</translation>
    </message>
    <message>
        <source>This relay runs without a config file (start it with --config FILE), so its settings are shown but cannot be saved here.</source>
        <translation>此中继运行时未使用配置文件（使用 --config FILE 启动），因此其设置仅供查看，无法在此保存。</translation>
    </message>
    <message>
        <source>Saved to the relay&apos;s config file %1</source>
        <translation>设置保存在中继的配置文件 %1 中</translation>
    </message>
    <message>
        <source>Loading the relay&apos;s settings…</source>
        <translation>正在加载中继设置…</translation>
    </message>
    <message>
        <source>The relay&apos;s settings appear here once it is connected.</source>
        <translation>连接到中继后，其设置将显示在这里。</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Read the settings from the relay again (F5); unsaved edits are dropped</source>
        <translation>从中继重新读取设置（F5）；未保存的修改将被丢弃</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <source>Drop the edits that were not applied</source>
        <translation>丢弃尚未应用的修改</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Save the changed settings to the config file (Ctrl+S)</source>
        <translation>将修改的设置保存到配置文件（Ctrl+S）</translation>
    </message>
    <message>
        <source>Reload settings</source>
        <translation>重新加载设置</translation>
    </message>
    <message>
        <source>Apply settings</source>
        <translation>应用设置</translation>
    </message>
    <message>
        <source>Restart the relay now</source>
        <translation>立即重启中继</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Console &amp;language:</source>
        <translation>控制台语言(&amp;L)：</translation>
    </message>
    <message>
        <source>Console language</source>
        <translation>控制台语言</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>&amp;Keep the relay running in the tray when the window is closed</source>
        <translation>关闭窗口时让中继在托盘中继续运行(&amp;K)</translation>
    </message>
    <message>
        <source>Keep running in the tray</source>
        <translation>在托盘中继续运行</translation>
    </message>
    <message>
        <source>Closing the window then leaves the bundled relay serving; quit from the tray icon&apos;s menu.</source>
        <translation>这样关闭窗口后内置中继会继续提供服务；请从托盘图标的菜单中退出。</translation>
    </message>
    <message>
        <source>Only used with the bundled relay; this console is connected to a remote one.</source>
        <translation>仅用于内置中继；此控制台当前连接的是远程中继。</translation>
    </message>
    <message>
        <source>Admin password</source>
        <translation>管理员密码</translation>
    </message>
    <message>
        <source>Changes the password of the signed-in user (%1). Other sessions of this user end; this console stays signed in.</source>
        <translation>更改当前登录用户（%1）的密码。该用户的其他会话将结束；此控制台保持登录。</translation>
    </message>
    <message>
        <source>not signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>&amp;Current password:</source>
        <translation>当前密码(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>新密码(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Repeat new password:</source>
        <translation>重复新密码(&amp;R)：</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Repeat new password</source>
        <translation>重复新密码</translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation>
            <numerusform>至少 %n 个字符</numerusform>
        </translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>更改密码</translation>
    </message>
    <message>
        <source>Listener</source>
        <translation>监听</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>工作线程</translation>
    </message>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
    <message>
        <source>Logging</source>
        <translation>日志记录</translation>
    </message>
    <message>
        <source>Upstream and timeouts</source>
        <translation>上游与超时</translation>
    </message>
    <message>
        <source>Pricing and limits</source>
        <translation>价格与限额</translation>
    </message>
    <message>
        <source>Admin API</source>
        <translation>管理 API</translation>
    </message>
    <message>
        <source>Claude OAuth accounts</source>
        <translation>Claude OAuth 账户</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>The settings could not be loaded.</source>
        <translation>无法加载设置。</translation>
    </message>
    <message>
        <source>Could not load the relay&apos;s settings: %1</source>
        <translation>无法加载中继设置：%1</translation>
    </message>
    <message>
        <source>The config file cannot be read, so the values below may not be what it says: %1</source>
        <translation>无法读取配置文件，因此下面的值可能与文件内容不一致：%1</translation>
    </message>
    <message>
        <source>Nothing to apply: no setting was changed.</source>
        <translation>无需应用：没有修改任何设置。</translation>
    </message>
    <message>
        <source>Saving the changed settings…</source>
        <translation>正在保存修改的设置…</translation>
    </message>
    <message>
        <source>Nothing was saved, because of invalid values: %1</source>
        <translation>由于存在无效值，未保存任何内容：%1</translation>
    </message>
    <message>
        <source>The settings were not saved: %1</source>
        <translation>设置未保存：%1</translation>
    </message>
    <message>
        <source>The config file already had these values.</source>
        <translation>配置文件中已是这些值。</translation>
    </message>
    <message>
        <source>Saved to %1.</source>
        <translation>已保存到 %1。</translation>
    </message>
    <message>
        <source>Applied now: %1.</source>
        <translation>已立即生效：%1。</translation>
    </message>
    <message>
        <source>Takes effect after a restart: %1.</source>
        <translation>重启后生效：%1。</translation>
    </message>
    <message>
        <source>Not used while an environment variable or option sets it: %1.</source>
        <translation>因已由环境变量或选项设置而不生效：%1。</translation>
    </message>
    <message>
        <source>Restart required: saved changes to %1 take effect when the relay restarts.</source>
        <translation>需要重启：对 %1 的已保存修改将在中继重启后生效。</translation>
    </message>
    <message>
        <source>Restart relaydeckd on the relay&apos;s machine.</source>
        <translation>请在中继所在的机器上重启 relaydeckd。</translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation>请输入当前密码。</translation>
    </message>
    <message numerus="yes">
        <source>The new password needs at least %n characters.</source>
        <translation>
            <numerusform>新密码至少需要 %n 个字符。</numerusform>
        </translation>
    </message>
    <message>
        <source>The new password is the same as the current one.</source>
        <translation>新密码与当前密码相同。</translation>
    </message>
    <message>
        <source>The two new passwords are not the same.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <source>The password was not changed: %1</source>
        <translation>密码未更改：%1</translation>
    </message>
    <message>
        <source>Changing the password…</source>
        <translation>正在更改密码…</translation>
    </message>
    <message>
        <source>The password was changed. Other sessions of %1 were ended.</source>
        <translation>密码已更改。%1 的其他会话已结束。</translation>
    </message>
</context>
<context>
    <name>Console::UsagePage</name>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <source>%1 (deleted)</source>
        <translation>%1（已删除）</translation>
    </message>
    <message>
        <source>Not in the cost: requests to a model without a known price (%1)</source>
        <translation>未计入费用：请求的模型没有已知价格（%1）</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>显示(&amp;S)：</translation>
    </message>
    <message>
        <source>Whole relay</source>
        <translation>整个中继</translation>
    </message>
    <message>
        <source>One API key</source>
        <translation>单个 API 密钥</translation>
    </message>
    <message>
        <source>One account</source>
        <translation>单个账户</translation>
    </message>
    <message>
        <source>By model</source>
        <translation>按模型</translation>
    </message>
    <message>
        <source>Usage of</source>
        <translation>用量范围</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>时段(&amp;P)：</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 48 hours</source>
        <translation>最近 48 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>时段</translation>
    </message>
    <message>
        <source>&amp;Chart:</source>
        <translation>图表(&amp;C)：</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>令牌数</translation>
    </message>
    <message>
        <source>Chart metric</source>
        <translation>图表指标</translation>
    </message>
    <message>
        <source>API keys</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Top list of</source>
        <translation>排行对象</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Reload the usage (F5)</source>
        <translation>重新加载用量（F5）</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Save the table of buckets as a CSV file (Ctrl+E)</source>
        <translation>将分时段数据表保存为 CSV 文件（Ctrl+E）</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>Usage chart</source>
        <translation>用量图表</translation>
    </message>
    <message>
        <source>Usage per period</source>
        <translation>各时段用量</translation>
    </message>
    <message>
        <source>Top users</source>
        <translation>用量排行</translation>
    </message>
    <message>
        <source>Activate a key or an account to see its own usage</source>
        <translation>双击（或按回车）某个密钥或账户以查看其自身的用量</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Input tokens</source>
        <translation>输入令牌</translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation>输出令牌</translation>
    </message>
    <message>
        <source>Cache write</source>
        <translation>缓存写入</translation>
    </message>
    <message>
        <source>Cache read</source>
        <translation>缓存读取</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>today and yesterday</source>
        <translation>今天和昨天</translation>
    </message>
    <message>
        <source>last %1 days</source>
        <translation>最近 %1 天</translation>
    </message>
    <message>
        <source>by cost</source>
        <translation>按费用</translation>
    </message>
    <message>
        <source>by requests</source>
        <translation>按请求数</translation>
    </message>
    <message>
        <source>by tokens</source>
        <translation>按令牌数</translation>
    </message>
    <message>
        <source>Models %1, %2</source>
        <translation>模型（%1，%2）</translation>
    </message>
    <message>
        <source>Top %1 %2, %3</source>
        <translation>%1排行（%2，%3）</translation>
    </message>
    <message>
        <source>Loading the API keys…</source>
        <translation>正在加载 API 密钥…</translation>
    </message>
    <message>
        <source>Loading the accounts…</source>
        <translation>正在加载账户…</translation>
    </message>
    <message>
        <source>Could not load the list: %1</source>
        <translation>无法加载列表：%1</translation>
    </message>
    <message>
        <source>There are no API keys yet.</source>
        <translation>还没有 API 密钥。</translation>
    </message>
    <message>
        <source>There are no accounts yet.</source>
        <translation>还没有账户。</translation>
    </message>
    <message>
        <source>Loading the usage…</source>
        <translation>正在加载用量…</translation>
    </message>
    <message>
        <source>Could not load the %1: %2</source>
        <translation>无法加载%1：%2</translation>
    </message>
    <message>
        <source>usage totals</source>
        <translation>用量汇总</translation>
    </message>
    <message>
        <source>usage per period</source>
        <translation>各时段用量</translation>
    </message>
    <message>
        <source>top list</source>
        <translation>排行榜</translation>
    </message>
    <message>
        <source>No usage loaded yet</source>
        <translation>尚未加载用量</translation>
    </message>
    <message>
        <source>Other models</source>
        <translation>其他模型</translation>
    </message>
    <message>
        <source>Successful</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Cost (USD)</source>
        <translation>费用（美元）</translation>
    </message>
    <message>
        <source>per hour</source>
        <translation>每小时</translation>
    </message>
    <message>
        <source>per day</source>
        <translation>每天</translation>
    </message>
    <message>
        <source>%1 %2 by model, %3</source>
        <translation>%2%1（按模型，%3）</translation>
    </message>
    <message>
        <source>%1 %2, %3</source>
        <translation>%2%1（%3）</translation>
    </message>
    <message>
        <source>There is nothing to export yet.</source>
        <translation>还没有可导出的数据。</translation>
    </message>
    <message>
        <source>Export usage as CSV</source>
        <translation>将用量导出为 CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Exporting %1 rows…</source>
        <translation>正在导出 %1 行…</translation>
    </message>
    <message>
        <source>Exporting… %1 of %2 rows</source>
        <translation>正在导出… 第 %1 行，共 %2 行</translation>
    </message>
    <message>
        <source>Exported %1 rows to %2</source>
        <translation>已将 %1 行导出到 %2</translation>
    </message>
    <message>
        <source>Could not export to %1: %2</source>
        <translation>无法导出到 %1：%2</translation>
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
        <source>The relay created the admin user &quot;%1&quot; with the password&lt;p&gt;&lt;b&gt;&lt;tt&gt;%2&lt;/tt&gt;&lt;/b&gt;&lt;/p&gt;It is also saved in %3 (readable only by you). This console signs in by itself; you need the password only to sign in from elsewhere.</source>
        <translation>中继已创建管理员用户“%1”，密码为&lt;p&gt;&lt;b&gt;&lt;tt&gt;%2&lt;/tt&gt;&lt;/b&gt;&lt;/p&gt;它也保存在 %3 中（仅您可读）。此控制台会自动登录；只有从其他地方登录时才需要该密码。</translation>
    </message>
</context>
</TS>
