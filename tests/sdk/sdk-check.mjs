// SPDX-License-Identifier: GPL-3.0-or-later
// Drives RelayDeck with the official Anthropic TypeScript SDK: non-stream and stream, with the key given as an API
// key and as an auth token, and checks text and usage against the mock upstream's documented answers
// (tests/mock-upstream/README.md: deltas "word0 word1 …", one output token per delta).
// usage: node sdk-check.mjs BASE_URL RELAYDECK_KEY
import Anthropic from '@anthropic-ai/sdk';

const [baseURL, key] = process.argv.slice(2);
if (!baseURL || !key) {
  console.error('usage: node sdk-check.mjs BASE_URL RELAYDECK_KEY');
  process.exit(2);
}

const deltas = 5;
const expectedText = Array.from({ length: deltas }, (_, i) => `word${i}`).join(' ');
let failures = 0;
let passes = 0;
function check(name, condition, detail) {
  if (condition) {
    passes++;
    console.log(`PASS ${name}`);
  } else {
    failures++;
    console.log(`FAIL ${name}: ${detail}`);
  }
}

const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Say five words.' }],
  // The mock reads its controls from the body; the relay forwards unknown keys untouched.
  mock: { deltas, input_tokens: 42, cache_read: 7 },
};

for (const [label, options] of [
  ['apiKey', { apiKey: key }],
  ['authToken', { authToken: key, apiKey: null }],
]) {
  const client = new Anthropic({ baseURL, ...options, maxRetries: 0, timeout: 20000 });

  const message = await client.messages.create(params);
  const text = message.content.map((b) => b.text ?? '').join('');
  check(`${label} non-stream text`, text === expectedText, JSON.stringify(text));
  check(`${label} non-stream usage`, message.usage.output_tokens === deltas && message.usage.input_tokens === 42 &&
    message.usage.cache_read_input_tokens === 7, JSON.stringify(message.usage));

  const stream = client.messages.stream(params);
  let streamedText = '';
  stream.on('text', (t) => { streamedText += t; });
  const final = await stream.finalMessage();
  check(`${label} stream text`, streamedText === expectedText, JSON.stringify(streamedText));
  check(`${label} stream usage`, final.usage.output_tokens === deltas && final.usage.input_tokens === 42,
    JSON.stringify(final.usage));

  const counted = await client.messages.countTokens({ model: params.model, messages: params.messages });
  check(`${label} count_tokens`, Number.isInteger(counted.input_tokens) && counted.input_tokens > 0,
    JSON.stringify(counted));
}

// A wrong key gets a typed authentication error with Anthropic's shape.
try {
  await new Anthropic({ baseURL, apiKey: 'rd_' + '0'.repeat(64), maxRetries: 0 }).messages.create(params);
  check('bad key rejected', false, 'request succeeded');
} catch (e) {
  check('bad key rejected', e instanceof Anthropic.AuthenticationError && e.status === 401, `${e?.status} ${e}`);
}

console.log(`${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
