/** The migrated database every test file clones. */
export const TEMPLATE_DB = 'gd_template';
