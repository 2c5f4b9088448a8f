/**
 * The package version: the CLI's `--version` and the `user-agent` header. The one place it is
 * written besides package.json; spec/cli/run.spec.ts fails when the two differ.
 */
export const VERSION = '0.1.0';
