#!/usr/bin/env python3
"""Benchmark: the go-live import of N subscribers, each with an address, a meter with its last reading and an
opening balance (goal for 100,000: <= 10 minutes); optionally legal entities with contracts and metering points.

Run with the Odoo virtualenv, from the repository root:

    .venv/bin/python bench/bench_golive.py [--db golive_bench] [--subscribers 100000] [--contracts 2000]

The database (neopro_billing without demo data, made as for bench_payment_import.py) gets a branch, a category
and an open period of the current month. The workbook is the shipped template filled with openpyxl: N rows on
«Абоненты» (500 streets, 10 houses a street, new apartments), N meters on «Счетчики», N balances on «Сальдо»;
with --contracts C, C contracts on «Юрлица» with 5 metering points each (4 with a meter on «Счетчики», one with a
fixed volume) and a balance each; with --again the same file is loaded a second time (everything loaded before).
Printed, from the same run: the load average, the bare parse (openpyxl read-only over every sheet), the dry run
and the load, and their ratio to the bare parse. Everything is rolled back, so the benchmark can be re-run.
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
CONTRACT_BASE = 8000000
POINTS = 5


def make_bin(number):
    """A valid BIN (11 digits and the check digit) made of ``number``."""
    from odoo.addons.neopro_billing.lib import kz_id
    first = next(first for first in ('%d%09d' % (prefix, number) for prefix in range(99, 9, -1))
                 if kz_id.check_digit(first) is not None)
    return first + str(kz_id.check_digit(first))


def add_contracts(book, count, reading_day):
    """``count`` contracts of 5 metering points (4 meters, one fixed volume), each with a balance."""
    legal, meters, balances = book['Юрлица'], book['Счетчики'], book['Сальдо']
    for i in range(1, count + 1):
        account = str(CONTRACT_BASE + i)
        head = [account, make_bin(i), 'ТОО Бенч %d' % i, 'Д-%d' % i, 'GLB', 'GLBL']
        for point in range(1, POINTS):
            serial = 'GLC%d-%d' % (i, point)
            legal.append(head + ['Точка %d' % point, 'cold_water', serial, None])
            meters.append([serial, 'cold_water', None, account, '01.01.2020', 1000 + i % 900, reading_day,
                           '01.01.2020', 6])
        legal.append(head + ['Точка %d' % POINTS, 'cold_water', None, 12.5])
        balances.append([account, round((i % 700) * 11.3, 2)])


def make_file(env, count, day, contracts=0):
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
    add_contracts(book, contracts, reading_day)
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
    ap.add_argument('--contracts', type=int, default=0)
    ap.add_argument('--again', action='store_true', help='load the same file a second time (nothing new)')
    args = ap.parse_args()
    run_on_database(args.db, run, args)


def run(registry, args):
    from odoo import SUPERUSER_ID, api, fields

    from odoo.addons.neopro_billing.models.neopro_guard_mixin import local_today
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
        if not env['neopro.branch'].search([('code', '=', 'GLB')]):
            env['neopro.branch'].create({'name': 'Go-live bench', 'code': 'GLB'})
            env['neopro.subscriber.category'].create({'name': 'Go-live bench residents', 'code': 'GLB'})
        if not env['neopro.subscriber.category'].search([('code', '=', 'GLBL')]):
            env['neopro.subscriber.category'].create({'name': 'Go-live bench companies', 'code': 'GLBL',
                                                      'legal_entity': True})
        today = fields.Date.from_string(local_today(env['neopro.period']))
        if not env['neopro.period']._get_open_period():
            start = today.replace(day=1)
            end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            env['neopro.period'].create({'date_start': fields.Date.to_string(start),
                                         'date_end': fields.Date.to_string(end)})
        cr.commit()
        started = time.time()
        data = make_file(env, args.subscribers, today, args.contracts)
        print('workbook made in %.1f s (%.1f MB)' % (time.time() - started, len(data) / 1e6), flush=True)
    print('load average before the run: %.2f %.2f %.2f' % os.getloadavg(), flush=True)
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
        cr.execute("SELECT count(*), sum(b.balance_start), sum(a.balance_end) FROM neopro_balance b "
                   "JOIN neopro_account a ON a.id = b.account_id "
                   "WHERE a.account_number ~ '^[78][0-9]{6}$' AND b.period_id = %s",
                   (env['neopro.period']._get_open_period().id,))
        print('balances loaded: %s, total %s; accounts\' closing balances: total %s' % cr.fetchone())
        if args.again:
            again = env['neopro.golive.import'].create({'data_file': base64.b64encode(data)})
            started = time.time()
            again.action_load()
            print('the same file again: %.1f s; %s' % (time.time() - started,
                                                       again.protocol.split('\n\n')[-1].replace('\n', ' ')))
        cr.rollback()
    print('bare parse: %.2f s (%d rows)' % (parse_s, rows))
    print('dry run: %.1f s; ratio dry run / bare parse %.1fx' % (check_s, check_s / parse_s))
    print('load: %.1f s for %d subscribers and %d contracts (goal for 100,000 subscribers: <= 600 s); ratio load / '
          'bare parse %.1fx' % (load_s, args.subscribers, args.contracts, load_s / parse_s))


if __name__ == '__main__':
    main()
