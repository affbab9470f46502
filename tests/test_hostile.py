"""Hostile users over XML-RPC (issue 11): what the server refuses, whatever a logged-in client sends.

Odoo serves every model to every logged-in user over XML-RPC and JSON-RPC, so the server is the real interface:
these probes call it as the demo users would from a script (operator1, inspector, accountant, admin), each one
a call the screens never make. Every probe was accepted by the code before issue 11.

The demo users work in Russian: the refusals are asserted on the Russian messages.
"""
import base64
import datetime
import json
import os
import threading
import urllib.parse
import urllib.request
import uuid
import xmlrpc.client

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TODAY = datetime.date.today()
FUTURE = '2099-01-15'


def refused(client, model, method, *args, **kwargs):
    """Call and expect a refusal; returns the server's message."""
    with pytest.raises(xmlrpc.client.Fault) as error:
        client.call(model, method, *args, **kwargs)
    return error.value.faultString


@pytest.fixture(scope='module')
def users(demo, login_as):
    return {login: login_as(login) for login in ('operator1', 'inspector', 'accountant', 'admin')}


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
