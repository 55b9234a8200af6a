import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NotifyConfig } from '../../config/schema.js';

/*
 * Mail templates: plain text and HTML, with the defaults in ./templates and overrides named in
 * `notify.templates`. `{{name}}` is replaced by a value (HTML-escaped in the HTML part),
 * `{{{name}}}` by the value as given (for HTML blocks the composer built and escaped itself).
 * A name the message does not know is left empty.
 */

export const TEMPLATE_NAMES = ['runSummary', 'alert', 'warning', 'offboarded'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const DEFAULT_FILES: Record<TemplateName, string> = {
  runSummary: 'run-summary',
  alert: 'alert',
  warning: 'warning',
  offboarded: 'offboarded',
};

const DEFAULT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'templates');

export interface MailTemplate {
  text: string;
  /** Null: the HTML part is the text, escaped, in a <pre>. */
  html: string | null;
}

export type TemplateValues = Record<string, string | number>;

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const PLACEHOLDER = /\{\{\{\s*([A-Za-z0-9_]+)\s*\}\}\}|\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Fills a template; `escape` applies to `{{name}}` only. */
export function fill(template: string, values: TemplateValues, escape: (v: string) => string = (v) => v) {
  return template.replace(PLACEHOLDER, (_match, raw: string | undefined, escaped: string | undefined) => {
    const name = (raw ?? escaped)!;
    const value = values[name];
    const text = value === undefined ? '' : String(value);
    return raw !== undefined ? text : escape(text);
  });
}

/** The templates of one configuration, read once (a file that cannot be read fails loudly). */
export class MailTemplates {
  private readonly cache = new Map<TemplateName, MailTemplate>();

  constructor(private readonly overrides: NotifyConfig['templates']) {}

  get(name: TemplateName): MailTemplate {
    let template = this.cache.get(name);
    if (!template) {
      template = this.load(name);
      this.cache.set(name, template);
    }
    return template;
  }

  private load(name: TemplateName): MailTemplate {
    const override = this.overrides[name];
    const base = join(DEFAULT_DIR, DEFAULT_FILES[name]);
    if (override === null) {
      return { text: readFileSync(`${base}.txt`, 'utf8'), html: readFileSync(`${base}.html`, 'utf8') };
    }
    if (typeof override === 'string') return { text: readFileSync(override, 'utf8'), html: null };
    return {
      text: readFileSync(override.text ?? `${base}.txt`, 'utf8'),
      html: override.html !== undefined ? readFileSync(override.html, 'utf8') : null,
    };
  }

  /** The text and HTML parts of a message. */
  render(name: TemplateName, values: TemplateValues): { text: string; html: string } {
    const template = this.get(name);
    const text = tidy(fill(template.text, values));
    const html =
      template.html === null
        ? `<!doctype html>\n<html><body><pre style="font-family: sans-serif">${escapeHtml(text)}</pre></body></html>\n`
        : fill(template.html, values, escapeHtml);
    return { text, html };
  }
}

/** Empty values leave blank lines behind: at most one blank line in a row, none at the end. */
function tidy(text: string): string {
  return `${text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
