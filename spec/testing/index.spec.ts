import * as testing from '../../src/testing/index.js';
import { sseTranscript, startMockCodexServer, textTurn } from '../../src/testing/index.js';

describe('codex-rx/testing entry point', () => {
  it('exports the mock server, the fake token and the transcript builders', () => {
    expect(typeof testing.startMockCodexServer).toBe('function');
    expect(typeof testing.fakeAccessToken).toBe('function');
    expect(typeof testing.sseTranscript).toBe('function');
    expect(typeof testing.textTurn).toBe('function');
  });

  it('frames `events` exactly as sseTranscript does, so the two can be used interchangeably', async () => {
    const events = textTurn({ text: ['Hel', 'lo ', 'wörld'], usage: { inputTokens: 3, outputTokens: 2 } });
    const server = await startMockCodexServer({ replies: [{ events, chunkSize: 5 }, { body: sseTranscript(events) }] });
    try {
      const viaEvents = await (await fetch(server.responsesUrl, { method: 'POST', body: '{}' })).text();
      const viaBody = await (await fetch(server.responsesUrl, { method: 'POST', body: '{}' })).text();
      expect(viaEvents).toBe(sseTranscript(events));
      expect(viaBody).toBe(viaEvents);
    } finally {
      await server.close();
    }
  });
});
