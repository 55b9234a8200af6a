import type { Caller } from '../auth.js';
import { LOGOUT_PATH } from '../admin/admin-router.js';
import { BULL_BOARD_PATH } from '../bull-board.js';
import { ASSETS_PATH } from './console-paths.js';
import { html, type Markup } from './html.js';

export interface PageContext {
  caller: Caller;
  /** The session's form token; undefined for a Bearer caller (who sees no forms). */
  csrf: string | undefined;
}

const NAV: Array<{ href: string; label: string; key: string }> = [
  { href: '/', label: 'Overview', key: 'overview' },
  { href: '/runs', label: 'Runs', key: 'runs' },
  { href: '/audit', label: 'Audit', key: 'audit' },
];

/** The console's page: a skip link, the navigation, the signed-in token and its role. */
export function layout(
  context: PageContext,
  options: { title: string; section: string; body: Markup; charts?: boolean },
): string {
  const { caller, csrf } = context;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} — Reclaim</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${ASSETS_PATH}/console.css" />
        ${options.charts ? html`<link rel="stylesheet" href="${ASSETS_PATH}/uPlot.min.css" />` : ''}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <nav aria-label="Console">
            <span class="brand">Reclaim</span>
            <ul>
              ${NAV.map(
                (item) =>
                  html`<li>
                    <a href="${item.href}" ${item.key === options.section ? html` aria-current="page"` : ''}
                      >${item.label}</a
                    >
                  </li>`,
              )}
              ${caller.role !== 'viewer' ? html`<li><a href="${BULL_BOARD_PATH}">Queues</a></li>` : ''}
            </ul>
          </nav>
          <div class="who">
            <span>Signed in as <strong>${caller.name}</strong> (${caller.role})</span>
            ${
              csrf
                ? html`<form method="post" action="${LOGOUT_PATH}" class="inline">
                    <button type="submit">Sign out</button>
                  </form>`
                : ''
            }
          </div>
        </header>
        <main id="main">
          <h1>${options.title}</h1>
          ${options.body}
        </main>
        ${
          options.charts
            ? html`<script src="${ASSETS_PATH}/uPlot.iife.min.js"></script>
                <script src="${ASSETS_PATH}/console.js"></script>`
            : ''
        }
      </body>
    </html>`.text;
}

/** A page that says what went wrong (a 4xx), in the console's layout when signed in. */
export function errorPage(context: PageContext | undefined, status: number, message: string): string {
  const body = html`<p role="alert" class="error">${message}</p>
    <p><a href="/">Back to the overview</a></p>`;
  if (context) return layout(context, { title: `Error ${status}`, section: '', body });
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Error ${status} — Reclaim</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${ASSETS_PATH}/console.css" />
      </head>
      <body>
        <main id="main">
          <h1>Error ${status}</h1>
          ${body}
        </main>
      </body>
    </html>`.text;
}
