"""Shared fixtures of the repo-level tests: they talk to a running server over XML-RPC.

`bin/test tests/test_x.py` starts the server on a fresh database with neopro_billing and its demo data and
sets NEOPRO_URL and NEOPRO_DB; to run against your own server: NEOPRO_URL=http://localhost:8069
NEOPRO_DB=neopro .venv-e2e/bin/pytest tests/test_x.py
"""
import os
import xmlrpc.client

import pytest


class OdooClient(object):
    """An authenticated XML-RPC session: ``client.call('neopro.subscriber', 'search', [domain], limit=5)``."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.login, self.password = url, db, login, password
        common = xmlrpc.client.ServerProxy('%s/xmlrpc/2/common' % url, allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise RuntimeError('login %s refused by %s (database %s)' % (login, url, db))
        self.models = xmlrpc.client.ServerProxy('%s/xmlrpc/2/object' % url, allow_none=True)

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def ref(self, xmlid):
        """Database id of an xml id ``module.name`` (False when it does not exist)."""
        module, name = xmlid.split('.')
        found = self.call('ir.model.data', 'search_read', [('module', '=', module), ('name', '=', name)],
                          fields=['res_id'])
        return found and found[0]['res_id']


@pytest.fixture(scope='session')
def url():
    return os.environ.get('NEOPRO_URL', 'http://127.0.0.1:8069').rstrip('/')


@pytest.fixture(scope='session')
def db():
    return os.environ.get('NEOPRO_DB', 'neopro')


@pytest.fixture(scope='session')
def odoo(url, db):
    """The administrator (admin / admin)."""
    return OdooClient(url, db, 'admin', 'admin')


@pytest.fixture(scope='session')
def login_as(url, db):
    """Log in as another user: ``login_as('operator1')`` (the demo users' password is their login)."""
    def _login(login, password=None):
        return OdooClient(url, db, login, password or login)
    return _login


@pytest.fixture(scope='session')
def demo(odoo):
    """Skip a test that needs the demo data when the database has none."""
    if not odoo.ref('neopro_billing.subscriber_12345_demo'):
        pytest.skip('the database has no neopro_billing demo data')
    return odoo
