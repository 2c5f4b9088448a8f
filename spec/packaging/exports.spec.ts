import * as root from '../../src/index.js';
import * as testing from '../../src/testing/index.js';
import { ROOT_EXPORTS, TESTING_EXPORTS, exportNames } from './exportNames.js';

// Failing here after adding an export? If the name belongs to the public API (the documented names,
// their types, schemas and errors), add it to spec/packaging/exportNames.ts. If it is a helper,
// import it from its module path instead of exporting it from an entry point.
describe('the public surface', () => {
  it("'codex-rx' exports exactly the pinned names", () => {
    expect(exportNames(Object.keys(root))).toEqual(ROOT_EXPORTS);
  });

  it("'codex-rx/testing' exports exactly the pinned names", () => {
    expect(exportNames(Object.keys(testing))).toEqual(TESTING_EXPORTS);
  });

  it('the pinned lists are sorted and free of duplicates, so a diff shows what changed', () => {
    for (const list of [ROOT_EXPORTS, TESTING_EXPORTS]) {
      expect([...new Set(list)].sort()).toEqual(list);
    }
  });

  it('keeps internal helpers out of the root entry', () => {
    for (const helper of [
      'computeBackoffMs',
      'resolveClientConfig',
      'resolveRetryConfig',
      'buildHeaders',
      'buildRequestBody',
      'buildEndpointUrl',
      'parseErrorResponse',
      'usageLimitErrorFrom',
      'formatUsageLimitMessage',
      'extractAccountId',
      'normalizeModel',
      'parseShouldRetryHeader',
      'resolveCodexAuth',
    ]) {
      expect(Object.keys(root)).not.toContain(helper);
    }
  });
});
