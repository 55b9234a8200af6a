/** Pieces the tests' simulator fixtures share. */

export const INTERNAL_DIRECTORY = { id: 1, name: 'Jira Internal Directory', readOnly: false };

/** Jira Software, granted by jira-software-users, with room to spare. */
export const SOFTWARE_ROLE = {
  key: 'jira-software',
  name: 'Jira Software',
  groups: ['jira-software-users'],
  defaultGroups: ['jira-software-users'],
  numberOfSeats: 500,
};
