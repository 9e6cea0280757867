/*
 * Posture history (docs/backend.md "Posture history"): one row per component and UTC day (the
 * day's last complete evaluation) and one row per change of a component's mode.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('posture_daily', table => {
    table.comment('One component on one UTC day: its last complete evaluation');
    table.string('day', 10).notNullable().comment('YYYY-MM-DD (UTC)');
    table.string('entity_ref', 512).notNullable();
    table.string('owner', 512).nullable().comment('spec.owner, as written');
    table.string('mtls', 16).notNullable();
    table.integer('strict_ports').notNullable();
    table.integer('total_ports').notNullable();
    table.integer('critical').notNullable();
    table.integer('high').notNullable();
    table.integer('medium').notNullable();
    table.integer('low').notNullable();
    table.integer('info').notNullable();
    table.string('verify_explicitly', 8).notNullable();
    table.string('least_privilege', 8).notNullable();
    table.string('assume_breach', 8).notNullable();
    table.string('no_credential_leakage', 8).notNullable();
    table.string('recorded_at', 32).notNullable().comment('ISO timestamp');
    table.primary(['day', 'entity_ref']);
    table.index(['entity_ref', 'day'], 'posture_daily_entity_day_idx');
  });
  await knex.schema.createTable('posture_mode_changes', table => {
    table.comment('A change of the mode of a component, as first recorded');
    table.string('entity_ref', 512).notNullable();
    table.string('at', 32).notNullable().comment('ISO timestamp');
    table
      .string('from_mode', 16)
      .nullable()
      .comment('null on the first record');
    table.string('to_mode', 16).notNullable();
    table.primary(['entity_ref', 'at']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('posture_mode_changes');
  await knex.schema.dropTable('posture_daily');
};
