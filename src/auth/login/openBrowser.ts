import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's browser with the platform's opener (`open` on macOS, `start` on
 * Windows, `xdg-open` elsewhere), detached. A missing opener is not an error: the URL is also
 * reported, so the user can open it by hand.
 *
 * @param url The page to open.
 */
export function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener: the caller shows the URL.
  }
}
