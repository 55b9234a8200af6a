/*
 * A small dotted-path selector for an HR system's JSON: `items[*]`, `data.people[*]`,
 * `profile.login`, `emails[0].value`, `[*]` (the body is the list itself), `` (the value
 * itself). Enough for the answers of the HR APIs we meet, and no expression language to audit.
 */

type Step = { field: string } | { index: number } | { every: true };

/** The grammar, shared with the configuration's validation. */
export const SELECTOR_PATTERN =
  /^$|^(?:[^.[\]]+|\[(?:\*|\d+)\])(?:\[(?:\*|\d+)\])*(?:\.[^.[\]]+(?:\[(?:\*|\d+)\])*)*$/;

export class JsonSelector {
  private readonly steps: Step[];

  constructor(readonly text: string) {
    if (!SELECTOR_PATTERN.test(text)) throw new Error(`not a selector: "${text}"`);
    this.steps = [];
    for (const token of text.match(/[^.[\]]+|\[(?:\*|\d+)\]/g) ?? []) {
      if (token === '[*]') this.steps.push({ every: true });
      else if (token.startsWith('[')) this.steps.push({ index: Number(token.slice(1, -1)) });
      else this.steps.push({ field: token });
    }
  }

  /**
   * Every value the path reaches. With `strict`, a field or list the path needs that is not
   * there is an error naming it (a listing page without its `items` is a broken answer, not an
   * empty directory); otherwise that branch yields nothing.
   */
  all(value: unknown, strict = false): unknown[] {
    let current: unknown[] = [value];
    for (const [i, step] of this.steps.entries()) {
      const next: unknown[] = [];
      for (const item of current) {
        if ('field' in step) {
          const isObject = typeof item === 'object' && item !== null && !Array.isArray(item);
          const child = isObject ? (item as Record<string, unknown>)[step.field] : undefined;
          if (child !== undefined) next.push(child);
          else if (strict) throw new Error(`no "${this.upTo(i)}" in the answer`);
        } else if (Array.isArray(item)) {
          if ('every' in step) next.push(...item);
          else if (step.index < item.length) next.push(item[step.index]);
        } else if (strict) {
          throw new Error(`"${this.upTo(i)}" is not a list in the answer`);
        }
      }
      current = next;
    }
    return current;
  }

  /** The first value the path reaches; undefined when none (or null). */
  first(value: unknown): unknown {
    const found = this.all(value)[0];
    return found === null ? undefined : found;
  }

  private upTo(step: number): string {
    const tokens = this.text.match(/[^.[\]]+|\[(?:\*|\d+)\]/g) ?? [];
    return tokens
      .slice(0, step + 1)
      .join('.')
      .replace(/\.\[/g, '[');
  }
}
