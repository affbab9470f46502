#!/usr/bin/env python3
"""Benchmark: load a 100,000-line meter-readings file against a database with 100,000 metered accounts.

Run with the Odoo virtualenv, from the repository root:

    .venv/bin/python bench/bench_reading_import.py [--db readings_bench] [--lines 100000] [--type csv|xlsx]

The database is made as for bench_payment_import.py (subscribers by SQL), plus one cold-water meter per
subscriber with a reading of the month before (so every line is checked against a previous reading). The file
(the generic CSV ``serial_number;date;value``, or the same rows as XLSX) has one line in 200 with an unknown
serial and one in 500 lower than the previous reading. Printed, from the same run: the bare parse of the file
(``csv.reader`` / openpyxl read-only, every cell), the bare ``INSERT … SELECT`` of as many readings (the
database's floor: indexes, foreign keys), the full import time (parse, checks, readings, protocol, attachment) and
the ratios. The import is rolled back, so the benchmark can be re-run.
"""
import argparse
import csv
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_payment_import import ACCOUNT_BASE, bare_sql_seconds, ensure_accounts, run_on_database, settle  # noqa: E402

SERIAL_BASE = 'BR'


def ensure_meters(env, count):
    """One meter a subscriber (serial BR<account>, 6 digits) with a reading of 100 a week before the period."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM neopro_meter WHERE serial_number LIKE 'BR%%'")
    if cr.fetchone()[0]:
        return
    cold = env.ref('neopro_billing.service_cold_water').id
    cr.execute("""
        INSERT INTO neopro_meter (serial_number, service_id, digits, subscriber_id, account_id, branch_id, active,
                                  verification_interval, initial_value, create_uid, write_uid, create_date, write_date)
        SELECT 'BR' || a.account_number, %(cold)s, 6, s.id, a.id, a.branch_id, true, 48, 0,
               1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM neopro_account a JOIN neopro_subscriber s ON s.account_id = a.id
         WHERE a.account_number LIKE '9%%' AND length(a.account_number) = 7""", {'cold': cold})
    cr.execute('ANALYZE neopro_meter')
    cr.execute("""
        INSERT INTO neopro_meter_reading (meter_id, date, value, source, is_reset, service_id, subscriber_id,
                                          branch_id, create_uid, write_uid, create_date, write_date)
        SELECT m.id, p.date_start - 7, 100, 'remote', false, m.service_id, m.subscriber_id, m.branch_id,
               1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM neopro_meter m, neopro_period p
         WHERE m.serial_number LIKE 'BR%%' AND p.state = 'open'""")
    cr.execute('ANALYZE neopro_meter_reading')
    cr.commit()
    print('Generated %d meters with a reading each' % count, flush=True)


# The readings of a file written by one INSERT … SELECT (no file, no checks): indexes, foreign keys, constraints.
BARE_READINGS_SQL = """
    INSERT INTO neopro_meter_reading (meter_id, date, value, source, is_reset, service_id, subscriber_id, branch_id,
                                      create_uid, write_uid, create_date, write_date)
    SELECT m.id, %(day)s, 200, 'remote', false, m.service_id, m.subscriber_id, m.branch_id,
           1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
      FROM neopro_meter m WHERE m.serial_number LIKE 'BR%%' ORDER BY m.id LIMIT %(lines)s"""


def make_rows(lines, accounts, day):
    rows = []
    for i in range(1, lines + 1):
        serial = 'BR%d' % (ACCOUNT_BASE + 1 + (i - 1) % accounts) if i % 200 else 'NOPE%d' % i
        value = '%d,%03d' % (100 + i % 900, i % 1000) if i % 500 else '50'
        rows.append((serial, day.strftime('%d.%m.%Y'), value))
    return rows


def make_file(rows, file_type):
    if file_type == 'csv':
        out = io.StringIO(newline='')
        writer = csv.writer(out, delimiter=';', lineterminator='\r\n')
        writer.writerow(('serial_number', 'date', 'value'))
        writer.writerows(rows)
        return out.getvalue().encode('utf-8')
    import xlsxwriter
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {'in_memory': True, 'constant_memory': True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ('serial_number', 'date', 'value'))
    for number, (serial, date, value) in enumerate(rows, 1):
        sheet.write_string(number, 0, serial)
        sheet.write_string(number, 1, date)
        sheet.write_number(number, 2, float(value.replace(',', '.')))
    book.close()
    return out.getvalue()


def bare_parse_seconds(data, file_type):
    started = time.time()
    if file_type == 'csv':
        count = sum(1 for _row in csv.reader(io.StringIO(data.decode('utf-8'), newline=''), delimiter=';'))
    else:
        import openpyxl
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        count = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
        book.close()
    return time.time() - started, count


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('--db', default='readings_bench')
    ap.add_argument('--lines', type=int, default=100000)
    ap.add_argument('--accounts', type=int, default=100000)
    ap.add_argument('--type', choices=('csv', 'xlsx'), default='csv')
    args = ap.parse_args()
    run_on_database(args.db, run, args)


def run(registry, args):
    import datetime

    from odoo import SUPERUSER_ID, api, fields

    from odoo.addons.neopro_billing.models.neopro_guard_mixin import local_today
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        ensure_accounts(env, args.accounts)
        ensure_meters(env, args.accounts)
        period = env['neopro.period']._get_open_period()
        day = min(fields.Date.from_string(period.date_start) + datetime.timedelta(days=20),
                  fields.Date.from_string(local_today(env['neopro.period'])))
        fmt_xmlid = 'reading_format_generic_csv' if args.type == 'csv' else 'reading_format_generic_xlsx'
    data = make_file(make_rows(args.lines, args.accounts, day), args.type)
    settle(registry.db_name)
    parse_s, rows = bare_parse_seconds(data, args.type)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        name = 'bench_readings_%d_%d.%s' % (args.lines, time.time(), args.type)
        started = time.time()
        record = env['neopro.reading.file']._import_file(env.ref('neopro_billing.%s' % fmt_xmlid), data, name)
        import_s = time.time() - started
        summary = (record.total_records, record.loaded_count, record.error_count)
        cr.rollback()
    insert_s = bare_sql_seconds(registry, BARE_READINGS_SQL, {'day': day, 'lines': summary[1]})
    print('Loaded (%s, %.1f MB): %d lines, %d readings, %d protocol lines' % ((args.type, len(data) / 1e6) + summary))
    print('bare parse: %.2f s (%d rows)' % (parse_s, rows))
    print('bare INSERT ... SELECT of the %d readings: %.2f s' % (summary[1], insert_s))
    print('import: %.2f s (goal <= 30 s)' % import_s)
    print('ratio import / bare parse: %.2fx (goal <= 2x)' % (import_s / parse_s))
    print('ratio import / (bare parse + bare insert): %.2fx' % (import_s / (parse_s + insert_s)))


if __name__ == '__main__':
    main()
