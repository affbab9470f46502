#!/usr/bin/env python3
"""Benchmark of a month's close with the accounting link on (RULES §8), on a copy of the scale database.

    createdb -T neopro_scale_after accounting_scale
    .venv/bin/python bin/odoo-bin -c .local/odoo.conf -d accounting_scale -u neopro_billing --stop-after-init
    .venv/bin/python bench/bench_accounting.py --db accounting_scale [--orm-sample 30]
    dropdb accounting_scale

It calculates the open month when it is not calculated yet (not timed as accounting), closes it
(``action_close``: balances, carry-over, and the posting jobs queued), then runs the queued jobs one after the
other, each in its own transaction as the job runner does (one channel: the slowest case), and prints the time
of each step, the invoices per second, and the checks: every contract's open receivable in Odoo equals its
billing debt, and Odoo's receivable equals the turnover statement's closing debt. ``--orm-sample N`` also times
N contract invoices made and validated through the ORM (``account.invoice.create`` + ``action_invoice_open``,
rolled back), the path used before. The floor is one ``INSERT … SELECT`` of as many move lines as the posting
wrote (rolled back). The database is changed (the month is closed): run it on a copy.
"""
import argparse
import time

import benchlib

FLOOR_SQL = """
    INSERT INTO account_move_line (name, debit, credit, balance, account_id, move_id, journal_id, date_maturity,
                                   date, company_id, partner_id, create_uid, create_date, write_uid, write_date)
    SELECT 'floor', 1, 0, 1, l.account_id, l.move_id, l.journal_id, l.date_maturity, l.date, l.company_id,
           l.partner_id, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
      FROM account_move_line l CROSS JOIN generate_series(1, 1 + %(rows)s / GREATEST(1, (SELECT count(*) FROM
           account_move_line))) g
     LIMIT %(rows)s
"""


def run_queued(odoo, registry, uuids):
    """Run the jobs in order, each in its own transaction; returns their states."""
    from odoo.addons.queue_job.job import Job
    states = []
    for uuid in uuids:
        with registry.cursor() as cr:
            env = benchlib.environment(odoo, cr)
            job = Job.load(env, uuid)
            job.set_started()
            job.store()
            cr.commit()
            try:
                result = job.perform()
                job.set_done(result=result)
            except Exception as exc:  # pylint: disable=broad-except
                cr.rollback()
                job = Job.load(env, uuid)
                job.set_failed(exc_info=repr(exc))
            job.store()
            cr.commit()
            states.append(job.state)
    return states


def orm_sample(odoo, registry, period_id, count):
    """Seconds for ``count`` contract invoices through the ORM (created and validated one by one), rolled back."""
    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        period = env['neopro.period'].browse(period_id)
        company = env.user.company_id
        wanted = period._get_contract_documents()
        started = time.time()
        done = 0
        for contract_id in sorted(wanted)[:count]:
            kinds = wanted[contract_id]
            if 'invoice' not in kinds:
                continue
            contract = env['neopro.contract'].browse(contract_id)
            lines = [period._prepare_document_line(company, *line) for line in kinds['invoice'][1]]
            invoice = env['account.invoice'].create({
                'type': 'out_invoice', 'partner_id': contract.partner_id.id,
                'account_id': company.neopro_receivable_account_id.id, 'payment_term_id': False,
                'fiscal_position_id': False, 'partner_bank_id': False, 'company_id': company.id,
                'currency_id': company.currency_id.id, 'journal_id': company.neopro_invoice_journal_id.id,
                'date_invoice': period.date_end, 'date_due': period.date_end,
                'invoice_line_ids': [(0, 0, {'name': line['name'], 'account_id': line['account_id'],
                                             'product_id': line['product_id'], 'uom_id': line['uom_id'],
                                             'quantity': 1,
                                             'price_unit': float(line['amount'])}) for line in lines]})
            invoice.action_invoice_open()
            done += 1
        seconds = time.time() - started
        cr.rollback()
    return done, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True)
    parser.add_argument('--orm-sample', type=int, default=0, help='time N invoices through the ORM first')
    args = parser.parse_args()
    odoo, registry = benchlib.connect(args.db)

    def row(label, seconds, note=''):
        print('  %-58s %8.2f s  %s' % (label, seconds, note), flush=True)

    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        cr.execute("SELECT latest_version FROM ir_module_module WHERE name = 'neopro_billing'")
        print('Database %s, neopro_billing %s' % (args.db, cr.fetchone()[0]), flush=True)
        if 'accounting_state' not in env['neopro.period']._fields:
            raise SystemExit('the add-on in the database is older: upgrade it with -u neopro_billing first')
        period = benchlib.open_period(env)
        period_id = period.id
        env.user.company_id.neopro_post_on_close = True
        name = period.name
        cr.execute('SELECT count(*) FROM neopro_contract')
        print('Open period %s, %s contracts' % (name, cr.fetchone()[0]), flush=True)
        if not period.date_calculated:
            started = time.time()
            period.action_calculate()
            cr.commit()
            row('calculation of the open month (not accounting)', time.time() - started)

    if args.orm_sample:
        done, seconds = orm_sample(odoo, registry, period_id, args.orm_sample)
        row('ORM path (before): %s invoices, rolled back' % done, seconds, '%.2f invoices/s' % (done / seconds))

    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        period = env['neopro.period'].browse(period_id)
        started = time.time()
        period.action_close()
        cr.commit()
        close_seconds = time.time() - started
        uuids = period.accounting_job_uuids.split()
        row('action_close (balances, next month, %s jobs queued)' % len(uuids), close_seconds)

    started = time.time()
    states = run_queued(odoo, registry, uuids)
    post_seconds = time.time() - started

    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        period = env['neopro.period'].browse(period_id)
        company = env.user.company_id
        cr.execute('SELECT count(*) FROM account_invoice WHERE neopro_period_id = %s', (period_id,))
        invoices = cr.fetchone()[0]
        cr.execute('SELECT count(*) FROM account_payment p JOIN neopro_operation o ON o.id = p.neopro_operation_id '
                   'WHERE o.period_id = %s', (period_id,))
        payments = cr.fetchone()[0]
        cr.execute('SELECT count(*) FROM account_move_line l JOIN account_move m ON m.id = l.move_id '
                   'WHERE m.neopro_period_id = %s', (period_id,))
        move_lines = cr.fetchone()[0]
        row('posting jobs: %s invoices and credit notes, %s payments, %s summary entries'
            % (invoices, payments, len(period.account_move_ids)), post_seconds,
            '%.1f invoices/s; jobs %s' % (invoices / post_seconds, ', '.join(sorted(set(states)))))
        row('close + posting', close_seconds + post_seconds, 'target <= 120 s for the posting')
        # checks: each contract's Odoo receivable = its billing debt; Odoo's receivable = the ledger's closing debt
        cr.execute("""
            SELECT count(*) FROM neopro_contract c
              JOIN neopro_balance b ON b.account_id = c.account_id AND b.period_id = %s
              LEFT JOIN (SELECT m.neopro_contract_id, SUM(l.amount_residual) AS residual
                           FROM account_move_line l JOIN account_move m ON m.id = l.move_id
                          WHERE l.account_id = %s AND m.state = 'posted' GROUP BY m.neopro_contract_id) r
                     ON r.neopro_contract_id = c.id
             WHERE COALESCE(r.residual, 0) != b.balance_end""",
                   (period_id, company.neopro_receivable_account_id.id))
        mismatched = cr.fetchone()[0]
        cr.execute('SELECT SUM(balance_end) FROM neopro_balance WHERE period_id = %s', (period_id,))
        ledger = cr.fetchone()[0]
        cr.execute("""SELECT SUM(l.debit - l.credit) FROM account_move_line l JOIN account_move m ON m.id = l.move_id
                       WHERE l.account_id = %s AND m.state = 'posted' AND l.date <= %s""",
                   (company.neopro_receivable_account_id.id, period.date_end))
        receivable = cr.fetchone()[0]
        print('  contracts whose Odoo receivable differs from their billing debt: %s' % mismatched)
        print('  turnover statement closing debt %.2f, Odoo receivable %.2f' % (ledger, receivable or 0))
        started = time.time()
        cr.execute(FLOOR_SQL, {'rows': move_lines})
        floor = time.time() - started
        cr.rollback()
        row('SQL floor: one INSERT ... SELECT of %s move lines' % move_lines, floor,
            'posting / floor = %.1fx' % (post_seconds / floor if floor else 0))
        if mismatched or abs((ledger or 0) - (receivable or 0)) > 0.005 or set(states) != {'done'}:
            raise SystemExit('checks failed')


if __name__ == '__main__':
    main()
