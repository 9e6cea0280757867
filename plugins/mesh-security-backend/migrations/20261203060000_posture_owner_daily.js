/*
 * Posture history (docs/backend.md "Posture history"): per owner and UTC day, the sums of its
 * components' rows, and which components each owner's sums cover up to which day. One owner's
 * trend over 400 days then reads 400 rows instead of summing 80,000 (docs/benchmarks.md). The
 * store fills both from `posture_daily` on start when they are empty (an upgrade) and keeps them
 * in step with every write.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('posture_owner_daily', table => {
    table.comment(
      'Sums of posture_daily per UTC day and owner (empty string: no owner)',
    );
    table.string('day', 10).notNullable().comment('YYYY-MM-DD (UTC)');
    table.string('owner', 512).notNullable().comment("spec.owner; '' if none");
    table.integer('components').notNullable();
    table.integer('strict_components').notNullable();
    table.integer('strict_ports').notNullable();
    table.integer('total_ports').notNullable();
    table.integer('critical').notNullable();
    table.integer('high').notNullable();
    table.integer('medium').notNullable();
    table.integer('low').notNullable();
    table.integer('info').notNullable();
    table.integer('demo_components').notNullable();
    table.primary(['day', 'owner']);
    table.index(['owner', 'day'], 'posture_owner_daily_owner_day_idx');
  });
  await knex.schema.createTable('posture_owner_members', table => {
    table.comment(
      'The components summed into posture_owner_daily per owner, and their last day there',
    );
    table.string('owner', 512).notNullable().comment("spec.owner; '' if none");
    table.string('entity_ref', 512).notNullable();
    table.string('last_day', 10).notNullable().comment('YYYY-MM-DD (UTC)');
    table.primary(['owner', 'entity_ref']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('posture_owner_members');
  await knex.schema.dropTable('posture_owner_daily');
};
