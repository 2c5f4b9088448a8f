import { startMockCodexServer, type MockCodexServer, type MockReply } from '../../src/testing/index.js';

/** Retries without real waiting: backoff of 1 ms, no jitter. */
export const FAST_RETRY = { initialBackoffMs: 1, maxBackoffMs: 1, jitter: false } as const;

/** The mock server of the current test, closed after each test. */
export interface MockPerTest {
  /** The server `serve` (or the test) started last. */
  server: MockCodexServer;
  /** Starts a server playing `replies`, for this test. */
  serve(...replies: MockReply[]): Promise<MockCodexServer>;
}

/** Registers an `afterEach` that closes the server each test started. */
export function mockServerPerTest(): MockPerTest {
  let current: MockCodexServer | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get server(): MockCodexServer {
      if (current === undefined) throw new Error('no mock server started in this test');
      return current;
    },
    set server(value: MockCodexServer) {
      current = value;
    },
    async serve(...replies: MockReply[]): Promise<MockCodexServer> {
      current = await startMockCodexServer({ replies });
      return current;
    },
  };
}
