#!/usr/bin/env python3
"""Benchmark of the period calculation on a generated database (bench/generate.py).

    .venv/bin/python bench/bench_calculate.py --db billing_bench

From one run it prints: the first calculation of the open period (its computed lines removed before), the bare
SQL floor (one INSERT … SELECT writing the same number of ledger rows into the same table, rolled back), their
ratio, the re-run with nothing changed, and a re-run after 1 % of the month's readings changed (rolled back).
Not part of bin/test: it needs the 100k database and takes minutes on 2 cores.
"""
import argparse
import time

import benchlib

FLOOR_SQL = """
    INSERT INTO neopro_operation (operation_type, is_auto, period_id, date, account_id, service_id, branch_id,
                                  account_number, volume, basis, price, amount,
                                  create_uid, create_date, write_uid, write_date)
    SELECT 'charge', TRUE, %(period)s, %(date)s, a.id, v.id, a.branch_id, a.account_number, 1.0, 'norm', 100.0,
           100.0, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM neopro_account a CROSS JOIN neopro_service v CROSS JOIN generate_series(1, 2) g
     LIMIT %(rows)s
"""


def vacuum(db):
    import odoo
    cr = odoo.sql_db.db_connect(db).cursor()
    cr.autocommit(True)
    cr.execute('VACUUM ANALYZE neopro_operation')
    cr.execute('VACUUM ANALYZE neopro_balance')
    cr.execute('VACUUM ANALYZE neopro_account')
    cr.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True)
    args = parser.parse_args()

    odoo, registry = benchlib.connect(args.db)
    results = []

    def row(label, seconds, rows=None, note=''):
        results.append((label, seconds, rows, note))
        print('  %-44s %8.2f s %10s  %s' % (label, seconds, '' if rows is None else rows, note), flush=True)

    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        period = benchlib.open_period(env)
        cr.execute('SELECT (SELECT count(*) FROM neopro_subscriber), (SELECT count(*) FROM neopro_contract), '
                   '(SELECT count(*) FROM neopro_metering_point), (SELECT count(*) FROM neopro_meter), '
                   '(SELECT count(*) FROM neopro_meter_reading), (SELECT count(*) FROM neopro_operation)')
        subs, contracts, points, meters, readings, operations = cr.fetchone()
        print('Database %s: %s subscribers, %s contracts, %s metering points, %s meters, %s readings, '
              '%s operations; open period %s' % (args.db, subs, contracts, points, meters, readings, operations,
                                                 period.name), flush=True)
        # Start from a period without computed lines, as the first calculation of the month does.
        cr.execute('DELETE FROM neopro_operation WHERE period_id = %s AND is_auto', (period.id,))
        env['neopro.operation']._refresh_balances(period)
        cr.commit()
    vacuum(args.db)

    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        period = benchlib.open_period(env)
        started = time.time()
        counts = period._calculate()
        cr.commit()
        first = time.time() - started
        cr.execute("SELECT count(*) FILTER (WHERE operation_type = 'charge'), "
                   "count(*) FILTER (WHERE operation_type = 'penalty') "
                   "FROM neopro_operation WHERE period_id = %s AND is_auto", (period.id,))
        charges, penalties = cr.fetchone()
        cr.execute('SELECT count(*) FROM neopro_balance WHERE period_id = %s', (period.id,))
        balances = cr.fetchone()[0]
        rows = charges + penalties
        print('\nFirst calculation: %s charge lines, %s penalty lines, %s balances' % (charges, penalties, balances))
        row('action_calculate, first run', first, rows, 'committed')
        for step, seconds in counts['timings']:
            row('  · ' + step, seconds)

        started = time.time()
        cr.execute(FLOOR_SQL, {'period': period.id, 'date': period.date_end, 'uid': odoo.SUPERUSER_ID, 'rows': rows})
        written = cr.rowcount
        floor = time.time() - started
        cr.rollback()
        row('SQL floor: one INSERT … SELECT', floor, written, 'rolled back')
    vacuum(args.db)

    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        period = benchlib.open_period(env)
        started = time.time()
        counts = period._calculate()
        cr.commit()
        rerun = time.time() - started
        row('action_calculate, re-run (nothing changed)', rerun, rows, 'committed')
        for step, seconds in counts['timings']:
            row('  · ' + step, seconds)

        cr.execute("""UPDATE neopro_meter_reading SET value = value + 1
                       WHERE date >= %s AND meter_id %% 100 = 0 AND value < 99000""", (period.date_start,))
        changed = cr.rowcount
        started = time.time()
        period._calculate()
        changed_run = time.time() - started
        cr.rollback()
        row('action_calculate, re-run (%s readings changed)' % changed, changed_run, rows, 'rolled back')

    print('\n| measure | seconds |\n|---|---|')
    print('| action_calculate, first run (%s rows) | %.2f |' % (rows, first))
    print('| SQL floor, one INSERT … SELECT (%s rows) | %.2f |' % (written, floor))
    print('| ratio first run / floor | %.1f× |' % (first / floor))
    print('| re-run, nothing changed | %.2f |' % rerun)
    print('| re-run, %s readings changed | %.2f |' % (changed, changed_run))
    verdict = 'OK' if first <= 60 and rerun <= first else 'OVER BUDGET'
    print('\nBudget: first run ≤ 60 s and re-run not slower → %s; goal ratio ≤ 5× → %s'
          % (verdict, 'met' if first / floor <= 5 else 'not met'))


if __name__ == '__main__':
    main()
