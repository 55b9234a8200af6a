import type { Entry } from 'ldapts';

/*
 * Attribute values of a search entry. ldapts gives one value as a string and several as an
 * array (and Buffers for binary attributes); attribute names come back in whatever case the
 * server writes them. Everything here is read as a list of strings, by a case-insensitive name.
 */
export function attributeValues(entry: Entry, attribute: string): string[] {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((name) => name !== 'dn' && name.toLowerCase() === wanted);
  if (key === undefined) return [];
  const raw = entry[key];
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  return list
    .map((value) => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value)))
    .filter((value) => value !== '');
}
