/** The package version, sent in the `user-agent` header (checked against package.json by a test). */
export const VERSION = '0.1.0';
