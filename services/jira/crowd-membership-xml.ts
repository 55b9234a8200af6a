/*
 * A streaming reader of Crowd's `GET /rest/usermanagement/1/group/membership` answer, which
 * exists in XML only:
 *
 *   <memberships>
 *     <membership group="g">
 *       <users><user name="u"/>…</users>
 *       <groups><group name="child"/>…</groups>
 *     </membership>…
 *   </memberships>
 *
 * Chunks are fed as they arrive; a tag cut by a chunk boundary waits for the rest. Only these
 * elements are read (anything else is skipped); attribute values are entity-decoded. A tag that
 * never closes, or a `<user>`/`<group>` outside a membership, is an error: a membership list
 * read wrong would give a leaver the wrong groups.
 */

/** One group's direct members: users by name and the groups nested in it. */
export interface CrowdMembership {
  group: string;
  users: string[];
  childGroups: string[];
}

export class CrowdMembershipXmlError extends Error {
  constructor(message: string) {
    super(`Crowd's group membership answer is not readable: ${message}`);
    this.name = 'CrowdMembershipXmlError';
  }
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's predefined entities and character references in an attribute value. */
export function decodeXmlEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X'))
      return fromCodePoint(parseInt(body.slice(2), 16), whole);
    if (body.startsWith('#')) return fromCodePoint(parseInt(body.slice(1), 10), whole);
    const named = NAMED_ENTITIES[body];
    if (named === undefined) throw new CrowdMembershipXmlError(`unknown entity ${whole}`);
    return named;
  });
}

function fromCodePoint(code: number, whole: string): string {
  if (!Number.isInteger(code) || code < 0 || code > 0x10ffff) {
    throw new CrowdMembershipXmlError(`invalid character reference ${whole}`);
  }
  return String.fromCodePoint(code);
}

const ATTRIBUTE = /([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of tag.matchAll(ATTRIBUTE)) {
    attributes.set(match[1]!, decodeXmlEntities(match[2] ?? match[3] ?? ''));
  }
  return attributes;
}

export class CrowdMembershipParser {
  private buffer = '';
  private current: CrowdMembership | undefined;
  /** Inside `<users>` or `<groups>` of the current membership. */
  private list: 'users' | 'groups' | undefined;
  private done: CrowdMembership[] = [];

  /** Feeds the next chunk; returns the memberships completed by it. */
  write(chunk: string): CrowdMembership[] {
    this.buffer += chunk;
    let position = 0;
    for (;;) {
      const open = this.buffer.indexOf('<', position);
      if (open < 0) {
        position = this.buffer.length;
        break;
      }
      const end = this.tagEnd(open);
      if (end < 0) {
        position = open;
        break;
      }
      this.tag(this.buffer.slice(open + 1, end));
      position = end + 1;
    }
    this.buffer = this.buffer.slice(position);
    const completed = this.done;
    this.done = [];
    return completed;
  }

  /** The answer is over: anything left open is an error. */
  end(): CrowdMembership[] {
    if (this.buffer.trim() !== '') throw new CrowdMembershipXmlError('the answer ends inside a tag');
    if (this.current) throw new CrowdMembershipXmlError(`membership ${this.current.group} is not closed`);
    const completed = this.done;
    this.done = [];
    return completed;
  }

  /** Where the tag opened at `open` ends (its `>`), or -1 when the chunk ends first. */
  private tagEnd(open: number): number {
    const rest = this.buffer.slice(open, open + 4);
    if (rest.startsWith('<!--')) {
      const close = this.buffer.indexOf('-->', open + 4);
      return close < 0 ? -1 : close + 2;
    }
    // A `>` inside a quoted attribute value does not end the tag.
    let quote: string | undefined;
    for (let i = open + 1; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') return i;
    }
    return -1;
  }

  private tag(body: string): void {
    if (body.startsWith('?') || body.startsWith('!')) return;
    const closing = body.startsWith('/');
    const selfClosing = body.endsWith('/');
    const name = /^\/?\s*([A-Za-z_:][-A-Za-z0-9_:.]*)/.exec(body)?.[1];
    if (name === undefined) throw new CrowdMembershipXmlError(`malformed tag <${body.slice(0, 60)}>`);
    if (closing) {
      if (name === 'membership') {
        if (!this.current) throw new CrowdMembershipXmlError('</membership> without <membership>');
        this.done.push(this.current);
        this.current = undefined;
        this.list = undefined;
      } else if ((name === 'users' || name === 'groups') && this.current) this.list = undefined;
      return;
    }
    if (name === 'membership') {
      if (this.current) throw new CrowdMembershipXmlError('<membership> inside a membership');
      const group = attributesOf(body).get('group');
      if (group === undefined) throw new CrowdMembershipXmlError('<membership> without a group attribute');
      const membership = { group, users: [], childGroups: [] };
      if (selfClosing) this.done.push(membership);
      else this.current = membership;
      return;
    }
    if ((name === 'users' || name === 'groups') && this.current) {
      if (!selfClosing) this.list = name;
      return;
    }
    if (name === 'user' || name === 'group') {
      const list = this.list;
      if (!this.current || list !== (name === 'user' ? 'users' : 'groups')) {
        throw new CrowdMembershipXmlError(`<${name}> outside a membership's ${name}s`);
      }
      const member = attributesOf(body).get('name');
      if (member === undefined) throw new CrowdMembershipXmlError(`<${name}> without a name attribute`);
      if (list === 'users') this.current.users.push(member);
      else this.current.childGroups.push(member);
    }
  }
}
