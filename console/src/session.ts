import { apiClient, type Api, must, type WhoAmI } from './api/client';

/**
 * The key lives in sessionStorage: for this tab's session only, never in a URL, never logged,
 * gone when the tab closes or the operator signs out.
 */
const STORAGE_KEY = 'minion.console.key';

export interface Session {
  api: Api;
  who: WhoAmI;
}

export function storedKey(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Asks the API who the key is; keeps the key only when the API accepts it. */
export async function signIn(key: string): Promise<Session> {
  const api = apiClient(key);
  const who = must(await api.GET('/v1/minion/whoami'));
  window.sessionStorage.setItem(STORAGE_KEY, key);
  return { api, who };
}

export function signOut(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
