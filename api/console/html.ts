/*
 * The console's one escaping helper: `html` is a tagged template whose interpolations are
 * escaped unless they are already markup (another `html` result). Arrays are joined, and
 * null, undefined and false render as nothing, so a page is written as plain template literals
 * and a value from Jira or the audit log can never become markup.
 */

export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Markup | string | number | boolean | null | undefined | readonly Value[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Markup(out);
}

/**
 * Data for a page's script, as JSON inside `<script type="application/json">`: `<` is written
 * as `\u003c` so no value can close the element.
 */
export function jsonData(id: string, data: unknown): Markup {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return new Markup(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}
