#!/usr/bin/env python3
"""Benchmark of printing receipts: 1 000 receipts of the open period into one PDF (bench/generate.py database).

    .venv/bin/python bench/bench_receipts.py --db billing_bench [--count 1000]

Starts an Odoo server on the database (wkhtmltopdf fetches the report CSS over HTTP, docs/PLATFORM.md), then runs the
steps of ir.actions.report.render_qweb_pdf one by one for the first subscribers in address order (what Reports →
Print receipts does for a street): the receipt data (a few queries and the QR codes), the QWeb HTML, wkhtmltopdf.
Prints the seconds of each step, the pages and the size of the PDF. Not part of bin/test.
"""
import argparse
import io
import os
import signal
import subprocess
import sys
import time

import benchlib
from benchlib import CONF, ROOT, free_port, wait_http


def main():
    os.environ.setdefault('NODE_PATH', '/usr/share/nodejs')  # Debian's lessc builds the report CSS with it
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True)
    parser.add_argument('--count', type=int, default=1000)
    parser.add_argument('--output', help='keep the PDF at this path')
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen([os.path.join(ROOT, 'bin', 'odoo'), '-c', CONF, '-d', args.db,
                               '--db-filter=^%s$' % args.db, '--http-port=%d' % port, '--log-level=warn',
                               '--max-cron-threads=0'], start_new_session=True)
    try:
        if not wait_http('http://127.0.0.1:%d/web/login' % port):
            sys.exit('the server did not answer on port %d' % port)
        run(args, port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def run(args, port):
    odoo, registry = benchlib.connect(args.db)
    from PyPDF2 import PdfFileReader

    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr, lang='ru_RU')
        base_url = 'http://127.0.0.1:%d' % port
        env['ir.config_parameter'].set_param('report.url', base_url)
        # the utility's Kaspi payment page: every receipt prints its QR code
        for key, value in (('alias', 'vodokanal-bench'), ('service_id', '5150'), ('account_field', '8601')):
            env['ir.config_parameter'].set_param('neopro_billing.kaspi_pay_' + key, value)
        cr.commit()
        period = env['neopro.period']._get_open_period()
        subscribers = env['neopro.subscriber'].search([], order='house_id, premise_id, account_number',
                                                      limit=args.count)
        report = env.ref('neopro_billing.neopro_receipt_report')
        # Warm-up: the report's asset bundle is built (and committed) by the first PDF, as on a server.
        report.with_context(commit_assetsbundle=True).render_qweb_pdf(subscribers[:1].ids)
        print('Database %s, open period %s: %s receipts' % (args.db, period.name, len(subscribers)), flush=True)

        steps = []
        started = time.time()
        receipts = env['neopro.receipt']._get_receipts(subscribers, period)
        steps.append(('receipt data with QR codes (alone)', time.time() - started))
        started = time.time()
        for receipt in receipts:
            env['neopro.receipt']._get_qr_image(receipt['qr_payload'])
        steps.append(('· of which the QR codes', time.time() - started))

        total = time.time()
        started = time.time()
        html = report.render_qweb_html(subscribers.ids)[0].decode('utf-8')
        steps.append(('QWeb HTML (data, QR codes, template)', time.time() - started))
        started = time.time()
        bodies, _ids, header, footer, paperformat_args = report._prepare_html(html)
        steps.append(('split into bodies', time.time() - started))
        started = time.time()
        pdf = report._run_wkhtmltopdf(bodies, header=header, footer=footer,
                                      specific_paperformat_args=paperformat_args)
        steps.append(('wkhtmltopdf', time.time() - started))
        total = time.time() - total
        pages = PdfFileReader(io.BytesIO(pdf)).getNumPages()
        for label, seconds in steps:
            print('  %-40s %7.2f s' % (label, seconds), flush=True)
        print('  %-40s %7.2f s' % ('total: HTML + bodies + wkhtmltopdf', total))
        print('%s receipts → one PDF of %s pages, %.1f MB, HTML %.1f MB, in %.1f s (%.0f ms a receipt)'
              % (len(subscribers), pages, len(pdf) / 1e6, len(html.encode('utf-8')) / 1e6, total,
                 1000.0 * total / max(len(subscribers), 1)))
        if args.output:
            with open(args.output, 'wb') as fh:
                fh.write(pdf)
        cr.rollback()


if __name__ == '__main__':
    main()
