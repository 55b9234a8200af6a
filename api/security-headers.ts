import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers, with a CSP that Bull Board's UI works under: its scripts and styles are
 * served from its own static path, its styles are partly inline, and it loads IBM Plex from
 * Google Fonts. Nothing may frame the board (clickjacking on its buttons).
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
        fontSrc: ["'self'", 'https://fonts.gstatic.com', 'data:'],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    // helmet's no-referrer makes Chromium send `Origin: null` on our own login form's POST,
    // which the same-origin check must refuse; same-origin keeps the Origin and tells no one else.
    referrerPolicy: { policy: 'same-origin' },
  });
}
