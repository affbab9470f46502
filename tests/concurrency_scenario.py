"""Run by tests/test_concurrency.py with the Odoo venv: a period calculation against concurrent bookings.

Four real database connections on the database given as argv[1]:
  A  calculates the open period and keeps its transaction open (it holds the period's lock and the rows it wrote);
  B  starts a second calculation of the same period meanwhile: it must be refused at once, not queued;
  C  books a payment (ORM, with Odoo's retry on serialization failures) while A runs;
  D  enters a meter reading while A runs.
Then A commits, and the ledger is checked: the payment is there once, no charge line is doubled, and every
account's stored balance equals its ledger. Prints one JSON object.
"""
import json
import sys
import threading
import time
import uuid

import psycopg2
from psycopg2.extensions import TransactionRollbackError

import odoo
from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError

TXN = 'CONCURRENCY-%s' % uuid.uuid4().hex[:12]


def with_retry(registry, work, tries=5):
    """Run ``work(env)`` in its own transaction and commit, retrying serialization failures as Odoo's RPC does."""
    for attempt in range(1, tries + 1):
        with api.Environment.manage(), registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
            try:
                work(env)
                cr.commit()
                return attempt
            except (TransactionRollbackError, psycopg2.OperationalError):
                cr.rollback()
                time.sleep(0.2 * attempt)
    raise RuntimeError('gave up after %d tries' % tries)


def free_day(env, meter, period):
    """The first day of the period on which the meter has no reading yet (the scenario may run again)."""
    for day in range(1, int(period.date_end[8:10]) + 1):
        date = '%s-%02d' % (period.date_start[:7], day)
        if not env['neopro.meter.reading'].search_count([('meter_id', '=', meter.id), ('date', '>=', date)]):
            return date
    raise RuntimeError('no free day left for meter %s' % meter.serial_number)


def main(db):
    odoo.tools.config.parse_config(['-c', sys.argv[2]] if len(sys.argv) > 2 else [])
    registry = odoo.registry(db)
    result = {}
    cr_a = registry.cursor()
    env_a = api.Environment(cr_a, SUPERUSER_ID, {'lang': 'en_US'})
    period = env_a['neopro.period']._get_open_period()
    sub = env_a['neopro.subscriber'].search([('account_number', '=', '12345')])
    meter = env_a['neopro.meter'].search([('serial_number', '=', '6748')])
    result['period'] = period.name
    # A: a reading that changes the subscriber's charges, then the calculation, uncommitted: A holds the period's
    # lock and the balance row of 12345 it rewrote
    own = env_a['neopro.meter'].search([('serial_number', '=', '22222')])
    last = env_a['neopro.meter.reading'].search([('meter_id', '=', own.id)], order='date desc', limit=1)
    own_reading = env_a['neopro.meter.reading'].create({'meter_id': own.id, 'date': free_day(env_a, own, period),
                                                       'value': last.value + 3, 'source': 'remote'})
    before, paid_before = sub.amount_charged, sub.amount_paid
    period.action_calculate()
    result['charges_changed_by_a'] = sub.amount_charged != before

    with registry.cursor() as cr_b:  # B: a second calculation meanwhile
        env_b = api.Environment(cr_b, SUPERUSER_ID, {'lang': 'en_US'})
        started = time.time()
        try:
            env_b['neopro.period'].browse(period.id).action_calculate()
            result['second_calculation'] = 'ran'
        except UserError as error:
            result['second_calculation'] = 'refused'
            result['second_calculation_message'] = error.name
        result['second_calculation_seconds'] = round(time.time() - started, 2)
        cr_b.rollback()

    attempts, errors = {}, []
    day = free_day(env_a, meter, period)

    def pay():
        def work(env):
            env['neopro.operation'].create({
                'operation_type': 'payment', 'subscriber_id': sub.id, 'amount': 777.77, 'txn_id': TXN,
                'period_id': period.id, 'payment_source_id': env.ref('neopro_billing.payment_source_cash').id})
        attempts['payment'] = with_retry(registry, work)

    def read():
        def work(env):
            last = env['neopro.meter.reading'].search([('meter_id', '=', meter.id), ('date', '<', day)],
                                                      order='date desc', limit=1)
            env['neopro.meter.reading'].with_context(active_test=False).create(
                {'meter_id': meter.id, 'date': day, 'value': last.value + 0.001, 'source': 'inspector'})
        attempts['reading'] = with_retry(registry, work)

    def guarded(work):
        def run():
            with api.Environment.manage():
                try:
                    work()
                except Exception as error:  # reported in the result, asserted by the test
                    errors.append(repr(error))
        return run

    threads = [threading.Thread(target=guarded(pay)), threading.Thread(target=guarded(read))]
    for thread in threads:
        thread.start()
    time.sleep(2)  # C and D run while A's transaction is open
    cr_a.commit()
    cr_a.close()
    for thread in threads:
        thread.join(120)
    result['attempts'], result['errors'] = attempts, errors

    with registry.cursor() as cr:
        cr.execute("SELECT count(*), sum(amount) FROM neopro_operation WHERE txn_id = %s", (TXN,))
        result['payments_booked'], amount = cr.fetchone()
        result['payment_amount'] = float(amount or 0)
        cr.execute("""SELECT count(*) FROM (
                          SELECT 1 FROM neopro_operation WHERE period_id = %s AND is_auto
                        GROUP BY operation_type, account_id, metering_point_id, service_id
                          HAVING count(*) > 1) doubled""", (period.id,))
        result['doubled_lines'] = cr.fetchone()[0]
        cr.execute("""SELECT count(*) FROM neopro_balance b
                       WHERE b.period_id = %s AND b.balance_end <> b.balance_start + b.amount_charged
                             + b.amount_correction + b.amount_penalty - b.amount_paid""", (period.id,))
        result['unbalanced_rows'] = cr.fetchone()[0]
        cr.execute("""SELECT count(*) FROM neopro_balance b
                        LEFT JOIN (SELECT account_id, sum(amount) FILTER (WHERE operation_type = 'payment') AS paid
                                     FROM neopro_operation WHERE period_id = %s
                                 GROUP BY account_id) o
                          ON o.account_id = b.account_id
                       WHERE b.period_id = %s AND b.amount_paid <> coalesce(o.paid, 0)""", (period.id, period.id))
        result['balances_off_ledger'] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM neopro_meter_reading WHERE meter_id = %s AND date = %s", (meter.id, day))
        result['readings_entered'] = cr.fetchone()[0]
        cr.execute("SELECT amount_paid FROM neopro_account WHERE id = %s", (sub.account_id.id,))
        result['subscriber_paid_more'] = round(float(cr.fetchone()[0]) - paid_before, 2)
    clean_up(registry, [own_reading.id], meter.id, day)
    print(json.dumps(result))


def clean_up(registry, reading_ids, meter_id, day):
    """Remove the scenario's readings and calculate again: run as the system, they may lie after today (the first
    free day of the meters), where no user may date a reading and later tests of the same database look."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
        Reading = env['neopro.meter.reading']
        (Reading.browse(reading_ids) | Reading.search([('meter_id', '=', meter_id), ('date', '=', day)])).unlink()
        env['neopro.period']._get_open_period().action_calculate()


if __name__ == '__main__':
    with api.Environment.manage():
        main(sys.argv[1])
