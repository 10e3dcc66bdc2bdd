/**
 * The console's front end: sign-in with a scoped API token, a hash router
 * (#/, #/alerts, #/port/tcp/445?range=24h, #/alert/ID, #/admin), and one
 * live event stream shared by the pages.
 *
 * `#token=...` in the address (the link `npm start` prints) signs in and is
 * removed from the address at once.
 */
import { ApiError, followEvents, get, setToken, token } from './api.ts';
import { adminPage } from './admin-page.ts';
import { alertPage } from './alert-page.ts';
import { h, show } from './dom.ts';
import { alertItem, overviewPage } from './overview-page.ts';
import type { Page } from './page.ts';
import { portPage } from './port-page.ts';
import type { Alert } from './types.ts';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const liveEl = document.getElementById('live') as HTMLElement;
let page: Page = {};
let stream: AbortController | undefined;

function alertsPage(): Page {
  void get<{ items: Alert[] }>('/v1/alerts?limit=200').then((r) => {
    show(main, h('h1', {}, 'Alerts'), r.items.length === 0 ? h('p', { class: 'muted' }, 'No alerts retained.') : h('ul', { class: 'plain' }, ...r.items.map(alertItem)));
  });
  return {};
}

function route(): Page {
  const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter((p) => p !== '');
  const range = new URLSearchParams(query).get('range') ?? '1h';
  if (parts[0] === 'port' && parts[1] !== undefined && parts[2] !== undefined) return portPage(main, parts[1], Number(parts[2]), ['1h', '24h', '7d'].includes(range) ? range : '1h');
  if (parts[0] === 'alert' && parts[1] !== undefined) return alertPage(main, decodeURIComponent(parts[1]));
  if (parts[0] === 'alerts') return alertsPage();
  if (parts[0] === 'admin') return adminPage(main);
  return overviewPage(main);
}

function navigate(): void {
  page.destroy?.();
  page = route();
  main.focus();
}

function signIn(message = ''): void {
  stream?.abort();
  nav.hidden = true;
  liveEl.textContent = '';
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true });
  show(main, h('h1', {}, 'Sign in'),
    h('form', { class: 'stack', id: 'sign-in', onsubmit: (e: Event) => {
      e.preventDefault();
      setToken(input.value.trim());
      void start();
    } },
    h('label', { for: 'token' }, 'API token (read, write or admin)'), input, h('button', { type: 'submit' }, 'Sign in'),
    message === '' ? null : h('p', { class: 'error', role: 'alert' }, message)));
  input.focus();
}

async function start(): Promise<void> {
  if (token() === null) {
    signIn();
    return;
  }
  stream?.abort();
  stream = new AbortController();
  nav.hidden = false;
  // The page loads while the token is checked (one round trip less before the first paint); a refused token replaces it with the sign-in form.
  navigate();
  try {
    await get('/v1/session');
  } catch (err) {
    setToken(null);
    signIn(err instanceof ApiError && err.status === 401 ? 'That token was not accepted.' : `The console did not answer: ${String(err)}`);
    return;
  }
  void followEvents((e) => page.onLive?.(e), (up) => { liveEl.textContent = up ? 'Live' : 'Reconnecting…'; }, stream.signal);
}

/** Signs in from a `#token=...` link; answers whether the address held one. */
function tokenFromLink(): boolean {
  const fromLink = /(?:^#|&)token=([^&]+)/.exec(location.hash)?.[1];
  if (fromLink === undefined) return false;
  setToken(decodeURIComponent(fromLink));
  history.replaceState(null, '', location.pathname);
  return true;
}

document.getElementById('sign-out')?.addEventListener('click', () => {
  setToken(null);
  signIn();
});
window.addEventListener('hashchange', () => {
  if (tokenFromLink()) void start();
  else if (token() !== null) navigate();
});
tokenFromLink();
void start();
