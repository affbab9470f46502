"""Hostile users over XML-RPC (issue 11): what the server refuses, whatever a logged-in client sends.

Odoo serves every model to every logged-in user over XML-RPC and JSON-RPC, so the server is the real interface:
these probes call it as the demo users would from a script (operator1 and operator2 of the other branch, inspector,
accountant, admin), each one a call the screens never make. Every probe of a refusal was accepted by the code
before issue 11; the role matrix states what each role may do with each billing model.

The demo users work in Russian: the refusals are asserted on the Russian messages.
"""
import base64
import datetime
import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xmlrpc.client

import pytest
from conftest import local_today

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TODAY = local_today()
FUTURE = '2099-01-15'


def refused(client, model, method, *args, **kwargs):
    """Call and expect a refusal; returns the server's message."""
    with pytest.raises(xmlrpc.client.Fault) as error:
        client.call(model, method, *args, **kwargs)
    return error.value.faultString


@pytest.fixture(scope='module')
def users(demo, login_as):
    return {login: login_as(login) for login in ('operator1', 'operator2', 'inspector', 'accountant', 'admin')}


@pytest.fixture(scope='module')
def periods(demo):
    """The open period and the first period of the demo."""
    found = demo.call('neopro.period', 'search_read', [], fields=['state', 'date_start', 'date_end'],
                      order='date_start')
    return {'first': found[0], 'open': [p for p in found if p['state'] == 'open'][0],
            'closed': [p for p in found if p['state'] == 'closed'][-1]}


@pytest.fixture(scope='module')
def frolov(demo):
    """Subscriber 12345 of the Уральский филиал (operator1's and the inspector's branch)."""
    return demo.ref('neopro_billing.subscriber_12345_demo')


def _day_before(date_text):
    return (datetime.date(*map(int, date_text.split('-'))) - datetime.timedelta(days=1)).isoformat()


# ------------------------------------------------------------------------------ item 1: periods

@pytest.mark.parametrize('login', ['accountant', 'admin'])
def test_open_period_not_closed_by_a_write(users, periods, login):
    message = refused(users[login], 'neopro.period', 'write', [periods['open']['id']], {'state': 'closed'})
    assert 'только' in message  # "… changes only through its actions"
    assert users['admin'].call('neopro.period', 'read', [periods['open']['id']], ['state'])[0]['state'] == 'open'


@pytest.mark.parametrize('context', [{'neopro_period_action': True}, {'neopro_period_action': 'token'}])
def test_period_action_context_cannot_be_forged(users, periods, context):
    refused(users['accountant'], 'neopro.period', 'write', [periods['open']['id']], {'state': 'closed'},
            context=context)
    assert users['admin'].call('neopro.period', 'read', [periods['open']['id']], ['state'])[0]['state'] == 'open'


@pytest.mark.parametrize('login', ['accountant', 'admin'])
def test_period_not_created_closed(users, login):
    refused(users[login], 'neopro.period', 'create',
            {'date_start': '2019-01-01', 'date_end': '2019-01-31', 'state': 'closed'})
    assert not users['admin'].call('neopro.period', 'search', [('date_start', '=', '2019-01-01')])


@pytest.mark.parametrize('login', ['accountant', 'admin'])
def test_dates_of_the_open_period_not_moved(users, periods, login):
    period = periods['open']
    start = datetime.date(*map(int, period['date_start'].split('-')))
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    end = (following + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    # a whole month later: a valid period, but its operations and balances would leave their month
    refused(users[login], 'neopro.period', 'write', [period['id']],
            {'date_start': following.isoformat(), 'date_end': end.isoformat()})
    assert users['admin'].call('neopro.period', 'read', [period['id']], ['date_start'])[0]['date_start'] == \
        period['date_start']


# ------------------------------------------------------------------------------ item 2: amounts and dates

BAD_AMOUNTS = ['nan', 'inf', '1e300', '1e15', 10.005, '1e3', float('nan'), float('inf'), float('-inf'), 1e300,
               1e15, 1e10, 0.001]


@pytest.mark.parametrize('amount', BAD_AMOUNTS, ids=[repr(a) for a in BAD_AMOUNTS])
def test_payment_amount_refused(users, frolov, amount):
    message = refused(users['operator1'], 'neopro.operation', 'create', {
        'operation_type': 'payment', 'subscriber_id': frolov, 'amount': amount})
    assert '12345' in message and 'Сумма' in message, message  # names the account and the field


@pytest.mark.parametrize('amount', [-1e15, 0.005, float('nan')], ids=repr)
def test_correction_amount_refused(users, demo, frolov, amount):
    refused(users['operator1'], 'neopro.operation', 'create', {
        'operation_type': 'correction', 'subscriber_id': frolov, 'amount': amount, 'name': 'probe',
        'correction_type_id': demo.ref('neopro_billing.correction_type_error')})


@pytest.fixture(scope='module')
def payment(users, frolov):
    """A payment of 10.00 booked by operator1 today."""
    return users['operator1'].call('neopro.operation', 'create', {
        'operation_type': 'payment', 'subscriber_id': frolov, 'amount': 10.0, 'date': TODAY.isoformat()})


@pytest.mark.parametrize('amount', [10.005, 'nan', '1e3', 1e15], ids=repr)
def test_amount_write_refused_not_rounded(users, payment, amount):
    """Odoo rounds a Monetary on write (10.005 → 10.01): the server refuses instead."""
    refused(users['operator1'], 'neopro.operation', 'write', [payment], {'amount': amount})
    assert users['admin'].call('neopro.operation', 'read', [payment], ['amount'])[0]['amount'] == 10.0


def test_entry_wizard_refuses_tiyn_fractions(users, frolov):
    message = refused(users['operator1'], 'neopro.operation.entry', 'create', {
        'operation_type': 'payment', 'amount': 0.001, 'date': TODAY.isoformat()},
        context={'default_subscriber_id': frolov})
    assert '12345' in message


def test_balances_stay_finite(users, frolov):
    figures = users['admin'].call('neopro.subscriber', 'read', [frolov], ['balance_end', 'amount_paid'])[0]
    assert all(value == value and abs(value) < 1e10 for value in (figures['balance_end'], figures['amount_paid']))


@pytest.mark.parametrize('when', ['future', 'before_first'])
def test_payment_date_bounded(users, periods, frolov, when):
    date = FUTURE if when == 'future' else _day_before(periods['first']['date_start'])
    refused(users['operator1'], 'neopro.operation', 'create', {
        'operation_type': 'payment', 'subscriber_id': frolov, 'amount': 5.0, 'date': date})


@pytest.mark.parametrize('when', ['future', 'before_first'])
def test_reading_date_bounded(users, demo, periods, when):
    date = FUTURE if when == 'future' else _day_before(periods['first']['date_start'])
    meter = demo.ref('neopro_billing.meter_6748_demo')
    # the value of the reading before that day: no rule on the values refuses it, only its date
    previous = demo.call('neopro.meter.reading', 'search_read', [('meter_id', '=', meter), ('date', '<', date)],
                         fields=['value'], order='date desc', limit=1)
    value = previous[0]['value'] if previous else demo.call('neopro.meter', 'read', [meter],
                                                            ['initial_value'])[0]['initial_value']
    message = refused(users['inspector'], 'neopro.meter.reading', 'create', {
        'meter_id': meter, 'date': date, 'value': value, 'source': 'inspector'})
    assert '6748' in message


@pytest.mark.parametrize('when', ['future', 'before_first'])
def test_verification_date_bounded(users, demo, periods, when):
    meter = demo.ref('neopro_billing.meter_6748_demo')
    before = users['admin'].call('neopro.meter', 'read', [meter], ['verification_date'])[0]['verification_date']
    date = FUTURE if when == 'future' else _day_before(periods['first']['date_start'])
    if when == 'future':  # the dialog refuses a future day; a direct write must too
        message = refused(users['inspector'], 'neopro.meter', 'write', [meter], {'verification_date': date})
    else:
        wizard = users['inspector'].call('neopro.meter.verify', 'create', {'meter_id': meter,
                                                                           'verification_date': date})
        message = refused(users['inspector'], 'neopro.meter.verify', 'action_save', [wizard])
    assert '6748' in message
    assert users['admin'].call('neopro.meter', 'read', [meter], ['verification_date'])[0]['verification_date'] == \
        before


def test_bank_file_lines_out_of_bounds_go_to_the_protocol(users, demo, periods):
    tag = uuid.uuid4().hex[:8]
    rows = ['account_number;payer_name;amount;date;txn_id',
            '12345;Фролов Степан;10000000000;%s;H-%s-1' % (TODAY.strftime('%d.%m.%Y'), tag),
            '12345;Фролов Степан;10;%s;H-%s-2' % (datetime.date(*map(int, _day_before(
                periods['first']['date_start']).split('-'))).strftime('%d.%m.%Y'), tag)]
    accountant = users['accountant']
    wizard = accountant.call('neopro.payment.import', 'create', {
        'bank_id': demo.ref('neopro_billing.bank_kaspi'),
        'format_id': demo.ref('neopro_billing.payment_format_generic_csv'),
        'data_file': base64.b64encode('\r\n'.join(rows).encode()).decode(), 'filename': 'hostile-%s.csv' % tag})
    action = accountant.call('neopro.payment.import', 'action_import', [wizard])
    record = accountant.call('neopro.payment.file', 'read', [action['res_id']], ['loaded_count', 'error_count'])[0]
    assert (record['loaded_count'], record['error_count']) == (0, 2)
    errors = accountant.call('neopro.payment.file.error', 'search_read', [('file_id', '=', action['res_id'])],
                             fields=['line_number', 'reason'], order='line_number')
    assert [(e['line_number'], e['reason']) for e in errors] == [(2, 'amount'), (3, 'date')]


# ------------------------------------------------------------------------------ item 3: system fields

@pytest.fixture(scope='module')
def charge(users, frolov, periods):
    """A computed charge of 12345 in the open period."""
    found = users['admin'].call('neopro.operation', 'search', [
        ('subscriber_id', '=', frolov), ('period_id', '=', periods['open']['id']), ('operation_type', '=', 'charge'),
        ('is_auto', '=', True)], limit=1)
    assert found, 'the demo calculates the open period'
    return found[0]


@pytest.mark.parametrize('vals', [{'is_auto': False}, {'basis': 'manual'}], ids=['is_auto', 'basis'])
def test_computed_charge_stays_computed(users, charge, vals):
    message = refused(users['operator1'], 'neopro.operation', 'write', [charge], vals)
    assert '12345' in message
    assert users['admin'].call('neopro.operation', 'read', [charge], ['is_auto'])[0]['is_auto'] is True


@pytest.fixture(scope='module')
def forged_file(users, demo):
    return users['admin'].call('neopro.payment.file', 'create', {
        'name': 'forged-%s.csv' % uuid.uuid4().hex[:6], 'bank_id': demo.ref('neopro_billing.bank_kaspi')})


@pytest.mark.parametrize('field', ['txn_id', 'payment_file_id', 'is_auto'])
def test_payment_system_fields_not_written(users, payment, forged_file, field):
    value = {'txn_id': 'FORGED-%s' % uuid.uuid4().hex[:6], 'payment_file_id': forged_file, 'is_auto': True}[field]
    refused(users['operator1'], 'neopro.operation', 'write', [payment], {field: value})
    after = users['admin'].call('neopro.operation', 'read', [payment], [field])[0][field]
    assert after in (False, None)


@pytest.mark.parametrize('field', ['txn_id', 'is_auto', 'basis'])
def test_operation_not_created_with_system_fields(users, frolov, field):
    value = {'txn_id': 'FORGED-%s' % uuid.uuid4().hex[:6], 'is_auto': True, 'basis': 'meter'}[field]
    refused(users['operator1'], 'neopro.operation', 'create', {
        'operation_type': 'payment', 'subscriber_id': frolov, 'amount': 1.0, field: value})


def test_payments_not_linked_to_a_file(users, payment, forged_file):
    refused(users['accountant'], 'neopro.payment.file', 'write', [forged_file], {'operation_ids': [(4, payment)]})
    linked = users['admin'].call('neopro.operation', 'read', [payment], ['payment_file_id'])[0]['payment_file_id']
    assert linked is False


@pytest.fixture(scope='module')
def forged_reading_file(users):
    return users['admin'].call('neopro.reading.file', 'create', {'name': 'forged-%s.csv' % uuid.uuid4().hex[:6]})


@pytest.fixture()
def open_reading(users, demo, periods):
    """A typed reading of meter 6748 (operator1's and the inspector's branch) in the open period: the one typed
    today by an earlier test of the run when there is one, else one made here and removed after."""
    admin = users['admin']
    meter = demo.ref('neopro_billing.meter_6748_demo')
    last = admin.call('neopro.meter.reading', 'search_read', [('meter_id', '=', meter)],
                      fields=['date', 'value', 'reading_file_id'], order='date desc', limit=1)
    day = max(periods['open']['date_start'], min(TODAY.isoformat(), periods['open']['date_end']))
    if last and last[0]['date'] == day and not last[0]['reading_file_id']:
        yield last[0]['id']
        return
    assert not last or last[0]['date'] < day, 'the demo has no reading of 6748 after today'
    reading = admin.call('neopro.meter.reading', 'create', {
        'meter_id': meter, 'date': day, 'value': (last[0]['value'] if last else 0) + 1, 'source': 'inspector'})
    yield reading
    admin.call('neopro.meter.reading', 'unlink', [reading])


@pytest.mark.parametrize('login', ['operator1', 'inspector'])
def test_reading_not_linked_to_a_file(users, open_reading, forged_reading_file, login):
    """A typed reading linked to a readings file would pass for a loaded one (and keep the file from deletion)."""
    message = refused(users[login], 'neopro.meter.reading', 'write', [open_reading],
                      {'reading_file_id': forged_reading_file})
    assert 'Файл показаний' in message and 'заполняет система' in message, message
    linked = users['admin'].call('neopro.meter.reading', 'read', [open_reading], ['reading_file_id'])[0]
    assert linked['reading_file_id'] is False
    assert users['admin'].call('neopro.reading.file', 'read', [forged_reading_file],
                               ['reading_ids'])[0]['reading_ids'] == []


def test_reading_not_created_with_a_file(users, demo, open_reading, forged_reading_file):
    before = users['admin'].call('neopro.meter.reading', 'read', [open_reading], ['date', 'value'])[0]
    message = refused(users['inspector'], 'neopro.meter.reading', 'create', {
        'meter_id': demo.ref('neopro_billing.meter_6748_demo'), 'date': before['date'], 'value': before['value'] + 1,
        'source': 'inspector', 'reading_file_id': forged_reading_file})
    assert 'Файл показаний' in message and 'заполняет система' in message, message


@pytest.mark.parametrize('login', ['operator1', 'inspector'])
def test_reading_not_passed_for_the_old_systems(users, demo, open_reading, login):
    """The old system's source («Прежняя система») marks the readings the go-live import brought: a user giving it
    to a typed reading, on create or write, is refused."""
    before = users['admin'].call('neopro.meter.reading', 'read', [open_reading], ['date', 'value', 'source'])[0]
    message = refused(users[login], 'neopro.meter.reading', 'write', [open_reading], {'source': 'migration'})
    assert 'Прежняя система' in message and 'загрузкой базы' in message, message
    message = refused(users[login], 'neopro.meter.reading', 'create', {
        'meter_id': demo.ref('neopro_billing.meter_6748_demo'), 'date': before['date'], 'value': before['value'] + 1,
        'source': 'migration'})
    assert 'Прежняя система' in message, message
    after = users['admin'].call('neopro.meter.reading', 'read', [open_reading], ['date', 'value', 'source'])[0]
    assert after == before


BALANCE_FIELDS = ['balance_start', 'amount_charged', 'amount_paid', 'amount_correction', 'amount_penalty',
                  'balance_end']


@pytest.mark.parametrize('field', BALANCE_FIELDS)
def test_balance_copies_not_written(users, frolov, field):
    before = users['admin'].call('neopro.subscriber', 'read', [frolov], [field])[0][field]
    message = refused(users['operator1'], 'neopro.subscriber', 'write', [frolov], {field: before + 1000})
    assert '12345' in message
    assert users['admin'].call('neopro.subscriber', 'read', [frolov], [field])[0][field] == before


def test_contract_balance_copies_not_written(users):
    contract = users['operator1'].call('neopro.contract', 'search', [], limit=1)[0]  # of operator1's branch
    refused(users['operator1'], 'neopro.contract', 'write', [contract], {'balance_end': -1})


def test_subscriber_not_created_with_a_balance(users, frolov):
    refused(users['operator1'], 'neopro.subscriber', 'create', {
        'account_number': 'H-%s' % uuid.uuid4().hex[:6], 'name': 'Хакеров Хакер',
        'branch_id': users['operator1'].call('neopro.subscriber', 'read', [frolov], ['branch_id'])[0]['branch_id'][0],
        'category_id': users['admin'].call('neopro.subscriber.category', 'search', [], limit=1)[0],
        'balance_start': -5000.0})


# ------------------------------------------------------------------------------ item 5: Kaspi in parallel

SECRET = 'hostile-%s' % uuid.uuid4().hex


@pytest.fixture
def kaspi(users):
    """The Kaspi endpoint configured for calls from this machine; the settings are restored afterwards."""
    admin = users['admin']
    keys = ('neopro_billing.kaspi_secret', 'neopro_billing.kaspi_allowed_ips')
    before = {key: admin.call('ir.config_parameter', 'get_param', key) for key in keys}
    admin.call('ir.config_parameter', 'set_param', keys[0], SECRET)
    admin.call('ir.config_parameter', 'set_param', keys[1], '127.0.0.1')
    yield
    for key, value in before.items():
        admin.call('ir.config_parameter', 'set_param', key, value or False)


def _pay(url, txn_id, amount, account='12345'):
    query = urllib.parse.urlencode({'command': 'pay', 'txn_id': txn_id, 'account': account, 'sum': amount,
                                    'secret': SECRET, 'format': 'json'})
    with urllib.request.urlopen('%s/neopro/kaspi?%s' % (url, query), timeout=120) as response:
        return json.loads(response.read().decode())


def test_simultaneous_kaspi_payments_all_booked(url, users, frolov, kaspi):
    """10 pairs of simultaneous pay calls (different txn ids) to one account: all 20 booked, none answers 5."""
    admin = users['admin']
    paid_before = admin.call('neopro.subscriber', 'read', [frolov], ['amount_paid'])[0]['amount_paid']
    tag = uuid.uuid4().hex[:8]
    answers = {}
    for pair in range(10):
        barrier = threading.Barrier(2)

        def call(txn_id):
            barrier.wait()
            try:
                answers[txn_id] = _pay(url, txn_id, '1.50')
            except Exception as error:  # asserted below
                answers[txn_id] = {'result': 'exception', 'comment': repr(error)}
        threads = [threading.Thread(target=call, args=('HP-%s-%02d-%s' % (tag, pair, side),)) for side in 'ab']
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
    assert len(answers) == 20
    assert [a for a in answers.values() if a['result'] != 0] == []
    booked = admin.call('neopro.operation', 'search_count', [('txn_id', 'in', list(answers))])
    assert booked == 20
    paid_after = admin.call('neopro.subscriber', 'read', [frolov], ['amount_paid'])[0]['amount_paid']
    assert round(paid_after - paid_before, 2) == 30.0


@pytest.mark.parametrize('amount', ['10000000000', '99999999999.99'])
def test_kaspi_sum_beyond_the_bound_refused(url, kaspi, amount):
    answer = _pay(url, 'HB-%s' % uuid.uuid4().hex[:10], amount)
    assert answer['result'] == 5


# ------------------------------------------------------------------------------ item 10: database manager

def test_database_manager_not_listed(url):
    db_service = xmlrpc.client.ServerProxy('%s/xmlrpc/2/db' % url, allow_none=True)
    with pytest.raises(xmlrpc.client.Fault):
        db_service.list()


def test_database_dump_refused_with_the_old_master_password(url, db):
    db_service = xmlrpc.client.ServerProxy('%s/xmlrpc/2/db' % url, allow_none=True)
    with pytest.raises(xmlrpc.client.Fault):
        db_service.dump('admin', db, 'zip')


def test_setup_config_keeps_the_manager_closed():
    options = {}
    with open(os.path.join(ROOT, '.local', 'odoo.conf')) as conf:
        for line in conf:
            if '=' in line:
                key, value = line.split('=', 1)
                options[key.strip()] = value.strip()
    assert options['list_db'] == 'False'
    assert options['http_interface'] == '127.0.0.1'
    assert options['admin_passwd'] not in ('', 'admin', 'False') and len(options['admin_passwd']) >= 24


# ------------------------------------------------------------------------------ the role matrix

ROLES = ['operator1', 'operator2', 'inspector', 'accountant']
# What each role may do with each billing model (r read, w write, c create, u unlink), by the access rights; the
# record rules then bound the branch-bound roles (operators, inspector) to their branches (below).
RIGHTS = {
    'neopro.account': {'operator': 'rwc', 'inspector': 'r', 'accountant': 'r'},
    'neopro.subscriber': {'operator': 'rwc', 'inspector': 'r', 'accountant': 'r'},
    'neopro.contract': {'operator': 'rwc', 'inspector': 'r', 'accountant': 'r'},
    'neopro.service.connection': {'operator': 'rwcu', 'inspector': 'r', 'accountant': 'r'},
    'neopro.metering.point': {'operator': 'rwcu', 'inspector': 'r', 'accountant': 'r'},
    'neopro.meter': {'operator': 'rwc', 'inspector': 'rw', 'accountant': 'rw'},
    'neopro.meter.reading': {'operator': 'rwcu', 'inspector': 'rwc', 'accountant': 'rwc'},
    'neopro.operation': {'operator': 'rwc', 'inspector': '', 'accountant': 'rwc'},
    'neopro.balance': {'operator': 'r', 'inspector': '', 'accountant': 'r'},
    'neopro.period': {'operator': 'r', 'inspector': 'r', 'accountant': 'rwc'},
    'neopro.tariff': {'operator': 'r', 'inspector': 'r', 'accountant': 'r'},
    'neopro.norm': {'operator': 'r', 'inspector': 'r', 'accountant': 'r'},
    'neopro.penalty.rate': {'operator': 'r', 'inspector': 'r', 'accountant': 'r'},
    'neopro.branch': {'operator': 'r', 'inspector': 'r', 'accountant': 'r'},
    'neopro.payment.file': {'operator': '', 'inspector': '', 'accountant': 'r'},
    'neopro.payment.format': {'operator': 'r', 'inspector': 'r', 'accountant': 'r'},
    'neopro.kaspi.log': {'operator': '', 'inspector': '', 'accountant': 'r'},
    'neopro.report.file': {'operator': 'r', 'inspector': 'r', 'accountant': 'ru'},
    'neopro.report.schedule': {'operator': 'r', 'inspector': 'r', 'accountant': 'r'},
}
VERBS = {'r': 'read', 'w': 'write', 'c': 'create', 'u': 'unlink'}
# The models of a branch: a branch-bound role reads its branch's records only.
BRANCH_MODELS = ['neopro.account', 'neopro.subscriber', 'neopro.contract', 'neopro.service.connection',
                 'neopro.metering.point', 'neopro.meter', 'neopro.meter.reading', 'neopro.operation',
                 'neopro.balance']


def _role(login):
    return 'operator' if login.startswith('operator') else login


@pytest.mark.parametrize('verb', 'rwcu')
@pytest.mark.parametrize('model', sorted(RIGHTS))
@pytest.mark.parametrize('login', ROLES)
def test_role_matrix_rights(users, login, model, verb):
    allowed = verb in RIGHTS[model][_role(login)]
    assert users[login].call(model, 'check_access_rights', VERBS[verb], raise_exception=False) is allowed


@pytest.mark.parametrize('model', sorted(m for m in RIGHTS if 'r' not in RIGHTS[m]['inspector']))
def test_role_matrix_inspector_reads_refused(users, model):
    refused(users['inspector'], model, 'search_read', [], fields=['id'], limit=1)


@pytest.fixture(scope='module')
def branch_records(users):
    """{model: (a record of operator1's branch, a record of operator2's branch)}, found by the administrator."""
    admin = users['admin']
    uralsk = admin.call('res.users', 'search_read', [('login', '=', 'operator1')],
                        fields=['neopro_branch_ids'])[0]['neopro_branch_ids']
    omsk = admin.call('res.users', 'search_read', [('login', '=', 'operator2')],
                      fields=['neopro_branch_ids'])[0]['neopro_branch_ids']
    records = {}
    for model in BRANCH_MODELS:
        own = admin.call(model, 'search', [('branch_id', 'in', uralsk)], limit=1)
        other = admin.call(model, 'search', [('branch_id', 'in', omsk)], limit=1)
        assert own and other, 'the demo has %s in both branches' % model
        records[model] = (own[0], other[0])
    return records


@pytest.mark.parametrize('model', BRANCH_MODELS)
@pytest.mark.parametrize('login', ROLES)
def test_role_matrix_branch_reads(users, branch_records, login, model):
    """Each role reads the records of its branches (accountants: of every branch), never another branch's."""
    uralsk, omsk = branch_records[model]
    client = users[login]
    if 'r' not in RIGHTS[model][_role(login)]:
        refused(client, model, 'read', [uralsk], ['create_date'])
        return
    own, other = {'operator1': (uralsk, omsk), 'operator2': (omsk, uralsk), 'inspector': (uralsk, omsk),
                  'accountant': (uralsk, omsk)}[login]
    assert client.call(model, 'read', [own], ['create_date'])[0]['id'] == own
    if login == 'accountant':
        assert client.call(model, 'read', [other], ['create_date'])[0]['id'] == other
    else:
        refused(client, model, 'read', [other], ['create_date'])
        assert not client.call(model, 'search', [('id', '=', other)])


@pytest.mark.parametrize('model', ['neopro.subscriber', 'neopro.contract', 'neopro.meter'])
@pytest.mark.parametrize('login', ['operator1', 'operator2'])
def test_role_matrix_branch_writes(users, branch_records, login, model):
    """An operator writes his branch's records, not another branch's (a same-value write: nothing changes)."""
    uralsk, omsk = branch_records[model]
    own, other = (uralsk, omsk) if login == 'operator1' else (omsk, uralsk)
    client = users[login]
    assert client.call(model, 'write', [own], {'active': True}) is True
    refused(client, model, 'write', [other], {'active': True})


@pytest.mark.parametrize('model', ['neopro.subscriber', 'neopro.contract', 'neopro.tariff', 'neopro.norm'])
@pytest.mark.parametrize('login', ['inspector', 'accountant'])
def test_role_matrix_read_only_roles_write_nothing(users, branch_records, demo, login, model):
    if model in branch_records:
        record = branch_records[model][0]
    else:
        record = users['admin'].call(model, 'search', [], limit=1)[0]
    refused(users[login], model, 'write', [record], {'active': True})


# ------------------------------------------------------------------------------ item 4: a payment in a closed month

def _closed_day(periods):
    """A day of the last closed month (after the first period's start: the date bounds hold)."""
    start = datetime.date(*map(int, periods['closed']['date_start'].split('-')))
    return (start + datetime.timedelta(days=9)).isoformat()


def _to_ddmmyyyy(day):
    return datetime.date(*map(int, day.split('-'))).strftime('%d.%m.%Y')


@pytest.mark.parametrize('path', ['rpc', 'entry_dialog'])
def test_payment_of_a_closed_month_booked_in_the_open_one(users, periods, frolov, path):
    operator = users['operator1']
    day = _closed_day(periods)
    if path == 'rpc':
        payment = operator.call('neopro.operation', 'create', {
            'operation_type': 'payment', 'subscriber_id': frolov, 'amount': 7.0, 'date': day})
    else:
        wizard = operator.call('neopro.operation.entry', 'create', {
            'operation_type': 'payment', 'amount': 7.01, 'date': day}, context={'default_subscriber_id': frolov})
        operator.call('neopro.operation.entry', 'action_confirm', [wizard])
        payment = operator.call('neopro.operation', 'search', [('subscriber_id', '=', frolov),
                                                               ('amount', '=', 7.01)], order='id desc', limit=1)[0]
    booked = operator.call('neopro.operation', 'read', [payment], ['date', 'payment_date', 'period_id'])[0]
    assert (booked['date'], booked['payment_date'], booked['period_id'][0]) == \
        (periods['open']['date_start'], day, periods['open']['id'])


def test_bank_file_payment_of_a_closed_month_booked_in_the_open_one(users, demo, periods):
    tag = uuid.uuid4().hex[:8]
    day = _closed_day(periods)
    rows = ['account_number;payer_name;amount;date;txn_id',
            '12345;Фролов Степан;8;%s;HC-%s' % (_to_ddmmyyyy(day), tag)]
    accountant = users['accountant']
    wizard = accountant.call('neopro.payment.import', 'create', {
        'bank_id': demo.ref('neopro_billing.bank_kaspi'),
        'format_id': demo.ref('neopro_billing.payment_format_generic_csv'),
        'data_file': base64.b64encode('\r\n'.join(rows).encode()).decode(), 'filename': 'closed-%s.csv' % tag})
    accountant.call('neopro.payment.import', 'action_import', [wizard])
    booked = accountant.call('neopro.operation', 'search_read', [('txn_id', '=', 'HC-%s' % tag)],
                             fields=['date', 'payment_date', 'period_id'])
    assert [(b['date'], b['payment_date'], b['period_id'][0]) for b in booked] == \
        [(periods['open']['date_start'], day, periods['open']['id'])]


def test_kaspi_payment_of_a_closed_month_booked_in_the_open_one(url, users, periods, kaspi):
    day = _closed_day(periods)
    txn_id = 'HK-%s' % uuid.uuid4().hex[:10]
    query = urllib.parse.urlencode({'command': 'pay', 'txn_id': txn_id, 'account': '12345', 'sum': '9.00',
                                    'txn_date': day.replace('-', '') + '120000', 'secret': SECRET,
                                    'format': 'json'})
    with urllib.request.urlopen('%s/neopro/kaspi?%s' % (url, query), timeout=60) as response:
        answer = json.loads(response.read().decode())
    assert answer['result'] == 0, answer
    booked = users['admin'].call('neopro.operation', 'search_read', [('txn_id', '=', txn_id)],
                                 fields=['date', 'payment_date', 'period_id'])
    assert [(b['date'], b['payment_date']) for b in booked] == [(periods['open']['date_start'], day)]


def test_reconciliation_act_agrees_with_the_closed_balance(users, periods, frolov):
    """After payments of the closed month arrived late, its act still closes on its closed balance."""
    admin = users['admin']
    admin.call('neopro.operation', 'create', {'operation_type': 'payment', 'subscriber_id': frolov, 'amount': 3.0,
                                              'date': _closed_day(periods)})
    closed = periods['closed']
    balance = admin.call('neopro.balance', 'search_read', [('subscriber_id', '=', frolov),
                                                           ('period_id', '=', closed['id'])],
                         fields=['balance_start', 'balance_end'])[0]
    history = users['accountant'].call('neopro.history', 'create', {
        'date_from': closed['date_start'], 'date_to': closed['date_end']}, context={'default_subscriber_id': frolov})
    act = users['accountant'].call('neopro.history', 'read', [history], ['balance_opening', 'balance_closing'])[0]
    assert (act['balance_opening'], act['balance_closing']) == (balance['balance_start'], balance['balance_end'])


# ------------------------------------------------------------------------------ item 6: money read by SQL

@pytest.fixture(scope='module')
def omsk(users):
    """A subscriber and a meter of operator2's branch (not of operator1's or the inspector's)."""
    admin = users['admin']
    branches = admin.call('res.users', 'search_read', [('login', '=', 'operator2')],
                          fields=['neopro_branch_ids'])[0]['neopro_branch_ids']
    return {'subscriber': admin.call('neopro.subscriber', 'search', [('branch_id', 'in', branches)], limit=1)[0],
            'meter': admin.call('neopro.meter', 'search', [('branch_id', 'in', branches)], limit=1)[0]}


@pytest.mark.parametrize('login', ['operator1', 'inspector'])
@pytest.mark.parametrize('model', ['neopro.history', 'neopro.operation.entry'])
def test_dialogs_take_no_account_of_another_branch(users, omsk, login, model):
    vals = {'date_from': '2020-01-01', 'date_to': TODAY.isoformat()} if model == 'neopro.history' else \
        {'operation_type': 'payment', 'amount': 1.0, 'date': TODAY.isoformat()}
    refused(users[login], model, 'create', vals, context={'default_subscriber_id': omsk['subscriber']})


@pytest.mark.parametrize('model, field', [('neopro.reading.history', 'meter_id'), ('neopro.meter.verify', 'meter_id')])
def test_dialogs_take_no_meter_of_another_branch(users, omsk, model, field):
    vals = {field: omsk['meter']}
    if model == 'neopro.reading.history':
        vals['meter_ids'] = [(6, 0, [omsk['meter']])]
    refused(users['operator1'], model, 'create', vals)


def test_readings_file_names_no_meter_of_another_branch(users, omsk):
    """A readings file loaded through the dialog over XML-RPC (the request writes nothing before it: the file's
    meters are looked up on a connection of their own): the inspector's record rules hold there too — another
    branch's meter is unknown to him, and nothing is written for it."""
    admin, inspector = users['admin'], users['inspector']
    serial = admin.call('neopro.meter', 'read', [omsk['meter']], ['serial_number'])[0]['serial_number']
    before = admin.call('neopro.meter.reading', 'search_count', [('meter_id', '=', omsk['meter'])])
    day = TODAY.strftime('%d.%m.%Y')
    data = 'serial_number;date;value\n%s;%s;99999\nNO-SUCH-%s;%s;1\n' % (serial, day, uuid.uuid4().hex[:6], day)
    wizard = inspector.call('neopro.reading.import', 'create', {
        'format_id': admin.ref('neopro_billing.reading_format_generic_csv'),
        'data_file': base64.b64encode(data.encode('utf-8')).decode('ascii'), 'filename': 'other-branch.csv'})
    action = inspector.call('neopro.reading.import', 'action_import', [wizard])
    record = inspector.call('neopro.reading.file', 'read', [action['res_id']],
                            ['total_records', 'loaded_count', 'error_count', 'error_ids'])[0]
    assert (record['total_records'], record['loaded_count'], record['error_count']) == (2, 0, 2)
    protocol = inspector.call('neopro.reading.file.error', 'read', record['error_ids'],
                              ['line_number', 'reason', 'serial_number', 'message'])
    assert [(e['line_number'], e['reason']) for e in protocol] == [(2, 'unknown_meter'), (3, 'unknown_meter')]
    assert protocol[0]['serial_number'] == serial and serial in protocol[0]['message']
    assert admin.call('neopro.meter.reading', 'search_count', [('meter_id', '=', omsk['meter'])]) == before


def test_inspector_reads_no_history_figures(users, frolov):
    """The inspector's own branch: the History window's figures are money, which inspectors do not read."""
    inspector = users['inspector']
    try:
        history = inspector.call('neopro.history', 'create', {'date_from': '2020-01-01',
                                                              'date_to': TODAY.isoformat()},
                                 context={'default_subscriber_id': frolov})
    except xmlrpc.client.Fault:
        return  # refused at once: nothing to read
    refused(inspector, 'neopro.history', 'read', [history], ['balance_closing'])


@pytest.mark.parametrize('login', ['operator1', 'accountant', 'inspector'])
def test_period_close_dialog_shows_no_totals_to_non_administrators(users, periods, login):
    client = users[login]
    try:
        wizard = client.call('neopro.period.close', 'create', {'period_id': periods['open']['id']})
    except xmlrpc.client.Fault:
        return
    refused(client, 'neopro.period.close', 'read', [wizard], ['amount_paid', 'amount_charged'])


# ------------------------------------------------------------------------------ item 7: contractors, inspectors

@pytest.fixture(scope='module')
def contractors(demo):
    return {'uralsk': demo.ref('neopro_billing.partner_post_demo'),
            'omsk': demo.ref('neopro_billing.partner_dostup_demo')}


@pytest.mark.parametrize('login, own, other', [('operator1', 'uralsk', 'omsk'), ('operator2', 'omsk', 'uralsk'),
                                               ('inspector', 'uralsk', 'omsk')])
def test_contractors_of_another_branch_invisible(users, contractors, login, own, other):
    client = users[login]
    assert client.call('res.partner', 'read', [contractors[own]], ['neopro_bin'])[0]['neopro_bin']
    refused(client, 'res.partner', 'read', [contractors[other]], ['neopro_bin', 'street'])
    assert not client.call('res.partner', 'search', [('id', '=', contractors[other])])
    assert not client.call('res.partner', 'search', [('neopro_bin', '!=', False), ('id', '=', contractors[other])])


@pytest.mark.parametrize('login', ['operator1', 'operator2'])
def test_contractors_of_another_branch_not_editable(users, contractors, login):
    other = contractors['omsk' if login == 'operator1' else 'uralsk']
    refused(users[login], 'res.partner', 'write', [other], {'phone': '+7 700 000 00 00'})
    assert users['admin'].call('res.partner', 'read', [other], ['phone'])[0]['phone'] != '+7 700 000 00 00'


@pytest.mark.parametrize('login', ROLES)
def test_own_partners_still_readable(users, login):
    """Users' own partners, the company and other users are no contractors: the rule leaves them alone."""
    client = users[login]
    me = client.call('res.users', 'read', [client.uid], ['partner_id', 'company_id'])[0]
    assert client.call('res.partner', 'read', [me['partner_id'][0]], ['name'])[0]['name']
    company = client.call('res.company', 'read', [me['company_id'][0]], ['partner_id'])[0]['partner_id'][0]
    assert client.call('res.partner', 'read', [company], ['name'])[0]['name']
    admin_partner = users['admin'].call('res.users', 'read', [users['admin'].uid], ['partner_id'])[0]['partner_id'][0]
    assert client.call('res.partner', 'search', [('id', '=', admin_partner)]) == [admin_partner]


def test_accountant_reads_every_contractor(users, contractors):
    assert sorted(users['accountant'].call('res.partner', 'search', [('id', 'in', list(contractors.values()))])) == \
        sorted(contractors.values())


@pytest.mark.parametrize('model', ['neopro.subscriber', 'neopro.contract', 'neopro.account'])
@pytest.mark.parametrize('field', BALANCE_FIELDS)
def test_inspector_reads_no_money(users, branch_records, model, field):
    refused(users['inspector'], model, 'read', [branch_records[model][0]], [field])


@pytest.mark.parametrize('model', ['neopro.subscriber', 'neopro.contract', 'neopro.account'])
@pytest.mark.parametrize('how', ['search', 'search_count', 'order', 'path', 'read_group', 'read_group_all'])
def test_inspector_searches_and_sums_no_money(users, model, how):
    inspector = users['inspector']
    if how == 'search':
        refused(inspector, model, 'search', [('balance_end', '>', 0)])
    elif how == 'search_count':
        refused(inspector, model, 'search_count', [('amount_paid', '>', 0)])
    elif how == 'order':
        refused(inspector, model, 'search', [], order='balance_end desc')
    elif how == 'path':
        refused(inspector, 'neopro.meter', 'search', [('account_id.balance_end', '>', 0)])
    elif how == 'read_group':
        refused(inspector, model, 'read_group', [], ['balance_end'], [])
    else:
        groups = inspector.call(model, 'read_group', [], [], [])
        assert groups and not set(groups[0]) & set(BALANCE_FIELDS), groups


def test_inspector_reads_accounts_without_money(users, frolov):
    record = users['inspector'].call('neopro.subscriber', 'read', [frolov], ['account_number', 'name', 'residents'])
    assert record[0]['account_number'] == '12345'
    fields = users['inspector'].call('neopro.subscriber', 'fields_get', attributes=['type'])
    assert not set(fields) & set(BALANCE_FIELDS)  # the fields he may not read are not even described to him


def test_inspector_panel_shows_no_money(users):
    summary = users['inspector'].call('neopro.dashboard', 'get_summary')
    assert summary['money'] is False and summary['subscribers'] > 0
    assert (summary['charged'], summary['paid'], summary['debt']) == (0.0, 0.0, 0.0)
    assert users['operator1'].call('neopro.dashboard', 'get_summary')['money'] is True


def test_inspector_list_view_has_no_money(users):
    view = users['inspector'].call('neopro.subscriber', 'fields_view_get', view_type='tree')
    assert 'balance_end' not in view['arch'] and 'balance_end' not in view['fields']
    assert 'balance_end' in users['operator1'].call('neopro.subscriber', 'fields_view_get', view_type='tree')['arch']


# ------------------------------------------------------------------------------ item 8: the audit trail

@pytest.fixture(scope='module')
def admin_message(users, frolov):
    """A message the administrator posted on subscriber 12345."""
    return users['admin'].call('neopro.subscriber', 'message_post', [frolov], body='Audit probe by the admin',
                               message_type='comment', subtype='mail.mt_note')


@pytest.mark.parametrize('login', ['operator1', 'accountant', 'inspector'])
def test_audit_messages_not_edited(users, admin_message, login):
    refused(users[login], 'mail.message', 'write', [admin_message], {'body': 'forged'})
    assert 'Audit probe' in users['admin'].call('mail.message', 'read', [admin_message], ['body'])[0]['body']


@pytest.mark.parametrize('login', ['operator1', 'accountant', 'inspector'])
def test_audit_messages_not_deleted(users, admin_message, login):
    refused(users[login], 'mail.message', 'unlink', [admin_message])
    assert users['admin'].call('mail.message', 'search', [('id', '=', admin_message)]) == [admin_message]


def test_own_audit_message_not_deleted_either(users, frolov):
    operator = users['operator1']
    mine = operator.call('neopro.subscriber', 'message_post', [frolov], body='My own note', message_type='comment',
                         subtype='mail.mt_note')
    refused(operator, 'mail.message', 'unlink', [mine])
    refused(operator, 'mail.message', 'write', [mine], {'body': 'rewritten'})


def test_reading_audit_not_deleted_by_the_inspector(users, demo):
    meter = demo.ref('neopro_billing.meter_6748_demo')
    users['admin'].call('neopro.meter', 'message_post', [meter], body='Reading audit probe', message_type='comment',
                        subtype='mail.mt_note')
    messages = users['admin'].call('mail.message', 'search', [('model', '=', 'neopro.meter'), ('res_id', '=', meter)])
    assert messages
    refused(users['inspector'], 'mail.message', 'unlink', messages)
    assert users['admin'].call('mail.message', 'search_count', [('id', 'in', messages)]) == len(messages)


def test_tracking_values_not_deleted(users, frolov):
    admin = users['admin']
    residents = admin.call('neopro.subscriber', 'read', [frolov], ['residents'])[0]['residents']
    admin.call('neopro.subscriber', 'write', [frolov], {'residents': residents + 1})
    admin.call('neopro.subscriber', 'write', [frolov], {'residents': residents})
    tracked = admin.call('mail.tracking.value', 'search', [
        ('mail_message_id.model', '=', 'neopro.subscriber'), ('mail_message_id.res_id', '=', frolov)], limit=3)
    assert tracked
    for login in ('operator1', 'accountant'):
        refused(users[login], 'mail.tracking.value', 'unlink', tracked)
        refused(users[login], 'mail.tracking.value', 'write', tracked, {'new_value_char': 'forged'})


def test_message_author_cannot_be_forged(users, frolov):
    operator = users['operator1']
    admin_partner = users['admin'].call('res.users', 'read', [users['admin'].uid], ['partner_id'])[0]['partner_id'][0]
    message = operator.call('neopro.subscriber', 'message_post', [frolov], body='Posted as the admin?',
                            author_id=admin_partner, message_type='comment', subtype='mail.mt_note')
    author = users['admin'].call('mail.message', 'read', [message], ['author_id'])[0]['author_id'][0]
    assert author == operator.call('res.users', 'read', [operator.uid], ['partner_id'])[0]['partner_id'][0]


def test_editing_a_computed_charge_leaves_its_line(users, charge, frolov):
    admin, operator = users['admin'], users['operator1']
    before = admin.call('neopro.operation', 'read', [charge], ['amount'])[0]['amount']
    last = admin.call('mail.message', 'search', [('model', '=', 'neopro.subscriber'), ('res_id', '=', frolov)],
                      order='id desc', limit=1)
    operator.call('neopro.operation', 'write', [charge], {'amount': before + 1})
    operator.call('neopro.operation', 'write', [charge], {'amount': before})
    new = admin.call('mail.message', 'search_read', [('model', '=', 'neopro.subscriber'), ('res_id', '=', frolov),
                                                     ('id', '>', last[0] if last else 0)],
                     fields=['body', 'author_id'], order='id')
    lines = [m for m in new if '%.2f' % (before + 1) in m['body']]
    assert len(lines) == 2, new  # changed to before + 1, then back
    name = operator.call('res.users', 'read', [operator.uid], ['name'])[0]['name']
    assert {m['author_id'][1] for m in lines} == {name}


# ------------------------------------------------------------------------------ item 9: logins and sessions

def test_rpc_refused_once_the_address_is_banned(url, db, users, login_as):
    login = 'hostile_ban_%s' % uuid.uuid4().hex[:6]
    admin = users['admin']
    branch = admin.call('neopro.branch', 'search', [], limit=1)
    wizard = admin.call('neopro.user.wizard', 'create', {
        'name': 'Ban Target', 'login': login, 'role': 'inspector', 'branch_ids': [(6, 0, branch)],
        'password': 'Target-Pass-1', 'password_confirm': 'Target-Pass-1'})
    admin.call('neopro.user.wizard', 'action_create', [wizard])
    client = login_as(login, 'Target-Pass-1')  # authenticated: Odoo caches the password from now on
    assert client.call('neopro.branch', 'search_count', []) >= 1
    common = xmlrpc.client.ServerProxy('%s/xmlrpc/2/common' % url, allow_none=True)
    limit = int(admin.call('ir.config_parameter', 'get_param', 'auth_brute_force.max_by_ip_user') or 10)
    for _attempt in range(limit + 1):
        assert not common.authenticate(db, login, 'wrong password', {})
    refused(client, 'neopro.branch', 'search_count', [])  # the right password, from the cache: banned too


@pytest.mark.parametrize('password', ['1', 'qwerty', 'lowercase1'])
def test_admin_creating_a_user_meets_the_password_policy(users, password):
    login = 'hostile_pw_%s' % uuid.uuid4().hex[:6]
    refused(users['admin'], 'res.users', 'create', {'name': 'Weak Password', 'login': login, 'password': password})
    assert not users['admin'].call('res.users', 'search', [('login', '=', login)])


def test_admin_creating_a_user_with_a_good_password(users):
    login = 'hostile_pw_%s' % uuid.uuid4().hex[:6]
    assert users['admin'].call('res.users', 'create', {'name': 'Good Password', 'login': login,
                                                       'password': 'Good-Pass-123'})


def test_admin_setting_a_weak_password_refused(users):
    user = users['admin'].call('res.users', 'search', [('login', '=', 'operator2')])
    refused(users['admin'], 'res.users', 'write', user, {'password': '1'})


def test_session_cookie_same_site(url):
    with urllib.request.urlopen('%s/web/login' % url, timeout=30) as response:
        cookies = [c for c in response.headers.get_all('Set-Cookie') or [] if c.startswith('session_id=')]
    assert cookies and all('SameSite=Lax' in c and 'HttpOnly' in c for c in cookies), cookies
    assert not any('Secure' in c for c in cookies)  # plain HTTP here: a Secure cookie would never come back


# ------------------------------------------------------------------------------ item 11: resource bounds

def _import(users, demo, data, filename, accountant=None, refs=None):
    accountant = accountant or users['accountant']
    refs = refs or _import_refs(demo)
    wizard = accountant.call('neopro.payment.import', 'create', {
        'bank_id': refs['bank'], 'format_id': refs['xlsx' if filename.endswith('.xlsx') else 'csv'],
        'data_file': base64.b64encode(data).decode(), 'filename': filename})
    return accountant.call('neopro.payment.import', 'action_import', [wizard])


def _import_refs(demo):
    return {'bank': demo.ref('neopro_billing.bank_kaspi'), 'xlsx': demo.ref('neopro_billing.payment_format_kaspi_xlsx'),
            'csv': demo.ref('neopro_billing.payment_format_generic_csv')}


def test_xlsx_zip_bomb_refused(users, demo):
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types/>')
        archive.writestr('xl/worksheets/sheet1.xml', b'<row/>' * (300 * 1024 * 1024 // 6))  # 300 MB unpacked
    assert len(buffer.getvalue()) < 2 * 1024 * 1024
    with pytest.raises(xmlrpc.client.Fault) as error:
        _import(users, demo, buffer.getvalue(), 'bomb-%s.xlsx' % uuid.uuid4().hex[:6])
    assert '256' in error.value.faultString and 'Traceback' not in error.value.faultString


def test_registry_of_too_many_rows_refused(users, demo):
    data = ('account_number;payer_name;amount;date;txn_id\r\n' + '\r\n' * 500001).encode()
    with pytest.raises(xmlrpc.client.Fault) as error:
        _import(users, demo, data, 'rows-%s.csv' % uuid.uuid4().hex[:6])
    assert '500000' in error.value.faultString and 'Traceback' not in error.value.faultString


def test_two_files_sharing_txn_ids_loaded_at_once(users, demo, login_as):
    """Two different files with the same transaction id, loaded in parallel: each answers, the id is booked once."""
    tag = uuid.uuid4().hex[:8]
    day = TODAY.strftime('%d.%m.%Y')
    files = []
    for side in 'ab':
        rows = ['account_number;payer_name;amount;date;txn_id', '12345;Фролов Степан;2;%s;HT-%s' % (day, tag)]
        rows += ['12345;Фролов Степан;1;%s;HT-%s-%s-%d' % (day, tag, side, n) for n in range(200)]
        files.append(('\r\n'.join(rows).encode(), 'parallel-%s-%s.csv' % (tag, side)))
    barrier = threading.Barrier(2)
    answers = {}
    refs = _import_refs(demo)

    def load(data, filename):
        accountant = login_as('accountant')  # a connection of its own: one XML-RPC proxy serves one thread
        barrier.wait()
        try:
            answers[filename] = _import(users, demo, data, filename, accountant, refs)
        except xmlrpc.client.Fault as error:
            answers[filename] = error.faultString
    threads = [threading.Thread(target=load, args=f) for f in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert len(answers) == 2 and all(isinstance(a, dict) for a in answers.values()), answers
    accountant = users['accountant']
    assert accountant.call('neopro.operation', 'search_count', [('txn_id', '=', 'HT-%s' % tag)]) == 1
    records = accountant.call('neopro.payment.file', 'read', [a['res_id'] for a in answers.values()],
                              ['loaded_count', 'error_count'])
    assert sorted((r['loaded_count'], r['error_count']) for r in records) == [(200, 1), (201, 0)]


def test_range_of_2000_apartments(users):
    admin = users['admin']
    city = admin.call('neopro.city', 'search', [], limit=1)[0]
    number = 'H-%s' % uuid.uuid4().hex[:6]
    wizard = admin.call('neopro.address.wizard', 'create', {
        'city_id': city, 'street_name': 'Улица %s' % number, 'house_number': '1', 'apartment_from': 1,
        'apartment_to': 2000})
    action = admin.call('neopro.address.wizard', 'action_create', [wizard])
    premises = admin.call('neopro.premise', 'search_read', [('house_id', '=', action['res_id'])],
                          fields=['number', 'full_address'], order='sequence')
    house = admin.call('neopro.house', 'read', [action['res_id']], ['full_address'])[0]['full_address']
    assert len(premises) == 2000
    assert (premises[0]['number'], premises[-1]['number']) == ('1', '2000')
    assert premises[-1]['full_address'] == '%s, 2000' % house


@pytest.mark.parametrize('vals', [{'debt_months': 10 ** 6}, {'debt_months': -1}, {'days_ahead': 10 ** 7}],
                         ids=['debt_months', 'negative', 'days_ahead'])
def test_absurd_report_parameters_answer_a_message(users, vals):
    message = refused(users['accountant'], 'neopro.report.wizard', 'create', dict(vals, report='debtors'))
    # a refusal naming the parameter and its bounds (Odoo 11 sends a validation's traceback over XML-RPC too)
    assert 'odoo.exceptions.ValidationError' in message and ('600' in message or '3650' in message), message


@pytest.mark.parametrize('dates', [('0001-01-01', '9999-12-31'), ('2020-01-01', '9999-12-31')])
def test_absurd_history_range_answers_a_message(users, frolov, dates):
    message = refused(users['operator1'], 'neopro.history', 'create', {'date_from': dates[0], 'date_to': dates[1]},
                      context={'default_subscriber_id': frolov})
    assert 'odoo.exceptions.ValidationError' in message and '12345' in message and '2999' in message, message


def _web_session(url, db, login):
    """An opener logged in to the web client as ``login`` (password = login)."""
    import http.cookiejar
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps({'jsonrpc': '2.0', 'params': {'db': db, 'login': login, 'password': login}}).encode()
    request = urllib.request.Request('%s/web/session/authenticate' % url, body,
                                     {'Content-Type': 'application/json'})
    with opener.open(request, timeout=60) as response:
        assert json.loads(response.read().decode())['result']['uid']
    return opener


def test_receipt_of_another_branch_answers_403(url, db, omsk):
    opener = _web_session(url, db, 'operator1')
    with pytest.raises(urllib.error.HTTPError) as error:
        opener.open('%s/report/pdf/neopro_billing.report_receipt/%s' % (url, omsk['subscriber']), timeout=120)
    assert error.value.code == 403


def test_receipt_of_own_branch_printed(url, db, frolov):
    opener = _web_session(url, db, 'operator1')
    with opener.open('%s/report/pdf/neopro_billing.report_receipt/%s' % (url, frolov), timeout=180) as response:
        assert response.status == 200 and response.read(4) == b'%PDF'
