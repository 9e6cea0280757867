/*
 * Regression notifications (docs/backend.md "Notifications on regressions"): per component and
 * cause, the state last seen and whether a regression notification is open, so that a change is
 * notified once across refreshes, restarts and replicas.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('notification_state', table => {
    table.comment(
      'The state of one cause of one component, as last observed by the regression notifier',
    );
    table.string('entity_ref', 512).notNullable();
    table
      .string('cause', 512)
      .notNullable()
      .comment(
        'e.g. port:<cluster>/<namespace>/<workload>:<port>; "component" marks the baseline',
      );
    table
      .string('state', 32)
      .notNullable()
      .comment('e.g. STRICT, present, expiring');
    table
      .boolean('bad')
      .notNullable()
      .comment('The state is a regression of this cause');
    table
      .boolean('notified')
      .notNullable()
      .comment(
        'A regression notification is open (a resolved one follows on recovery)',
      );
    table
      .integer('revision')
      .notNullable()
      .comment(
        'Bumped on each change: replicas update a row only from the revision they read',
      );
    table
      .string('summary', 1024)
      .nullable()
      .comment(
        'What the open regression notification said, for its resolved update',
      );
    table.string('updated_at', 32).notNullable().comment('ISO timestamp');
    table.primary(['entity_ref', 'cause']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('notification_state');
};
