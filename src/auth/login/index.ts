export { loginWithBrowser } from './browser.js';
export { loginWithDeviceCode } from './device.js';
export { logout } from './logout.js';
export type { LoginEvent, LoginOptions, LogoutOptions } from './types.js';
