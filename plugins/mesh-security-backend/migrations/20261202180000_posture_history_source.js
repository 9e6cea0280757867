/*
 * Posture history (docs/backend.md "Posture history"): where a row came from — null for what the
 * recorder recorded, `demo-seed` for rows seeded from the demo's recorded events
 * (`meshSecurity.history.demoSeed`) — and an index for one owner's trend over a range of days.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('posture_daily', table => {
    table
      .string('source', 16)
      .nullable()
      .comment('null: recorded; demo-seed: seeded from the demo events');
    table.index(['owner', 'day'], 'posture_daily_owner_day_idx');
  });
  await knex.schema.alterTable('posture_mode_changes', table => {
    table
      .string('source', 16)
      .nullable()
      .comment('null: recorded; demo-seed: seeded from the demo events');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('posture_mode_changes', table => {
    table.dropColumn('source');
  });
  await knex.schema.alterTable('posture_daily', table => {
    table.dropIndex(['owner', 'day'], 'posture_daily_owner_day_idx');
    table.dropColumn('source');
  });
};
