"""Login security on a live server: password policy and brute-force protection (issue 6)."""
import xmlrpc.client

import pytest


def _authenticate(url, db, login, password):
    common = xmlrpc.client.ServerProxy('%s/xmlrpc/2/common' % url, allow_none=True)
    return common.authenticate(db, login, password, {})


@pytest.fixture
def new_user(odoo):
    """A fresh operator with a policy-compliant password."""
    branch = odoo.call('neopro.branch', 'search', [], limit=1)
    action = odoo.call('neopro.user.wizard', 'action_create', [odoo.call('neopro.user.wizard', 'create', {
        'name': 'Brute Force Target', 'login': 'bf_target', 'role': 'operator', 'branch_ids': [(6, 0, branch)],
        'password': 'Target-Pass-1', 'password_confirm': 'Target-Pass-1'})])
    yield action['res_id']


def test_weak_password_is_refused_with_the_policy(odoo):
    with pytest.raises(xmlrpc.client.Fault) as error:
        odoo.call('neopro.user.wizard', 'action_create', [odoo.call('neopro.user.wizard', 'create', {
            'name': 'Weak', 'login': 'weak_pw', 'role': 'accountant', 'password': 'qwerty',
            'password_confirm': 'qwerty'})])
    assert 'password policy' in error.value.faultString or 'паролей' in error.value.faultString
    assert not odoo.call('res.users', 'search', [('login', '=', 'weak_pw')])


def test_repeated_wrong_passwords_ban_the_login_from_that_address(url, db, odoo, new_user):
    assert _authenticate(url, db, 'bf_target', 'Target-Pass-1') == new_user
    limit = int(odoo.call('ir.config_parameter', 'get_param', 'auth_brute_force.max_by_ip_user') or 10)
    for _attempt in range(limit + 1):
        assert not _authenticate(url, db, 'bf_target', 'wrong password')
    # now even the right password is refused from this address
    assert not _authenticate(url, db, 'bf_target', 'Target-Pass-1')
    results = odoo.call('res.authentication.attempt', 'search_read', [('login', '=', 'bf_target')],
                        fields=['result', 'remote'])
    assert {r['remote'] for r in results} == {'127.0.0.1'}
    # the first `limit` wrong ones failed; the one after them and the right password were refused as banned
    assert sorted(r['result'] for r in results).count('failed') == limit
    assert [r['result'] for r in results].count('banned') == 2
    assert [r['result'] for r in results].count('successful') == 1
