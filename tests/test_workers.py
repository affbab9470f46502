"""Production mode: with ``--workers=2``, one worker keeps serving while the other calculates a period.

The test starts a second server on the test database in multi-worker mode (its own ports, no cron worker), runs
``action_calculate`` of the open period over JSON-RPC in a thread — a few times in a row, so that it lasts on the
small demo data — and searches subscribers as the web client does meanwhile. Odoo logs every JSON-RPC call with
its process id and its duration (``odoo.http.rpc.request`` at debug level): from that log, searches must have run
inside a calculation call, in the other worker, and all of them must have succeeded.
"""
import datetime
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CALCULATIONS = 20         # calculation calls in a row (a demo calculation takes 40–100 ms here)
MAX_SEARCHES = 2000       # bound of the search loop
DEADLINE = 45             # seconds for the calculation thread
RPC_LINE = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) DEBUG \S+ odoo\.http\.rpc\.request: '
                      r'(\w+): (\S+) (\S+): time:([\d.]+)s')


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class JsonRpc(object):
    """A web client session (its own cookie jar) calling the JSON-RPC routes of the web client."""

    def __init__(self, url, db):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.context = self.post('/web/session/authenticate', db=db, login='admin', password='admin')['user_context']

    def post(self, path, **params):
        body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params}).encode()
        request = urllib.request.Request(self.url + path, body, {'Content-Type': 'application/json'})
        answer = json.loads(self.opener.open(request, timeout=60).read().decode())
        if answer.get('error'):
            raise AssertionError('%s: %s' % (path, answer['error']['data']['message']))
        return answer['result']

    def call_kw(self, model, method, args, **kwargs):
        kwargs['context'] = self.context
        return self.post('/web/dataset/call_kw/%s/%s' % (model, method), model=model, method=method, args=args,
                         kwargs=kwargs)


@pytest.fixture(scope='module')
def workers_server(db):
    """A second server on the test database: 2 HTTP workers, each JSON-RPC call's time in its log."""
    port = _free_port()
    logfile = os.path.join(os.environ.get('NEOPRO_ARTIFACTS', os.path.join(ROOT, 'test-artifacts')),
                           'odoo-workers.log')
    os.makedirs(os.path.dirname(logfile), exist_ok=True)
    if os.path.exists(logfile):
        os.remove(logfile)
    server = subprocess.Popen([
        os.path.join(ROOT, 'bin', 'odoo'), '-c', os.path.join(ROOT, '.local', 'odoo.conf'), '-d', db,
        '--db-filter=^%s$' % db, '--http-interface=127.0.0.1', '--http-port=%d' % port,
        '--longpolling-port=%d' % _free_port(), '--workers=2', '--max-cron-threads=0', '--log-level=info',
        '--log-handler=odoo.http.rpc.request:DEBUG', '--logfile=%s' % logfile,
    ], start_new_session=True)
    url = 'http://127.0.0.1:%d' % port
    try:
        deadline = time.time() + 90
        while True:
            assert server.poll() is None, 'the multi-worker server exited; see %s' % logfile
            try:
                urllib.request.urlopen(url + '/web/login', timeout=10).read()
                break
            except OSError:
                assert time.time() < deadline, 'the multi-worker server did not answer in 90 s'
                time.sleep(0.5)
        yield url, logfile
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _logged_calls(logfile):
    """[(pid, model, method, start, end)] of the JSON-RPC calls in the log, times as seconds of the server clock."""
    calls = []
    with open(logfile, encoding='utf-8', errors='replace') as fh:
        for line in fh:
            m = RPC_LINE.match(line)
            if m:
                end = datetime.datetime.strptime(m.group(1), '%Y-%m-%d %H:%M:%S,%f').timestamp()
                calls.append((int(m.group(2)), m.group(4), m.group(5), end - float(m.group(6)), end))
    return calls


def test_other_worker_serves_during_calculation(workers_server, db, demo):
    url, logfile = workers_server
    calculator, searcher = JsonRpc(url, db), JsonRpc(url, db)
    period = calculator.call_kw('neopro.period', 'search', [[('state', '=', 'open')]], limit=1)
    assert period, 'the demo data has an open period'
    accounts = [s['account_number'] for s in searcher.call_kw('neopro.subscriber', 'search_read', [[]],
                                                              fields=['account_number'], limit=5)]
    outcome = {'calculations': 0}

    def calculate():
        started = time.time()
        try:
            while outcome['calculations'] < CALCULATIONS and time.time() - started < DEADLINE:
                calculator.call_kw('neopro.period', 'action_calculate', [period])
                outcome['calculations'] += 1
        except Exception as error:  # reported by the assertion below
            outcome['error'] = error

    thread = threading.Thread(target=calculate)
    thread.start()
    searches, failures = 0, []
    while thread.is_alive() and searches + len(failures) < MAX_SEARCHES:
        account = accounts[searches % len(accounts)]
        try:
            found = searcher.post('/web/dataset/search_read', model='neopro.subscriber', limit=80,
                                  fields=['account_number', 'name', 'balance_end'],
                                  domain=['|', ('account_number', '=like', account + '%'),
                                          ('name', 'ilike', account)])
            assert account in [r['account_number'] for r in found['records']]
            searches += 1
        except Exception as error:
            failures.append(error)
        time.sleep(0.02)
    thread.join(DEADLINE + 30)
    assert not thread.is_alive(), 'the calculations did not finish'
    assert 'error' not in outcome, outcome.get('error')
    assert outcome['calculations'] == CALCULATIONS
    assert not failures, failures[:3]

    time.sleep(0.5)  # the workers' last log lines
    calls = _logged_calls(logfile)
    calculations = [c for c in calls if c[1:3] == ('neopro.period', 'action_calculate')]
    assert len(calculations) == CALCULATIONS, 'the log has the time of each calculation call'
    overlapping = [(search, calc) for search in calls if search[1] == 'neopro.subscriber'
                   for calc in calculations if calc[3] <= search[3] and search[4] <= calc[4]]
    assert len(overlapping) >= 3, 'searches inside a calculation call: %d of %d (calculations %s)' % (
        len(overlapping), searches, ['%.3f s' % (c[4] - c[3]) for c in calculations])
    assert all(search[0] != calc[0] for search, calc in overlapping), \
        'a search ran inside a calculation call of the same worker'
