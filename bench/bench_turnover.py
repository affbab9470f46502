#!/usr/bin/env python3
"""Benchmark of the XLSX reports on a generated database (bench/generate.py), the turnover statement first.

    .venv/bin/python bench/bench_turnover.py --db billing_bench

Calculates the open period first when it has no computed charges yet (committed: the reports need its figures).
Then renders each report for the open period over every branch, as the Reports menu does, reads the file back
with openpyxl and checks the turnover statement's totals against the ledger (SUM over neopro_balance). Prints the
seconds of each report, the rows written and, for the turnover by account, the SQL alone.
Goal (issue 5): the turnover statement over 100 000 accounts in ≤ 30 s. Not part of bin/test.
"""
import argparse
import io
import sys
import time

import benchlib

FIGURES = ('balance_start', 'amount_paid', 'amount_charged', 'amount_correction', 'amount_penalty', 'balance_end')


def read_back(content):
    """(data rows, totals row) of the first sheet of an XLSX report."""
    import openpyxl
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    return rows[:-1], rows[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True)
    parser.add_argument('--only-turnover', action='store_true', help='skip the other reports')
    args = parser.parse_args()

    odoo, registry = benchlib.connect(args.db)
    from odoo.addons.neopro_billing.report.neopro_turnover_xlsx import _BY_ACCOUNT_SQL
    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        period = benchlib.open_period(env)
        cr.execute("SELECT count(*) FROM neopro_operation WHERE period_id = %s AND is_auto", (period.id,))
        if not cr.fetchone()[0]:
            started = time.time()
            period._calculate()
            cr.commit()
            print('open period %s calculated first in %.1f s' % (period.name, time.time() - started), flush=True)
        cr.execute('SELECT (SELECT count(*) FROM neopro_subscriber), (SELECT count(*) FROM neopro_contract), '
                   '(SELECT count(*) FROM neopro_balance WHERE period_id = %s), '
                   '(SELECT count(*) FROM neopro_operation)', (period.id,))
        subs, contracts, balances, operations = cr.fetchone()
        print('Database %s: %s subscribers, %s contracts, %s balances in the open period %s, %s operations'
              % (args.db, subs, contracts, balances, period.name, operations), flush=True)
        cr.execute('SELECT %s FROM neopro_balance WHERE period_id = %%s' % ', '.join('SUM(%s)::text' % f
                                                                                     for f in FIGURES),
                   (period.id,))
        ledger = [float(value) for value in cr.fetchone()]

        Wizard = env['neopro.report.wizard']
        results = []

        def run(label, check=None, **vals):
            vals.setdefault('period_id', period.id)
            wizard = Wizard.create(vals)
            started = time.time()
            content = wizard._render()
            seconds = time.time() - started
            rows, totals = read_back(content)
            results.append((label, seconds, len(rows), len(content)))
            print('  %-44s %7.2f s %9s rows %8.1f MB' % (label, seconds, len(rows), len(content) / 1e6), flush=True)
            if check:
                check(rows, totals)

        def check_turnover(first_figure):
            def check(rows, totals):
                figures = [round(value, 2) for value in totals[first_figure:first_figure + 6]]
                status = 'equal' if figures == [round(v, 2) for v in ledger] else 'DIFFERENT'
                print('    totals %s the ledger: %s' % (status, ', '.join('%.2f' % v for v in figures)), flush=True)
                if status != 'equal':
                    sys.exit('totals differ from the ledger %s' % ledger)
            return check

        started = time.time()
        cr.execute(_BY_ACCOUNT_SQL.format(branch='TRUE'), {'period': period.id})
        fetched = len(cr.fetchall())
        print('  %-44s %7.2f s %9s rows' % ('turnover by account: the SQL alone', time.time() - started, fetched),
              flush=True)
        run('turnover statement by account', check_turnover(4), report='turnover', grouping='account')
        run('turnover statement by branch', check_turnover(2), report='turnover', grouping='branch')
        run('turnover statement by service', check_turnover(1), report='turnover', grouping='service')
        if not args.only_turnover:
            run('charges register', report='charges')
            run('payments register (the open month)', report='payments', date_from=period.date_start,
                date_to=period.date_end)
            run('debtors (older than 1 month)', report='debtors', debt_months=1)
            run('consumption by service and basis', report='consumption')
            run('meters: verification due in 30 days', report='meter_verification', date=period.date_end,
                days_ahead=30)
            run('house balance', report='house_balance')
        cr.rollback()
    turnover = [r for r in results if r[0] == 'turnover statement by account'][0]
    print('turnover statement by account: %.1f s for %s accounts (goal ≤ 30 s): %s'
          % (turnover[1], turnover[2], 'met' if turnover[1] <= 30 else 'NOT MET'))


if __name__ == '__main__':
    main()
