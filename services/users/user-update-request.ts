import { z } from 'zod';

/*
 * What an operator may change on one user: the body of `PATCH /api/users/:username`, and each
 * row of a bulk update. Checked here, before any job is queued, so a bad row fails on its own
 * with the field named and never reaches Jira.
 */

const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, { error: `expected ${what}, got an empty value` })
    .max(255, { error: `${what}: at most 255 characters` });

const groupList = z.array(text('a group name'), { error: 'expected a list of group names' }).max(100);

export const userUpdateSchema = z
  .strictObject({
    /** Renames the user; Jira keeps the key. */
    name: text('a username').optional(),
    emailAddress: z.email({ error: 'expected an e-mail address' }).optional(),
    displayName: text('a display name').optional(),
    active: z.boolean({ error: 'expected true or false' }).optional(),
    groups: z.strictObject({ add: groupList.default([]), remove: groupList.default([]) }).optional(),
  })
  .refine(
    (update) =>
      update.name !== undefined ||
      update.emailAddress !== undefined ||
      update.displayName !== undefined ||
      update.active !== undefined ||
      (update.groups?.add.length ?? 0) + (update.groups?.remove.length ?? 0) > 0,
    { error: 'nothing to change: give name, emailAddress, displayName, active or groups' },
  );

export type UserUpdate = z.infer<typeof userUpdateSchema>;

/** One row of a bulk update in JSON: the user's current username and the update's fields. */
export const bulkUpdateRowSchema = z.strictObject({
  username: text('a username'),
  name: z.unknown().optional(),
  emailAddress: z.unknown().optional(),
  displayName: z.unknown().optional(),
  active: z.unknown().optional(),
  groups: z.unknown().optional(),
});

/** The columns of a bulk update CSV (PRODUCT.md); only `username` is required. */
export const BULK_CSV_COLUMNS = [
  'username',
  'new_username',
  'email',
  'display_name',
  'active',
  'add_groups',
  'remove_groups',
] as const;

export interface ParsedRow {
  username: string;
  update?: UserUpdate;
  /** Why the row cannot be applied, naming its field. */
  error?: string;
}

/** A JSON row, checked: its username and update, or the error naming the field. */
export function parseJsonRow(raw: unknown): ParsedRow {
  const username =
    typeof raw === 'object' && raw !== null && typeof (raw as { username?: unknown }).username === 'string'
      ? (raw as { username: string }).username.trim()
      : '';
  const row = bulkUpdateRowSchema.safeParse(raw);
  if (!row.success) return { username, error: firstIssue(row.error) };
  const { username: _username, ...fields } = row.data;
  const update = userUpdateSchema.safeParse(fields);
  if (!update.success) return { username, error: firstIssue(update.error) };
  return { username: row.data.username, update: update.data };
}

/** A CSV record (column → cell), mapped onto the JSON fields, then checked. */
export function parseCsvRecord(record: Record<string, string>): ParsedRow {
  const cell = (column: string) => {
    const value = record[column]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const groups = (column: string) =>
    (cell(column) ?? '')
      .split(';')
      .map((group) => group.trim())
      .filter(Boolean);
  const active = cell('active');
  const activeValue =
    active === undefined
      ? undefined
      : /^true$/i.test(active)
        ? true
        : /^false$/i.test(active)
          ? false
          : active;
  const add = groups('add_groups');
  const remove = groups('remove_groups');
  const fields: Record<string, unknown> = {
    username: cell('username') ?? '',
    ...(cell('new_username') !== undefined ? { name: cell('new_username') } : {}),
    ...(cell('email') !== undefined ? { emailAddress: cell('email') } : {}),
    ...(cell('display_name') !== undefined ? { displayName: cell('display_name') } : {}),
    ...(activeValue !== undefined ? { active: activeValue } : {}),
    ...(add.length + remove.length > 0 ? { groups: { add, remove } } : {}),
  };
  const parsed = parseJsonRow(fields);
  // Errors name the CSV column the operator wrote, not the JSON field.
  return parsed.error === undefined ? parsed : { ...parsed, error: toCsvColumns(parsed.error) };
}

const CSV_NAME_OF: Record<string, string> = {
  name: 'new_username',
  emailAddress: 'email',
  displayName: 'display_name',
  'groups.add': 'add_groups',
  'groups.remove': 'remove_groups',
};

function toCsvColumns(error: string): string {
  const field = error.slice(0, error.indexOf(':'));
  const base = field.replace(/\.\d+$/, '');
  const column = CSV_NAME_OF[base];
  return column === undefined ? error : `${column}${error.slice(field.length)}`;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || '(row)';
  return `${field}: ${issue.message.replace(/^Invalid input: /, '')}`;
}
