"""What the benchmarks share: an Odoo registry on a database, the open period, an HTTP server's readiness."""
import os
import socket
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, '.local', 'odoo.conf')
_MANAGERS = []  # the environment managers entered by connect(), alive as long as the process


def connect(db):
    """``(odoo, registry)`` of ``db`` with the repository's configuration; environments are managed from here on."""
    sys.path.insert(0, ROOT)
    import odoo
    odoo.tools.config.parse_config(['-c', CONF, '-d', db, '--log-level=warn'])
    registry = odoo.registry(db)
    manager = odoo.api.Environment.manage()
    manager.__enter__()
    _MANAGERS.append(manager)
    return odoo, registry


def environment(odoo, cr, lang='en_US'):
    """A superuser environment on ``cr``, in UTC."""
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {'tz': 'UTC', 'lang': lang})


def open_period(env, hint='generate the database first (bench/generate.py)'):
    """The open billing period; stops the benchmark when there is none."""
    period = env['neopro.period']._get_open_period()
    if not period:
        sys.exit('no open period: %s' % hint)
    return period


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_http(url, seconds=120):
    """Whether ``url`` answered within ``seconds``."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return True
        except Exception:  # pylint: disable=broad-except
            time.sleep(1)
    return False
