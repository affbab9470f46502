#!/usr/bin/env python3
"""Run the linters, the add-on's Odoo tests and the repo-level pytest suite; print one verdict.

A full run (no names) starts with bin/lint, counted as one test: passed when flake8, isort and pylint-odoo find
nothing, failed otherwise; a run of named tests skips it.

Odoo's exit code alone does not tell a failure (docs/PLATFORM.md): a test file that
fails to import exits 0. So the verdict reads the log: every test file must
report "Ran N tests", unittest's FAILED lines are counted, and any other
ERROR/CRITICAL log line counts as a failure too.
"""
import argparse
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ODOO = os.path.join(ROOT, 'bin', 'odoo')
CONF = os.path.join(ROOT, '.local', 'odoo.conf')
ART = os.path.join(ROOT, 'test-artifacts')
ODOO_TESTS_TIMEOUT = 40 * 60  # a hung test (a lock wait) must fail the run, not eat CI's 90 minutes
LOG_RE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) (\S+) ([\w.]+): (.*)$')
# Log lines that are not failures of ours.
NOISE = [
    re.compile(r'Unmet dependencies'),
    re.compile(r'inconsistent states'),
    re.compile(r'At least one test failed when loading the modules'),
]


def free_port():
    """A TCP port nobody listens on now (parallel runs must not share one)."""
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def parse_odoo_log(path, expected_files):
    """Return (passed, failed, problems) from an Odoo --test-enable log."""
    passed = failed = 0
    problems = []
    ran_files = set()
    current = None
    with open(path, encoding='utf-8', errors='replace') as fh:
        for line in fh:
            m = LOG_RE.match(line.rstrip('\n'))
            if not m:
                continue
            level, logger, msg = m.group(1), m.group(3), m.group(4)
            if msg.endswith(' running tests.'):
                current = msg[:-len(' running tests.')]
                ran_files.add(current.rsplit('.', 1)[-1])
                continue
            if logger.startswith('odoo.addons.') and '.tests.' in logger:
                r = re.match(r'Ran (\d+) tests? in', msg)
                if r:
                    passed += int(r.group(1))
                    continue
                if re.match(r'(FAIL|ERROR): ', msg):
                    failed += 1
                    passed -= 1
                    problems.append('%s: %s' % (logger, msg))
                    continue
                if level in ('ERROR', 'CRITICAL'):
                    continue  # traceback lines of a failure counted above
            if level in ('ERROR', 'CRITICAL') and not any(n.search(line) for n in NOISE):
                if re.match(r'Module \S+: \d+ failures, \d+ errors', msg):
                    continue
                failed += 1
                problems.append('log %s %s: %s' % (level, logger, msg))
    for name in expected_files:
        if name not in ran_files:
            failed += 1
            problems.append('test file %s did not run (import error?)' % name)
    return passed, failed, problems


def lint():
    """Run bin/lint (flake8, isort, pylint-odoo); return (passed, failed) counting it as one test."""
    logfile = os.path.join(ART, 'lint.log')
    print('==> Lint: flake8, isort, pylint-odoo (bin/lint), log: %s' % logfile, flush=True)
    t0 = time.time()
    with open(logfile, 'w') as out:
        rc = subprocess.call([os.path.join(ROOT, 'bin', 'lint')], stdout=out, stderr=subprocess.STDOUT)
    if rc:
        with open(logfile, encoding='utf-8', errors='replace') as fh:
            for line in fh:
                print('   ' + line.rstrip('\n'))
    print('   lint: %s (%.0f s)' % ('failed' if rc else 'passed', time.time() - t0), flush=True)
    return (0, 1) if rc else (1, 0)


def set_language(db, old, new):
    """Switch the users of ``db`` from one language to another (both stay installed)."""
    # psql interpolates :'variables' (quoted as literals) only in the statements it reads, not in -c
    run(['psql', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-v', 'old=%s' % old, '-v', 'new=%s' % new],
        input=b"UPDATE res_lang SET active = true WHERE code = :'new';\n"
              b"UPDATE res_partner SET lang = :'new' WHERE lang = :'old';\n")


def odoo_tests(selected, db):
    files = sorted(os.path.basename(p)[:-3]
                   for p in glob.glob(os.path.join(ROOT, 'neopro_billing', 'tests', 'test_*.py')))
    if selected:
        files = [f for f in files if f in selected]
    env = dict(os.environ, NEOPRO_TESTS=','.join(files))
    logfile = os.path.join(ART, 'odoo-tests.log')
    print('==> Odoo tests (%d files) on database %s, log: %s' % (len(files), db, logfile), flush=True)
    t0 = time.time()
    timed_out = False
    with open(logfile, 'w') as out:
        try:
            rc = subprocess.call([ODOO, '-c', CONF, '-d', db, '-i', 'neopro_billing', '--test-enable',
                                  '--stop-after-init', '--log-level=test', '--http-port=%d' % free_port(),
                                  '--db-filter=^%s$' % db], stdout=out, stderr=subprocess.STDOUT, env=env,
                                 timeout=ODOO_TESTS_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc, timed_out = -1, True
    passed, failed, problems = parse_odoo_log(logfile, files)
    if timed_out:
        failed += 1
        problems.append('the tests did not finish in %d s: killed (a test waiting on a lock?)' % ODOO_TESTS_TIMEOUT)
    if rc != 0 and not failed:
        failed += 1
        problems.append('odoo exited with code %s' % rc)
    for p in problems:
        print('   ' + p)
    print('   odoo tests: %d passed, %d failed (%.0f s)' % (passed, failed, time.time() - t0), flush=True)
    return passed, failed


def wait_http(url, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return True
        except Exception:
            time.sleep(1)
    return False


def pytest_tests(db, selected):
    files = selected or sorted(glob.glob(os.path.join(ROOT, 'tests', 'test_*.py')))
    if not files:
        return 0, 0
    port = free_port()
    logfile = os.path.join(ART, 'odoo-server.log')
    print('==> Repo-level tests %s against a server on port %d'
          % (' '.join(os.path.basename(f) for f in files), port), flush=True)
    server = subprocess.Popen([ODOO, '-c', CONF, '-d', db, '--db-filter=^%s$' % db, '--http-port=%d' % port,
                               '--log-level=info', '--logfile=%s' % logfile], start_new_session=True)
    try:
        if not wait_http('http://127.0.0.1:%d/web/login' % port):
            print('   server did not answer on port %d' % port)
            return 0, 1
        junit = os.path.join(ART, 'pytest.xml')
        env = dict(os.environ, NEOPRO_URL='http://127.0.0.1:%d' % port, NEOPRO_DB=db, NEOPRO_ARTIFACTS=ART)
        subprocess.call([os.path.join(ROOT, '.venv-e2e', 'bin', 'pytest'), '-q', '-p', 'no:cacheprovider',
                         '--junitxml=%s' % junit] + files, cwd=ROOT, env=env)
        if not os.path.exists(junit):
            return 0, 1
        suite = ET.parse(junit).getroot()
        suite = suite if suite.tag == 'testsuite' else suite.find('testsuite')
        total, fail, err, skip = (int(suite.get(k, 0)) for k in ('tests', 'failures', 'errors', 'skipped'))
        print('   repo-level tests: %d passed, %d failed, %d skipped' % (total - fail - err - skip, fail + err, skip))
        return total - fail - err - skip, fail + err
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--template', required=True)
    ap.add_argument('--keep-db', action='store_true', help='do not drop the test database')
    ap.add_argument('names', nargs='*', help='add-on test names (test_x) or repo-level files (tests/test_y.py)')
    args = ap.parse_args()
    shutil.rmtree(ART, ignore_errors=True)
    os.makedirs(ART)
    addon_sel = [n for n in args.names if not n.endswith('.py')]
    repo_sel = [n for n in args.names if n.endswith('.py')]
    passed = failed = 0
    if not args.names:
        passed, failed = lint()
    db = 'neopro_test_%d' % os.getpid()
    run(['createdb', '-T', args.template, db])
    try:
        if addon_sel or not repo_sel:
            # The add-on's tests assert messages in English, the source language; the users work in Russian.
            set_language(db, 'ru_RU', 'en_US')
            p, f = odoo_tests(addon_sel, db)
            passed, failed = passed + p, failed + f
            set_language(db, 'en_US', 'ru_RU')
        if repo_sel and not addon_sel:
            subprocess.call([ODOO, '-c', CONF, '-d', db, '-i', 'neopro_billing', '--stop-after-init',
                             '--log-level=warn', '--http-port=%d' % free_port()])
        if repo_sel or not addon_sel:
            p, f = pytest_tests(db, repo_sel)
            passed, failed = passed + p, failed + f
    finally:
        if not args.keep_db:
            subprocess.call(['dropdb', '--if-exists', db])
    if passed == 0 and failed == 0:
        failed = 1
        print('no test ran')
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
