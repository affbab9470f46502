#!/usr/bin/env python3
"""Benchmark: the go-live import of N subscribers, each with an address, a meter with its last reading and an
opening balance (goal for 100,000: <= 10 minutes).

Run with the Odoo virtualenv, from the repository root:

    .venv/bin/python bench/bench_golive.py [--db golive_bench] [--subscribers 100000]

The database (neopro_billing without demo data, made as for bench_payment_import.py) gets a branch, a category
and an open period of the current month. The workbook is the shipped template filled with openpyxl: N rows on
«Абоненты» (500 streets, 10 houses a street, new apartments), N meters on «Счетчики», N balances on «Сальдо».
Printed, from the same run: the bare parse (openpyxl read-only over every sheet), the dry run and the load, and
their ratio to the bare parse. Everything is rolled back, so the benchmark can be re-run.
"""
import argparse
import base64
import datetime
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_payment_import import run_on_database  # noqa: E402

ACCOUNT_BASE = 7000000


def make_file(env, count, day):
    import openpyxl
    wizard = env['neopro.golive.import'].create({})
    wizard.action_download_template()
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.template_file)))
    subscribers, meters, balances = book['Абоненты'], book['Счетчики'], book['Сальдо']
    reading_day = (day - datetime.timedelta(days=3)).strftime('%d.%m.%Y')
    for i in range(1, count + 1):
        account = str(ACCOUNT_BASE + i)
        subscribers.append([account, 'Абонентов', 'Абонент', str(i), 'GLB', 'GLB', 1 + i % 4, 'Бенчград',
                            'Улица %d' % (i % 500), str(i // 500 % 10 + 1), str(i), 'cold_water'])
        meters.append(['GLB%d' % i, 'cold_water', None, account, '01.01.2020', 100 + i % 900, reading_day,
                       '01.01.2020', 6])
        balances.append([account, round((i % 5000) * 1.37 - 1000, 2)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bare_parse_seconds(data):
    import openpyxl
    started = time.time()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for sheet in book.worksheets for _row in sheet.iter_rows(values_only=True))
    book.close()
    return time.time() - started, count


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('--db', default='golive_bench')
    ap.add_argument('--subscribers', type=int, default=100000)
    args = ap.parse_args()
    run_on_database(args.db, run, args)


def run(registry, args):
    from odoo import SUPERUSER_ID, api, fields
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
        if not env['neopro.branch'].search([('code', '=', 'GLB')]):
            env['neopro.branch'].create({'name': 'Go-live bench', 'code': 'GLB'})
            env['neopro.subscriber.category'].create({'name': 'Go-live bench residents', 'code': 'GLB'})
        today = fields.Date.from_string(fields.Date.context_today(env['neopro.period']))
        if not env['neopro.period']._get_open_period():
            start = today.replace(day=1)
            end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            env['neopro.period'].create({'date_start': fields.Date.to_string(start),
                                         'date_end': fields.Date.to_string(end)})
        cr.commit()
        started = time.time()
        data = make_file(env, args.subscribers, today)
        print('workbook made in %.1f s (%.1f MB)' % (time.time() - started, len(data) / 1e6), flush=True)
    parse_s, rows = bare_parse_seconds(data)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
        wizard = env['neopro.golive.import'].create({'data_file': base64.b64encode(data)})
        started = time.time()
        wizard.action_check()
        check_s = time.time() - started
        print('dry run: %.1f s, state %s, %d problems' % (check_s, wizard.state, wizard.problem_count), flush=True)
        started = time.time()
        wizard.action_load()
        load_s = time.time() - started
        print(wizard.protocol.split('\n\n')[-1])
        cr.execute("SELECT count(*), sum(b.balance_start) FROM neopro_balance b JOIN neopro_account a "
                   "ON a.id = b.account_id WHERE a.account_number LIKE '7%' AND length(a.account_number) = 7")
        print('balances loaded: %s, total %s' % cr.fetchone())
        cr.rollback()
    print('bare parse: %.2f s (%d rows)' % (parse_s, rows))
    print('load: %.1f s for %d subscribers (goal for 100,000: <= 600 s); ratio load / bare parse %.1fx'
          % (load_s, args.subscribers, load_s / parse_s))


if __name__ == '__main__':
    main()
