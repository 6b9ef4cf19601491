// SPDX-License-Identifier: GPL-3.0-or-later
// Runs autocannon programmatically with the options of its command line and prints one JSON line with throughput,
// latency percentiles (p50/p95/p99 from every response time, not autocannon's whole-millisecond histogram, so
// sub-millisecond differences at one connection show) and the error counts. With --expect each response body is
// checked too (autocannon counts failures as mismatches): json = a Message with usage, sse = a stream from
// message_start to message_stop.
//   node bench/load.mjs -c 100 -d 20 -p 10 -m POST -H name:value… -b BODY [--expect json|sse] URL
import autocannon from 'autocannon';

const o = {connections: 10, pipelining: 1, duration: 10, method: 'GET', headers: {}, body: undefined, expect: 'none'};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => args[++i];
    if (a === '-c')
        o.connections = Number(value());
    else if (a === '-d')
        o.duration = Number(value());
    else if (a === '-p')
        o.pipelining = Number(value());
    else if (a === '-m')
        o.method = value();
    else if (a === '-b')
        o.body = value();
    else if (a === '--expect')
        o.expect = value();
    else if (a === '-H') {
        const h = value();
        const colon = h.indexOf(':');
        o.headers[h.slice(0, colon)] = h.slice(colon + 1);
    } else
        o.url = a;
}
const expect = o.expect;
const verifyBody =
    expect === 'json'
        ? (body) => body.startsWith('{"id":"msg_') && body.includes('"usage":{"input_tokens":')
        : expect === 'sse'
        ? (body) => body.startsWith('event: message_start') && body.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')
        : undefined;

// Response times in ms, grown as needed (a 60 s run at 20k req/s is 1.2M doubles, under 10 MB).
let times = new Float64Array(1 << 16);
let count = 0;
const instance = autocannon({
    url: o.url,
    connections: o.connections,
    pipelining: o.pipelining,
    duration: o.duration,
    method: o.method,
    headers: o.headers,
    body: o.body,
    verifyBody,
    timeout: 30,
});
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode < 200 || statusCode >= 300)
        return;
    if (count === times.length) {
        const bigger = new Float64Array(times.length * 2);
        bigger.set(times);
        times = bigger;
    }
    times[count++] = responseTime;
});

const result = await instance;
const sorted = times.subarray(0, count).sort();
const pct = (p) => (count ? sorted[Math.min(count - 1, Math.floor((p / 100) * count))] : NaN);
const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
console.log(JSON.stringify({
    responses,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    resets: result.resets,
    seconds: result.duration,
    rps: responses / result.duration,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
}));
