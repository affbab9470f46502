"""11.0.2.0.0: one personal account (``neopro.account``) for the whole ledger (RULES §13).

Before the new models load: every subscriber and every contract gets its account (number, branch, holder, the six
figures of the open period), in id order; operations, balances, meters, payment protocol lines and Kaspi calls
get the ``account_id`` of their holder; the columns that moved to the account are dropped. No ledger line or
balance figure is changed: the notes of the upgrade compare the totals before and after.

An account number used by a subscriber and by a contract at once cannot stay (numbers are unique now): the
upgrade stops and names them, so the utility decides which one changes.
"""
import logging

_logger = logging.getLogger(__name__)

FIGURES = 'balance_start, amount_paid, amount_charged, amount_correction, amount_penalty, balance_end'


def _column_exists(cr, table, column):
    cr.execute('SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s',
               (table, column))
    return bool(cr.fetchone())


def migrate(cr, version):
    if not version or _column_exists(cr, 'neopro_subscriber', 'account_id'):
        return
    cr.execute("""
        SELECT s.account_number FROM neopro_subscriber s JOIN neopro_contract c USING (account_number)
    """)
    taken = [row[0] for row in cr.fetchall()]
    if taken:
        raise Exception('Account numbers used by a subscriber and by a contract: %s. Give one of each pair '
                        'another number, then upgrade again.' % ', '.join(sorted(taken)))
    cr.execute("""
        CREATE TABLE neopro_account (
            id serial PRIMARY KEY, account_number varchar NOT NULL, holder_type varchar NOT NULL,
            branch_id integer NOT NULL, holder_name varchar, payer_name varchar, holder_address varchar,
            holder_active boolean,
            balance_start numeric, amount_paid numeric, amount_charged numeric, amount_correction numeric,
            amount_penalty numeric, balance_end numeric,
            create_uid integer, create_date timestamp, write_uid integer, write_date timestamp,
            old_subscriber_id integer, old_contract_id integer)
    """)
    cr.execute("""
        INSERT INTO neopro_account (account_number, holder_type, branch_id, holder_name, payer_name, holder_address,
                                    holder_active, {figures}, create_uid, create_date, write_uid, write_date,
                                    old_subscriber_id)
        SELECT account_number, 'subscriber', branch_id, name, name, address, active, {figures},
               create_uid, create_date, write_uid, write_date, id
          FROM neopro_subscriber ORDER BY id
    """.format(figures=FIGURES))
    cr.execute("""
        INSERT INTO neopro_account (account_number, holder_type, branch_id, holder_name, payer_name, holder_address,
                                    holder_active, {figures}, create_uid, create_date, write_uid, write_date,
                                    old_contract_id)
        SELECT c.account_number, 'contract', c.branch_id, p.name || ' № ' || c.name, p.name, p.neopro_address,
               c.active AND c.state != 'terminated', {c_figures},
               c.create_uid, c.create_date, c.write_uid, c.write_date, c.id
          FROM neopro_contract c JOIN res_partner p ON p.id = c.partner_id ORDER BY c.id
    """.format(figures=FIGURES, c_figures=', '.join('c.' + f.strip() for f in FIGURES.split(','))))
    for table, old in (('neopro_subscriber', 'old_subscriber_id'), ('neopro_contract', 'old_contract_id')):
        cr.execute('ALTER TABLE {table} ADD COLUMN account_id integer'.format(table=table))
        cr.execute('UPDATE {table} h SET account_id = a.id FROM neopro_account a WHERE a.{old} = h.id'
                   .format(table=table, old=old))
    for table in ('neopro_operation', 'neopro_balance'):
        cr.execute('ALTER TABLE {table} ADD COLUMN account_id integer'.format(table=table))
        cr.execute("""
            UPDATE {table} x SET account_id = a.id FROM neopro_account a
             WHERE (x.subscriber_id IS NOT NULL AND a.old_subscriber_id = x.subscriber_id)
                OR (x.contract_id IS NOT NULL AND a.old_contract_id = x.contract_id)
        """.format(table=table))
        cr.execute('SELECT count(*) FROM {table} WHERE account_id IS NULL'.format(table=table))
        missing = cr.fetchone()[0]
        if missing:
            raise Exception('%s rows of %s have no account' % (missing, table))
        cr.execute('ALTER TABLE {table} DROP COLUMN subscriber_id, DROP COLUMN contract_id'.format(table=table))
    cr.execute('ALTER TABLE neopro_meter ADD COLUMN account_id integer')
    cr.execute("""
        UPDATE neopro_meter m SET account_id = a.id FROM neopro_account a WHERE a.old_subscriber_id = m.subscriber_id
    """)
    cr.execute("""
        UPDATE neopro_meter m SET account_id = a.id
          FROM neopro_metering_point p JOIN neopro_account a ON a.old_contract_id = p.contract_id
         WHERE p.id = m.metering_point_id
    """)
    for table in ('neopro_payment_file_error', 'neopro_kaspi_log'):
        cr.execute('ALTER TABLE {table} ADD COLUMN account_id integer'.format(table=table))
        cr.execute('UPDATE {table} x SET account_id = a.id FROM neopro_account a '
                   'WHERE a.account_number = x.account_number'.format(table=table))
    # the account number and the branch live on the account now; the figures too
    for table in ('neopro_subscriber', 'neopro_contract'):
        cr.execute('ALTER TABLE {table} DROP COLUMN account_number, DROP COLUMN branch_id, {drops}'.format(
            table=table, drops=', '.join('DROP COLUMN ' + f.strip() for f in FIGURES.split(','))))
    cr.execute("UPDATE neopro_payment_file_error SET reason = 'account_not_found' WHERE reason = 'ambiguous'")
    cr.execute('ALTER TABLE neopro_account DROP COLUMN old_subscriber_id, DROP COLUMN old_contract_id')
    cr.execute('SELECT count(*) FROM neopro_account')
    _logger.info('neopro_billing 11.0.2.0.0: %s personal accounts created', cr.fetchone()[0])
