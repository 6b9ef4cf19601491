#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// RelayDeck's mock Anthropic upstream, for tests, benchmarks and demos. Node built-ins only.
// Every control, endpoint and usage formula is documented in README.md next to this file; keep the two in step.
//
//   node mock-anthropic.mjs [--host 127.0.0.1] [--port 0] [--tls] [--cert FILE --key FILE]
//                           [--deltas N] [--delta-delay-ms D] [--first-byte-ms F] [--quiet]
//                           [--oauth-strict] [--token-expires-in S] [--token-delay-ms D]
//
// Prints exactly one line on stdout once listening: "MOCK_LISTENING port=<port> tls=<0|1>".

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
    const opts = {
        host: '127.0.0.1',
        port: 0,
        tls: false,
        cert: '',
        key: '',
        deltas: 10,
        deltaDelayMs: 0,
        firstByteMs: 0,
        quiet: false,
        oauthStrict: false,
        tokenExpiresIn: 3600,
        tokenDelayMs: 0,
    };
    const intArg = (name, v) => {
        const n = Number.parseInt(v, 10);
        if (!Number.isFinite(n) || n < 0) {
            die(`${name} needs a non-negative integer, got "${v}"`);
        }
        return n;
    };
    for (let i = 0; i < argv.length; ++i) {
        const a = argv[i];
        const next = () => {
            if (i + 1 >= argv.length) {
                die(`${a} needs a value`);
            }
            return argv[++i];
        };
        switch (a) {
        case '--host': opts.host = next(); break;
        case '--port': opts.port = intArg(a, next()); break;
        case '--tls': opts.tls = true; break;
        case '--cert': opts.cert = next(); break;
        case '--key': opts.key = next(); break;
        case '--deltas': opts.deltas = intArg(a, next()); break;
        case '--delta-delay-ms': opts.deltaDelayMs = intArg(a, next()); break;
        case '--first-byte-ms': opts.firstByteMs = intArg(a, next()); break;
        case '--quiet': opts.quiet = true; break;
        case '--oauth-strict': opts.oauthStrict = true; break;
        case '--token-expires-in': opts.tokenExpiresIn = intArg(a, next()); break;
        case '--token-delay-ms': opts.tokenDelayMs = intArg(a, next()); break;
        case '-h':
        case '--help':
            process.stdout.write('usage: node mock-anthropic.mjs [--host H] [--port P] [--tls] [--cert F --key F] ' +
                                 '[--deltas N] [--delta-delay-ms D] [--first-byte-ms F] [--quiet] ' +
                                 '[--oauth-strict] [--token-expires-in S] [--token-delay-ms D]\n');
            process.exit(0);
            break;
        default: die(`unknown argument "${a}" (try --help)`);
        }
    }
    if ((opts.cert === '') !== (opts.key === '')) {
        die('--cert and --key go together');
    }
    if (opts.cert !== '') {
        opts.tls = true;
    }
    return opts;
}

function die(message) {
    process.stderr.write(`mock-anthropic: ${message}\n`);
    process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const note = (message) => {
    if (!opts.quiet) {
        process.stderr.write(`mock-anthropic: ${message}\n`);
    }
};

// ---------------------------------------------------------------------------------------------------------------
// Constants shaped like the real API

const ORGANIZATION_ID = '00000000-0000-4000-8000-00000000a11c';
const DEFAULT_MODEL = 'claude-mock-model';
const H2_SETTINGS = { maxConcurrentStreams: 1000, initialWindowSize: 1 << 20 };
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const RECORD_LIMIT = 100;
const RECORD_BODY_INLINE_MAX = 65536;
const MODELS = [
    { type: 'model', id: 'claude-opus-4-5-20251101', display_name: 'Claude Opus 4.5', created_at: '2025-11-24T00:00:00Z' },
    { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
    { type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-15T00:00:00Z' },
    { type: 'model', id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
];
const MODELS_BODY = JSON.stringify({
    data: MODELS,
    has_more: false,
    first_id: MODELS[0].id,
    last_id: MODELS[MODELS.length - 1].id,
});

const ERRORS = {
    '400': { status: 400, type: 'invalid_request_error', message: 'Invalid request.' },
    '401': { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
    '403': { status: 403, type: 'permission_error', message: 'Your organization has been disabled.' },
    '404': { status: 404, type: 'not_found_error', message: 'Not found.' },
    '429': {
        status: 429,
        type: 'rate_limit_error',
        message: 'This request would exceed the rate limit for your organization. Please try again later.',
    },
    '500': { status: 500, type: 'api_error', message: 'Internal server error' },
    '529': { status: 529, type: 'overloaded_error', message: 'Overloaded' },
};
const FAULTS = new Set([
    ...Object.keys(ERRORS), 'reset_mid_stream', 'error_mid_stream', 'slow_first_byte', 'hang', 'bad_json',
]);

// ---------------------------------------------------------------------------------------------------------------
// Per-request controls: body "mock" object > x-mock-* headers > command line

const INT_CONTROLS = [
    'deltas', 'delta_delay_ms', 'first_byte_ms', 'input_tokens', 'cache_creation_5m', 'cache_creation_1h',
    'cache_read', 'retry_after', 'ratelimit_reset', 'fault_after',
];
const STRING_CONTROLS = ['text', 'fault', 'error_message', 'delta_usage'];
const HEADER_OF = Object.fromEntries(
    [...INT_CONTROLS, ...STRING_CONTROLS].map((c) => [c, 'x-mock-' + c.replaceAll('_', '-')]));

function toInt(v) {
    if (typeof v === 'number') {
        return Number.isInteger(v) && v >= 0 ? v : undefined;
    }
    if (typeof v === 'string' && /^\d+$/.test(v)) {
        return Number.parseInt(v, 10);
    }
    return undefined;
}

// Only x-mock-* headers matter here; scanning rawHeaders avoids building node's full header object per request.
function mockHeaders(raw) {
    let found = null;
    for (let i = 0; i + 1 < raw.length; i += 2) {
        const k = raw[i];
        if (k.length > 7 && (k.charCodeAt(0) | 0x20) === 0x78 && k.charCodeAt(1) === 0x2d) {
            const lower = k.toLowerCase();
            if (lower.startsWith('x-mock-')) {
                found ??= {};
                found[lower] = raw[i + 1];
            }
        }
    }
    return found ?? {};
}

function resolveControls(headers, bodyMock, pathFault) {
    const c = {
        deltas: opts.deltas,
        delta_delay_ms: opts.deltaDelayMs,
        first_byte_ms: opts.firstByteMs,
        input_tokens: undefined,
        cache_creation_5m: 0,
        cache_creation_1h: 0,
        cache_read: 0,
        retry_after: 1,
        ratelimit_reset: undefined,
        fault_after: 2,
        text: undefined,
        fault: pathFault || '',
        error_message: undefined,
        delta_usage: 'full',
    };
    const mock = bodyMock !== null && typeof bodyMock === 'object' && !Array.isArray(bodyMock) ? bodyMock : {};
    for (const name of INT_CONTROLS) {
        const fromBody = toInt(mock[name]);
        const fromHeader = toInt(headers[HEADER_OF[name]]);
        if (fromBody !== undefined) {
            c[name] = fromBody;
        } else if (fromHeader !== undefined) {
            c[name] = fromHeader;
        }
    }
    for (const name of STRING_CONTROLS) {
        let v = mock[name];
        if (typeof v === 'number') {
            v = String(v);
        }
        if (typeof v !== 'string') {
            v = headers[HEADER_OF[name]];
        }
        if (typeof v === 'string') {
            c[name] = v;
        }
    }
    if (!FAULTS.has(c.fault)) {
        c.fault = '';
    }
    if (c.fault === 'slow_first_byte' && toInt(mock.first_byte_ms) === undefined &&
        toInt(headers[HEADER_OF.first_byte_ms]) === undefined) {
        c.first_byte_ms = 2000;
    }
    return c;
}

// ---------------------------------------------------------------------------------------------------------------
// Precomputed pieces

let sequence = 0;
const nextId = () => String(++sequence).padStart(16, '0');

// Delta events depend only on (count, text), so they are built once and reused across requests.
const deltaCache = new Map();
function deltaSet(count, text) {
    const cacheKey = `${count}\u0000${text === undefined ? '\u0001' : text}`;
    let set = deltaCache.get(cacheKey);
    if (set === undefined) {
        const texts = [];
        for (let i = 0; i < count; ++i) {
            texts.push(text === undefined ? (i === 0 ? 'word0' : ` word${i}`) : text);
        }
        const events = texts.map(
            (t) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,` +
                   `"delta":{"type":"text_delta","text":${JSON.stringify(t)}}}\n\n`);
        set = { events, joined: events.join(''), fullTextJson: JSON.stringify(texts.join('')) };
        if (deltaCache.size > 1000) {
            deltaCache.clear();
        }
        deltaCache.set(cacheKey, set);
    }
    return set;
}

function usageOf(c, bodyBytes) {
    const input = c.input_tokens !== undefined ? c.input_tokens : Math.ceil(bodyBytes / 4);
    return {
        input,
        c5m: c.cache_creation_5m,
        c1h: c.cache_creation_1h,
        read: c.cache_read,
        output: c.deltas,
    };
}

function usageJson(u, output) {
    return `{"input_tokens":${u.input},"cache_creation_input_tokens":${u.c5m + u.c1h},` +
           `"cache_read_input_tokens":${u.read},"cache_creation":{"ephemeral_5m_input_tokens":${u.c5m},` +
           `"ephemeral_1h_input_tokens":${u.c1h}},"output_tokens":${output},"service_tier":"standard"}`;
}

function messageJson(id, modelJson, c, u) {
    const set = deltaSet(c.deltas, c.text);
    return `{"id":"msg_mock_${id}","type":"message","role":"assistant","model":${modelJson},` +
           `"content":[{"type":"text","text":${set.fullTextJson}}],"stop_reason":"end_turn","stop_sequence":null,` +
           `"usage":${usageJson(u, u.output)}}`;
}

function streamHead(id, modelJson, u) {
    return `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_mock_${id}","type":"message",` +
           `"role":"assistant","model":${modelJson},"content":[],"stop_reason":null,"stop_sequence":null,` +
           `"usage":${usageJson(u, 1)}}}\n\n` +
           'event: content_block_start\ndata: {"type":"content_block_start","index":0,' +
           '"content_block":{"type":"text","text":""}}\n\n' +
           'event: ping\ndata: {"type": "ping"}\n\n';
}

function streamTail(c, u) {
    const usage = c.delta_usage === 'output'
        ? `{"output_tokens":${u.output}}`
        : `{"input_tokens":${u.input},"cache_creation_input_tokens":${u.c5m + u.c1h},` +
          `"cache_read_input_tokens":${u.read},"output_tokens":${u.output}}`;
    return 'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
           'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn",' +
           `"stop_sequence":null},"usage":${usage}}\n\n` +
           'event: message_stop\ndata: {"type":"message_stop"}\n\n';
}

const STREAM_ERROR_EVENT =
    'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';

// ---------------------------------------------------------------------------------------------------------------
// Recording and statistics (cheap: a ring of 100 entries, hashes computed only for bodies kept out of line)

const records = [];
let stats;
function resetStats() {
    stats = {
        requests_total: 0,
        by_path: {},
        by_protocol: { h1: 0, h2: 0 },
        by_status: {},
        connections_open: stats ? stats.connections_open : 0,
        connections_total: 0,
        h2_sessions_total: 0,
        in_flight: stats ? stats.in_flight : 0,
        max_in_flight: stats ? stats.in_flight : 0,
        oauth_token_requests: 0,
        oauth_tokens_issued: 0,
    };
}
resetStats();

// ---------------------------------------------------------------------------------------------------------------
// OAuth: the token endpoint's state (refresh tokens are single-use, like a real OAuth server's)

let oauth;
function resetOAuth() {
    oauth = {
        strict: opts.oauthStrict,
        expiresIn: opts.tokenExpiresIn,
        delayMs: opts.tokenDelayMs,
        clientId: '',                // '' = any non-empty client_id is accepted
        refreshTokens: new Set(),    // valid now: seeded or issued, not yet used
        accessTokens: new Map(),     // token -> expiry in ms since the epoch
        issued: 0,
    };
}
resetOAuth();

function oauthStateJson() {
    return JSON.stringify({
        strict: oauth.strict,
        expires_in: oauth.expiresIn,
        delay_ms: oauth.delayMs,
        client_id: oauth.clientId,
        valid_refresh_tokens: oauth.refreshTokens.size,
        access_tokens: oauth.accessTokens.size,
        issued: oauth.issued,
    });
}

function configureOAuth(body) {
    let control;
    try {
        control = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
    } catch {
        return false;
    }
    if (control === null || typeof control !== 'object' || Array.isArray(control)) {
        return false;
    }
    if (typeof control.strict === 'boolean') {
        oauth.strict = control.strict;
    }
    if (toInt(control.expires_in) !== undefined) {
        oauth.expiresIn = toInt(control.expires_in);
    }
    if (toInt(control.delay_ms) !== undefined) {
        oauth.delayMs = toInt(control.delay_ms);
    }
    if (typeof control.client_id === 'string') {
        oauth.clientId = control.client_id;
    }
    if (Array.isArray(control.refresh_tokens)) {
        for (const t of control.refresh_tokens) {
            if (typeof t === 'string' && t !== '') {
                oauth.refreshTokens.add(t);
            }
        }
    }
    if (control.access_tokens !== null && typeof control.access_tokens === 'object') {
        for (const [t, seconds] of Object.entries(control.access_tokens)) {
            const s = toInt(seconds);
            if (s !== undefined) {
                oauth.accessTokens.set(t, Date.now() + s * 1000);
            }
        }
    }
    return true;
}

function sendOAuthError(res, status, error, description) {
    sendJson(res, status, { 'content-type': 'application/json', 'cache-control': 'no-store' },
             JSON.stringify({ error, error_description: description }));
}

// POST /v1/oauth/token with {grant_type: "refresh_token", refresh_token, client_id} (JSON or form-encoded).
function answerToken(req, res, body, c, requestId) {
    if (ERRORS[c.fault] !== undefined) {
        sendError(res, requestId, c.fault, c);
        return;
    }
    if (c.fault === 'bad_json') {
        sendJson(res, 200, { 'content-type': 'application/json' }, '{"access_token":"mock-at-');
        return;
    }
    if (req.method !== 'POST') {
        sendOAuthError(res, 405, 'invalid_request', 'The token endpoint takes POST.');
        return;
    }
    let params = null;
    const text = body.toString('utf8');
    const type = String(req.headers['content-type'] || '');
    if (type.startsWith('application/x-www-form-urlencoded')) {
        params = Object.fromEntries(new URLSearchParams(text));
    } else {
        try {
            params = JSON.parse(text);
        } catch {
            params = null;
        }
    }
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
        sendOAuthError(res, 400, 'invalid_request', 'The request body is not a JSON object.');
        return;
    }
    if (params.grant_type !== 'refresh_token') {
        sendOAuthError(res, 400, 'unsupported_grant_type', 'Only grant_type refresh_token is supported.');
        return;
    }
    if (typeof params.client_id !== 'string' || params.client_id === '' ||
        (oauth.clientId !== '' && params.client_id !== oauth.clientId)) {
        sendOAuthError(res, 401, 'invalid_client', 'Unknown client_id.');
        return;
    }
    if (typeof params.refresh_token !== 'string' || !oauth.refreshTokens.delete(params.refresh_token)) {
        sendOAuthError(res, 400, 'invalid_grant', 'Refresh token not found or invalid.');
        return;
    }
    const n = ++oauth.issued;
    stats.oauth_tokens_issued += 1;
    const accessToken = `mock-at-${n}`;
    const refreshToken = `mock-rt-${n}`;
    oauth.refreshTokens.add(refreshToken);
    oauth.accessTokens.set(accessToken, Date.now() + oauth.expiresIn * 1000);
    sendJson(res, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify({
        token_type: 'Bearer',
        access_token: accessToken,
        refresh_token: refreshToken,
        expires_in: oauth.expiresIn,
        scope: 'user:inference user:profile',
    }));
}

// In strict mode a Bearer token must be one the token endpoint issued (or a test seeded) and not expired.
function bearerRejection(raw) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
        if (raw[i].toLowerCase() !== 'authorization') {
            continue;
        }
        const m = /^Bearer\s+(\S+)$/i.exec(raw[i + 1]);
        if (m === null) {
            return null;
        }
        const expiresAt = oauth.accessTokens.get(m[1]);
        if (expiresAt === undefined) {
            return 'Invalid bearer token.';
        }
        if (Date.now() >= expiresAt) {
            return 'OAuth token has expired.';
        }
        return null;
    }
    return null;
}

// Headers are kept raw and turned into an object only when /_mock/requests is read.
function record(req, protocol, path, body) {
    const entry = {
        seq: stats.requests_total,
        time_ms: Date.now(),
        method: req.method,
        path,
        protocol,
        http_version: req.httpVersion,
        _raw_headers: req.rawHeaders,
        body_bytes: body.length,
        _body: body,
    };
    if (body.length > RECORD_BODY_INLINE_MAX) {
        entry.body_sha256 = createHash('sha256').update(body).digest('hex');
        entry._body = null;
    }
    records.push(entry);
    if (records.length > RECORD_LIMIT) {
        records.shift();
    }
}

function headerObject(raw) {
    const headers = {};
    for (let i = 0; i + 1 < raw.length; i += 2) {
        const k = raw[i].toLowerCase();
        if (k[0] === ':') {
            continue;
        }
        headers[k] = headers[k] === undefined ? raw[i + 1] : `${headers[k]}, ${raw[i + 1]}`;
    }
    return headers;
}

function recordsJson() {
    return JSON.stringify(records.map((r) => {
        const out = { ...r, headers: headerObject(r._raw_headers) };
        delete out._body;
        delete out._raw_headers;
        if (r._body !== null) {
            out.body_sha256 = createHash('sha256').update(r._body).digest('hex');
            out.body = r._body.toString('utf8');
        }
        return out;
    }));
}

// ---------------------------------------------------------------------------------------------------------------
// Request handling (one handler for HTTP/1.1, h2c and TLS; the compat API looks the same for both protocols)

function baseHeaders(requestId, contentType) {
    return {
        'content-type': contentType,
        'request-id': `req_mock_${requestId}`,
        'anthropic-organization-id': ORGANIZATION_ID,
    };
}

function sendJson(res, status, headers, body) {
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(status, headers);
    res.end(body);
}

function sendError(res, requestId, key, c) {
    const e = ERRORS[key];
    const message = c && c.error_message !== undefined ? c.error_message : e.message;
    const headers = baseHeaders(requestId, 'application/json');
    if (e.status === 429) {
        const retryAfter = c ? c.retry_after : 1;
        const reset = c && c.ratelimit_reset !== undefined ? c.ratelimit_reset
                                                            : Math.floor(Date.now() / 1000) + retryAfter;
        headers['retry-after'] = String(retryAfter);
        headers['anthropic-ratelimit-unified-status'] = 'rejected';
        headers['anthropic-ratelimit-unified-reset'] = String(reset);
    }
    if (e.status === 429 || e.status >= 500) {
        headers['x-should-retry'] = 'true';
    }
    const body = `{"type":"error","error":{"type":"${e.type}","message":${JSON.stringify(message)}},` +
                 `"request_id":"req_mock_${requestId}"}`;
    sendJson(res, e.status, headers, body);
}

function isGone(res) {
    return res.writableEnded || (res.stream ? res.stream.destroyed : res.destroyed);
}

// Runs fn after ms, unless the client has gone by then.
function later(res, ms, fn) {
    if (ms <= 0) {
        fn();
        return;
    }
    const onClose = () => clearTimeout(t);
    const t = setTimeout(() => {
        res.removeListener('close', onClose);
        if (!isGone(res)) {
            fn();
        }
    }, ms);
    res.once('close', onClose);
}

// The short pause lets already written frames leave before the reset; an h2 RST_STREAM would drop queued DATA.
function cutConnection(req, res) {
    setTimeout(() => cutNow(req, res), 20);
}

function cutNow(req, res) {
    if (res.stream) {
        res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    } else if (typeof req.socket.resetAndDestroy === 'function') {
        req.socket.resetAndDestroy();
    } else {
        req.socket.destroy();
    }
}

function normalisePath(rawUrl) {
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const v1 = path.indexOf('/v1/');
    return v1 > 0 ? path.slice(v1) : path;
}

// A base URL ending in /_fault/<name> makes every request through it fail that way (lowest precedence), so a test
// can give one upstream account a fault and another none while both use one mock.
function pathFault(rawUrl) {
    const m = /^\/_fault\/([a-z0-9_]+)\//.exec(rawUrl);
    return m ? m[1] : '';
}

function queryParam(rawUrl, name) {
    const q = rawUrl.indexOf('?');
    return q < 0 ? null : new URLSearchParams(rawUrl.slice(q + 1)).get(name);
}

function handle(req, res) {
    const protocol = req.httpVersionMajor === 2 ? 'h2' : 'h1';
    const path = normalisePath(req.url);
    const isMock = path.startsWith('/_mock/');
    if (!isMock) {
        stats.requests_total += 1;
        stats.by_path[path] = (stats.by_path[path] || 0) + 1;
        stats.by_protocol[protocol] += 1;
        stats.in_flight += 1;
        if (stats.in_flight > stats.max_in_flight) {
            stats.max_in_flight = stats.in_flight;
        }
        let done = false;
        res.once('close', () => {
            if (!done) {
                done = true;
                stats.in_flight -= 1;
            }
        });
        res.once('finish', () => {
            stats.by_status[res.statusCode] = (stats.by_status[res.statusCode] || 0) + 1;
        });
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        if (!isMock) {
            record(req, protocol, req.url, body);
        }
        route(req, res, path, body);
    });
}

function route(req, res, path, body) {
    const requestId = nextId();
    const method = req.method;
    if (path.startsWith('/_mock/')) {
        const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
        if (path === '/_mock/requests' && method === 'GET') {
            sendJson(res, 200, headers, recordsJson());
        } else if (path === '/_mock/stats' && method === 'GET') {
            sendJson(res, 200, headers, JSON.stringify(stats));
        } else if (path === '/_mock/reset' && method === 'POST') {
            records.length = 0;
            resetStats();
            resetOAuth();
            sendJson(res, 200, headers, '{"ok":true}');
        } else if (path === '/_mock/oauth' && method === 'GET') {
            sendJson(res, 200, headers, oauthStateJson());
        } else if (path === '/_mock/oauth' && method === 'POST') {
            if (configureOAuth(body)) {
                sendJson(res, 200, headers, oauthStateJson());
            } else {
                sendError(res, requestId, '400', { error_message: 'The control body must be a JSON object.' });
            }
        } else {
            sendError(res, requestId, '404');
        }
        return;
    }
    if (path === '/slow') {
        const ms = toInt(queryParam(req.url, 'ms')) ?? 0;
        later(res, ms, () => sendJson(res, 200, { 'content-type': 'application/json' }, `{"ok":true,"ms":${ms}}`));
        return;
    }
    if (!path.startsWith('/v1/')) {
        // Claude Code probes the base URL with HEAD / before its first call; any quick answer will do.
        if (path === '/' && (method === 'GET' || method === 'HEAD')) {
            sendJson(res, 200, { 'content-type': 'text/plain' }, 'mock-anthropic\n');
        } else {
            sendError(res, requestId, '404');
        }
        return;
    }

    if (path === '/v1/oauth/token') {
        stats.oauth_token_requests += 1;
        const c = resolveControls(mockHeaders(req.rawHeaders), undefined, pathFault(req.url));
        if (c.fault === 'hang') {
            return;
        }
        later(res, c.first_byte_ms + oauth.delayMs, () => answerToken(req, res, body, c, requestId));
        return;
    }

    let json = null;
    if (method === 'POST') {
        try {
            json = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
        } catch {
            sendError(res, requestId, '400', { error_message: 'Request body is not valid JSON.' });
            return;
        }
        if (json === null || typeof json !== 'object' || Array.isArray(json)) {
            sendError(res, requestId, '400', { error_message: 'Request body must be a JSON object.' });
            return;
        }
    }
    const c = resolveControls(mockHeaders(req.rawHeaders), json ? json.mock : undefined, pathFault(req.url));
    if (c.fault === 'hang') {
        return;
    }
    later(res, c.first_byte_ms, () => answer(req, res, path, method, json, body.length, c, requestId));
}

function answer(req, res, path, method, json, bodyBytes, c, requestId) {
    if (ERRORS[c.fault] !== undefined) {
        sendError(res, requestId, c.fault, c);
        return;
    }
    if (oauth.strict) {
        const rejection = bearerRejection(req.rawHeaders);
        if (rejection !== null) {
            sendError(res, requestId, '401', { error_message: rejection });
            return;
        }
    }
    if (path === '/v1/models' && method === 'GET') {
        sendJson(res, 200, baseHeaders(requestId, 'application/json'), MODELS_BODY);
        return;
    }
    if (path.startsWith('/v1/models/') && method === 'GET') {
        const model = MODELS.find((m) => m.id === path.slice('/v1/models/'.length));
        if (model === undefined) {
            sendError(res, requestId, '404', c);
        } else {
            sendJson(res, 200, baseHeaders(requestId, 'application/json'), JSON.stringify(model));
        }
        return;
    }
    if (path === '/v1/messages/count_tokens' && method === 'POST') {
        const u = usageOf(c, bodyBytes);
        sendJson(res, 200, baseHeaders(requestId, 'application/json'), `{"input_tokens":${u.input}}`);
        return;
    }
    if (path !== '/v1/messages' || method !== 'POST') {
        sendError(res, requestId, '404', c);
        return;
    }

    const modelJson = JSON.stringify(typeof json.model === 'string' ? json.model : DEFAULT_MODEL);
    const u = usageOf(c, bodyBytes);
    if (c.fault === 'bad_json') {
        const full = messageJson(requestId, modelJson, c, u);
        sendJson(res, 200, baseHeaders(requestId, 'application/json'), full.slice(0, full.length >> 1));
        return;
    }
    if (json.stream !== true) {
        if (c.fault === 'error_mid_stream') {
            sendError(res, requestId, '529', c);
        } else if (c.fault === 'reset_mid_stream') {
            const full = messageJson(requestId, modelJson, c, u);
            const headers = baseHeaders(requestId, 'application/json');
            headers['content-length'] = Buffer.byteLength(full);
            res.writeHead(200, headers);
            res.write(full.slice(0, full.length >> 1), () => cutConnection(req, res));
        } else {
            sendJson(res, 200, baseHeaders(requestId, 'application/json'), messageJson(requestId, modelJson, c, u));
        }
        return;
    }
    stream(req, res, c, u, requestId, modelJson);
}

function stream(req, res, c, u, requestId, modelJson) {
    const headers = baseHeaders(requestId, 'text/event-stream; charset=utf-8');
    headers['cache-control'] = 'no-cache';
    res.writeHead(200, headers);
    const set = deltaSet(c.deltas, c.text);
    const head = streamHead(requestId, modelJson, u);
    const midFault = c.fault === 'reset_mid_stream' || c.fault === 'error_mid_stream';
    const deltasToSend = midFault ? Math.min(c.fault_after, c.deltas) : c.deltas;
    // The last piece of data goes out together with the ending, so a cut always follows flushed data.
    const finish = (data) => {
        if (c.fault === 'reset_mid_stream') {
            res.write(data, () => cutConnection(req, res));
        } else if (c.fault === 'error_mid_stream') {
            res.end(data + STREAM_ERROR_EVENT);
        } else {
            res.end(data + streamTail(c, u));
        }
    };

    if (c.delta_delay_ms <= 0 || deltasToSend === 0) {
        finish(head + (deltasToSend === c.deltas ? set.joined : set.events.slice(0, deltasToSend).join('')));
        return;
    }
    res.write(head);
    let i = 0;
    const step = () => {
        if (isGone(res)) {
            return;
        }
        if (i === deltasToSend - 1) {
            finish(set.events[i]);
            return;
        }
        res.write(set.events[i++]);
        later(res, c.delta_delay_ms, step);
    };
    later(res, c.delta_delay_ms, step);
}

// ---------------------------------------------------------------------------------------------------------------
// Servers

function onH2Session(session) {
    stats.h2_sessions_total += 1;
    // A larger connection window keeps big request bodies from stalling on WINDOW_UPDATE round trips.
    session.once('connect', () => session.setLocalWindowSize(16 << 20));
    session.on('error', () => {});
}

function trackConnection(socket) {
    stats.connections_open += 1;
    stats.connections_total += 1;
    socket.once('close', () => {
        stats.connections_open -= 1;
    });
}

function makeTlsMaterial() {
    if (opts.cert !== '') {
        return { cert: readFileSync(opts.cert), key: readFileSync(opts.key) };
    }
    const dir = mkdtempSync(join(tmpdir(), 'mock-anthropic-'));
    try {
        const certPath = join(dir, 'cert.pem');
        const keyPath = join(dir, 'key.pem');
        execFileSync('openssl', [
            'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
            '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyPath,
            '-out', certPath,
        ], { stdio: ['ignore', 'ignore', 'pipe'] });
        return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
    } catch (e) {
        die(`could not create a self-signed certificate with openssl: ${e.message}`);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    return null;
}

let listener;
if (opts.tls) {
    const material = makeTlsMaterial();
    listener = http2.createSecureServer({
        ...material,
        allowHTTP1: true,
        settings: H2_SETTINGS,
        maxSessionMemory: 256,
    }, handle);
    listener.on('session', onH2Session);
    listener.on('connection', (socket) => {
        socket.setNoDelay(true);
        trackConnection(socket);
    });
    listener.on('tlsClientError', () => {});
    listener.keepAliveTimeout = 600000;
    listener.setTimeout(0);
} else {
    const h1 = http.createServer({ keepAliveTimeout: 600000, requestTimeout: 0, headersTimeout: 600000 }, handle);
    h1.keepAliveTimeout = 600000;
    h1.setTimeout(0);
    h1.on('clientError', (err, socket) => socket.destroy());
    const h2 = http2.createServer({ settings: H2_SETTINGS, maxSessionMemory: 256 }, handle);
    h2.on('session', onH2Session);
    h2.setTimeout(0);

    // One port, two protocols: h2c clients with prior knowledge open with the fixed preface, everyone else is h1.
    listener = net.createServer({ noDelay: true }, (socket) => {
        trackConnection(socket);
        socket.on('error', () => {});
        let seen = Buffer.alloc(0);
        const onData = (chunk) => {
            seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
            const n = Math.min(seen.length, H2_PREFACE.length);
            const isPrefix = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
            if (isPrefix && seen.length < H2_PREFACE.length) {
                return;
            }
            socket.removeListener('data', onData);
            socket.pause();
            socket.unshift(seen);
            if (isPrefix) {
                // The session reads the unshifted preface from the socket's buffer itself.
                h2.emit('connection', socket);
            } else {
                h1.emit('connection', socket);
                socket.resume();
            }
        };
        socket.on('data', onData);
    });
}
listener.maxConnections = 100000;
listener.on('error', (err) => die(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`));

function shutdown() {
    process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// A parent that dies closes our stdin pipe; leave with it. A terminal or /dev/null stdin is not watched.
try {
    const st = fstatSync(0);
    if (st.isFIFO() || st.isSocket()) {
        process.stdin.on('end', shutdown);
        process.stdin.on('close', shutdown);
        process.stdin.on('error', shutdown);
        process.stdin.on('data', () => {});
        process.stdin.resume();
    }
} catch {
    // No stdin at all: nothing to watch.
}

listener.listen({ host: opts.host, port: opts.port, backlog: 4096 }, () => {
    const port = listener.address().port;
    process.stdout.write(`MOCK_LISTENING port=${port} tls=${opts.tls ? 1 : 0}\n`);
    note(`serving on ${opts.tls ? 'https' : 'http'}://${opts.host}:${port} (deltas=${opts.deltas}, ` +
         `delta_delay_ms=${opts.deltaDelayMs}, first_byte_ms=${opts.firstByteMs})`);
});
