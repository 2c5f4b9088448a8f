import { join } from 'node:path';

/** The recorded Responses streams kept in the repository (see its README for their origin and licence). */
export const RECORDED_FIXTURES_DIR = join(__dirname, '../fixtures/recorded');
