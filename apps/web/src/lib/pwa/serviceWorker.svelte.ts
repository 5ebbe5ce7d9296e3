import { Workbox } from 'workbox-window';

/** The service worker as the page sees it; reactive. */
export class ServiceWorkerStatus {
  /** A new version is installed and waits for the user's go-ahead to take over. */
  updateReady = $state(false);
  /** The first install finished: the app now works offline. */
  offlineReady = $state(false);
  private workbox: Workbox | undefined;

  /** Registers `url` (the workbox-generated sw.js); a no-op where service workers are unavailable. */
  async register(url: string, scope: string): Promise<void> {
    if (!('serviceWorker' in navigator)) return;
    const workbox = new Workbox(url, { scope });
    workbox.addEventListener('waiting', () => (this.updateReady = true));
    workbox.addEventListener('activated', (event) => {
      if (!event.isUpdate) this.offlineReady = true;
    });
    this.workbox = workbox;
    await workbox.register();
  }

  /** Lets the waiting version take over, then reloads into it. */
  applyUpdate(): void {
    const workbox = this.workbox;
    if (workbox === undefined) return;
    workbox.addEventListener('controlling', () => location.reload());
    workbox.messageSkipWaiting();
  }
}
