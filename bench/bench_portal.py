#!/usr/bin/env python3
"""Benchmark of the subscribers' own pages (RULES §15): the account page of a portal user at scale.

    .venv/bin/python bench/bench_portal.py --db portal_scale [--users 10] [--rounds 20]

Gives ``--users`` subscribers with history and meters a portal login (committed: run it on a copy of the scale
database), starts an Odoo server on the database, logs each user in over HTTP and fetches, ``--rounds`` times each:
``/my/accounts/<ЛС>`` (the account page), ``/my/accounts`` (the list: the same layout, session and user, one
count and one row — the floor of a portal page of ours) and Odoo's portal home ``/my/home`` (which also counts the
user's invoices). Prints the median and the 95th percentile in milliseconds, and the ratio of the account page to
each. Not part of bin/test.
"""
import argparse
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import benchlib
from benchlib import CONF, ROOT, free_port, wait_http

PASSWORD = 'Bench-Portal-2026x'


def make_users(db, count):
    """``[(login, account number)]`` of the first ``count`` active subscribers with a meter, each given a
    portal login (made once; later runs reuse them)."""
    odoo, registry = benchlib.connect(db)
    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr, lang='ru_RU')
        cr.execute("""
            SELECT s.id FROM neopro_subscriber s
             WHERE s.active AND EXISTS (SELECT 1 FROM neopro_meter m WHERE m.account_id = s.account_id)
          ORDER BY s.id LIMIT %s""", (count,))
        subscribers = env['neopro.subscriber'].browse([row[0] for row in cr.fetchall()])
        group = env.ref('base.group_portal')
        users = []
        for index, sub in enumerate(subscribers):
            login = 'bench_portal_%d' % index
            if not sub.partner_id:
                sub.action_portal_invite()
            if not env['res.users'].search([('login', '=', login)]):
                env['res.users'].with_context(no_reset_password=True).create({
                    'name': sub.name, 'login': login, 'password': PASSWORD, 'partner_id': sub.partner_id.id,
                    'groups_id': [(6, 0, group.ids)], 'lang': 'ru_RU'})
            users.append((login, sub.account_number))
        cr.commit()
        cr.execute('SELECT count(*) FROM neopro_account')
        accounts = cr.fetchone()[0]
        cr.execute('SELECT count(*) FROM neopro_operation')
        operations = cr.fetchone()[0]
    return users, accounts, operations


class Session(object):
    def __init__(self, base, db, login):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.get('/web/login')[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.opener.open(self.base + '/web/login', urllib.parse.urlencode(
            {'login': login, 'password': PASSWORD, 'db': db, 'csrf_token': token}).encode()).read()

    def get(self, path):
        t0 = time.perf_counter()
        response = self.opener.open(self.base + path, timeout=60)
        body = response.read().decode('utf-8')
        return (time.perf_counter() - t0) * 1000.0, body


def measure(sessions, path_of, rounds):
    times = []
    for _round in range(rounds):
        for session, number in sessions:
            elapsed, body = session.get(path_of(number))
            times.append(elapsed)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True)
    parser.add_argument('--users', type=int, default=10)
    parser.add_argument('--rounds', type=int, default=20)
    args = parser.parse_args()
    users, accounts, operations = make_users(args.db, args.users)
    port = free_port()
    server = subprocess.Popen([os.path.join(ROOT, 'bin', 'odoo'), '-c', CONF, '-d', args.db,
                               '--db-filter=^%s$' % args.db, '--http-port=%d' % port, '--log-level=warn',
                               '--max-cron-threads=0', '--workers=0'], start_new_session=True)
    try:
        base = 'http://127.0.0.1:%d' % port
        if not wait_http(base + '/web/login'):
            sys.exit('the server did not answer on port %d' % port)
        sessions = [(Session(base, args.db, login), number) for login, number in users]
        for session, number in sessions:  # warm-up: templates compiled, caches filled
            _elapsed, body = session.get('/my/accounts/%s' % number)
            assert number in body and 'o_neopro_account_page' in body, 'no account page for %s' % number
            session.get('/my/home')
            session.get('/my/accounts')
        print('Database %s: %d accounts, %d ledger lines; %d portal users × %d rounds'
              % (args.db, accounts, operations, len(sessions), args.rounds), flush=True)
        home = measure(sessions, lambda number: '/my/home', args.rounds)
        page = measure(sessions, lambda number: '/my/accounts/%s' % number, args.rounds)
        listing = measure(sessions, lambda number: '/my/accounts', args.rounds)
        print('%-36s %10s %10s' % ('request', 'median ms', 'p95 ms'))
        for label, (median, p95) in (('/my/accounts (list, floor)', listing),
                                     ('/my/accounts/<ЛС> (account page)', page), ('/my/home (Odoo)', home)):
            print('%-36s %10.1f %10.1f' % (label, median, p95))
        print('account page / list: %.1f×, / Odoo home: %.1f× (medians); budget: account page ≤ 300 ms'
              % (page[0] / listing[0], page[0] / home[0]))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


if __name__ == '__main__':
    main()
