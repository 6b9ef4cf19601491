// SPDX-License-Identifier: GPL-3.0-or-later
// The parts of bench/relay.sh that autocannon cannot measure, on raw keep-alive sockets (127.0.0.1 only):
//   pipeline  pipelined requests answered in request order with the right bodies
//   streams   many concurrent slow streams held open at once, each checked to the end
// (Stream time to first byte is measured by bench/ttfbclient.cpp, a blocking client with less noise of its own.)
// Every mode prints one JSON line and exits non-zero only when it could not run at all.
//   node bench/relay-checks.mjs MODE '{"relay":PORT,"direct":PORT,"key":"…",…}'
import http from 'node:http';
import net from 'node:net';

const [mode, optionsJson] = process.argv.slice(2);
const o = JSON.parse(optionsJson);
const host = '127.0.0.1';

function requestBytes(port, body, key) {
    return Buffer.from(
        `POST /api/v1/messages HTTP/1.1\r\nhost: ${host}:${port}\r\ncontent-type: application/json\r\n` +
            `anthropic-version: 2023-06-01\r\nx-api-key: ${key}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n` +
            body);
}

// Incremental HTTP/1.1 response reader for one keep-alive socket: content-length and chunked bodies.
// onResponse({status, headers, body}) fires at the end of each response.
class ResponseReader {
    constructor(socket, onResponse) {
        this.buf = Buffer.alloc(0);
        this.state = 'head';
        this.onResponse = onResponse;
        socket.on('data', (d) => {
            this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
            this.parse();
        });
    }

    parse() {
        for (;;) {
            if (this.state === 'head') {
                const end = this.buf.indexOf('\r\n\r\n');
                if (end < 0)
                    return;
                const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
                this.buf = this.buf.subarray(end + 4);
                const headers = {};
                for (const line of lines.slice(1)) {
                    const colon = line.indexOf(':');
                    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
                }
                this.current = {status: Number(lines[0].split(' ')[1]), headers, parts: []};
                if (headers['transfer-encoding'] === 'chunked') {
                    this.state = 'chunk-size';
                } else {
                    this.remaining = Number(headers['content-length'] ?? 0);
                    this.state = 'length';
                }
            } else if (this.state === 'length') {
                const take = Math.min(this.remaining, this.buf.length);
                if (take > 0)
                    this.body(this.buf.subarray(0, take));
                this.buf = this.buf.subarray(take);
                this.remaining -= take;
                if (this.remaining > 0)
                    return;
                this.done();
            } else if (this.state === 'chunk-size') {
                const end = this.buf.indexOf('\r\n');
                if (end < 0)
                    return;
                this.remaining = parseInt(this.buf.subarray(0, end).toString('latin1'), 16);
                this.buf = this.buf.subarray(end + 2);
                this.state = this.remaining === 0 ? 'trailer' : 'chunk';
            } else if (this.state === 'chunk') {
                if (this.buf.length < this.remaining + 2) {
                    return;
                }
                this.body(this.buf.subarray(0, this.remaining));
                this.buf = this.buf.subarray(this.remaining + 2);
                this.state = 'chunk-size';
            } else if (this.state === 'trailer') {
                if (this.buf.length < 2)
                    return;
                this.buf = this.buf.subarray(2);
                this.done();
            }
        }
    }

    body(part) {
        this.current.parts.push(Buffer.from(part));
    }

    done() {
        const r = this.current;
        this.state = 'head';
        this.onResponse({status: r.status, headers: r.headers, body: Buffer.concat(r.parts).toString('utf8')});
    }
}

function connect(port) {
    return new Promise((resolve, reject) => {
        const socket = net.connect({host, port}, () => resolve(socket));
        socket.setNoDelay(true);
        socket.once('error', reject);
    });
}

// Usage and ids of one answer, stream or not.
function inspect(body) {
    if (body.startsWith('event: ')) {
        const start = body.indexOf('data: ') + 6;
        const message = JSON.parse(body.slice(start, body.indexOf('\n', start))).message;
        return {id: message.id, inputTokens: message.usage.input_tokens, complete: body.includes('event: message_stop\n')};
    }
    const message = JSON.parse(body);
    return {id: message.id, inputTokens: message.usage?.input_tokens, complete: message.type === 'message'};
}

// Bursts of `depth` requests written at once on each connection, stream and non-stream mixed, each with its own
// input_tokens control: the i-th answer must carry the i-th request's value, a status 200, a complete body and a
// request-id header that names the same mock request as the body's message id.
async function pipeline() {
    let sent = 0, ok = 0, outOfOrder = 0, bad = 0, idMismatch = 0;
    const deadline = Date.now() + (o.maxSeconds ?? 60) * 1000;
    const connection = async (c) => {
        const socket = await connect(o.relay);
        const queue = [];
        let waiting = null;
        new ResponseReader(socket, (r) => {
            queue.push(r);
            waiting?.();
        });
        for (let round = 0; round < o.rounds && Date.now() < deadline; round++) {
            const expected = [];
            const parts = [];
            for (let i = 0; i < o.depth; i++) {
                const marker = 1000 + c * 100000 + round * 100 + i;
                const stream = (i + round) % 3 === 0;
                expected.push(marker);
                parts.push(requestBytes(o.relay, JSON.stringify({...o.payload, stream, mock: {input_tokens: marker}}),
                                        o.key));
            }
            socket.write(Buffer.concat(parts));
            sent += o.depth;
            for (const marker of expected) {
                while (!queue.length) {
                    const arrived = new Promise((resolve) => { waiting = resolve; });
                    const timeout = new Promise((resolve) => setTimeout(resolve, 10000, 'timeout'));
                    if ((await Promise.race([arrived, timeout])) === 'timeout') {
                        bad++;
                        socket.destroy();
                        return;
                    }
                }
                const r = queue.shift();
                let info;
                try {
                    info = inspect(r.body);
                } catch {
                    bad++;
                    continue;
                }
                if (r.status !== 200 || !info.complete)
                    bad++;
                else if (info.inputTokens !== marker)
                    outOfOrder++;
                else if (r.headers['request-id']?.replace('req_mock_', '') !== info.id.replace('msg_mock_', ''))
                    idMismatch++;
                else
                    ok++;
            }
        }
        socket.destroy();
    };
    await Promise.all(Array.from({length: o.connections}, (_, c) => connection(c)));
    console.log(JSON.stringify({sent, ok, outOfOrder, idMismatch, bad}));
}

// `count` slow streams started at once (one connection each), every one read to its end and checked: status 200,
// all deltas, message_stop. mostStreamingAtOnce counts answers whose head had come and whose end had not: the relay
// sends the head when the upstream's arrives, so it is also how many upstream streams ran at once.
async function streams() {
    const agent = new http.Agent({keepAlive: false, maxSockets: Infinity});
    const body = JSON.stringify({...o.payload, stream: true, mock: {deltas: o.deltas, delta_delay_ms: o.delayMs}});
    let open = 0, maxOpen = 0, completed = 0, errors = 0, firstByteMax = 0;
    const started = Date.now();
    const errorKinds = {};
    const one = () => new Promise((resolve) => {
        const t0 = Date.now();
        const req = http.request({host, port: o.relay, path: '/api/v1/messages', method: 'POST', agent,
                                  headers: {'content-type': 'application/json', 'x-api-key': o.key,
                                            'content-length': Buffer.byteLength(body)}},
                                 (res) => {
                                     open++;
                                     maxOpen = Math.max(maxOpen, open);
                                     firstByteMax = Math.max(firstByteMax, Date.now() - t0);
                                     let text = '';
                                     res.setEncoding('utf8');
                                     res.on('data', (d) => { text += d; });
                                     res.on('end', () => {
                                         open--;
                                         const deltas = text.split('event: content_block_delta\n').length - 1;
                                         if (res.statusCode === 200 && deltas === o.deltas &&
                                             text.endsWith('data: {"type":"message_stop"}\n\n')) {
                                             completed++;
                                         } else {
                                             errors++;
                                             const kind = `status ${res.statusCode}, ${deltas} deltas`;
                                             errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
                                         }
                                         resolve();
                                     });
                                     res.on('error', () => { open--; });
                                 });
        req.setTimeout((o.maxSeconds ?? 120) * 1000, () => req.destroy(new Error('timeout')));
        req.on('error', (e) => {
            errors++;
            errorKinds[e.code ?? e.message] = (errorKinds[e.code ?? e.message] ?? 0) + 1;
            resolve();
        });
        req.end(body);
    });
    await Promise.all(Array.from({length: o.count}, one));
    console.log(JSON.stringify({count: o.count, completed, errors, errorKinds, mostStreamingAtOnce: maxOpen,
                                slowestFirstByteMs: firstByteMax, seconds: (Date.now() - started) / 1000}));
}

const modes = {pipeline, streams};
if (!modes[mode]) {
    console.error(`unknown mode ${mode}: pipeline or streams`);
    process.exit(2);
}
await modes[mode]();
