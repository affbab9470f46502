"""The integration API of RULES §11 over XML-RPC, on a server that bin/test starts.

Every name of RULES §11 is checked: a renamed or missing one fails the build.
"""
import time
import xmlrpc.client

import pytest
from conftest import local_today

BALANCES = ['balance_start', 'amount_charged', 'amount_paid', 'amount_correction', 'amount_penalty',
            'balance_end']

# model -> {field: (type, relation)}; relation None when not relational
MODELS = [
    ('neopro.branch', {'name': ('char', None), 'code': ('char', None)}),
    ('neopro.service', {'name': ('char', None), 'code': ('selection', None)}),
    ('neopro.amenity.level', {'name': ('char', None)}),
    ('neopro.subscriber.category', {'name': ('char', None), 'code': ('char', None)}),
    ('neopro.norm', {'service_id': ('many2one', 'neopro.service'),
                     'amenity_level_id': ('many2one', 'neopro.amenity.level'),
                     'volume': ('float', None), 'date_from': ('date', None)}),
    ('neopro.tariff', {'service_id': ('many2one', 'neopro.service'),
                       'category_id': ('many2one', 'neopro.subscriber.category'),
                       'price': ('float', None), 'date_from': ('date', None), 'date_to': ('date', None)}),
    ('neopro.subscriber', {'account_number': ('char', None), 'name': ('char', None), 'residents': ('integer', None),
                           'branch_id': ('many2one', 'neopro.branch'),
                           'category_id': ('many2one', 'neopro.subscriber.category'),
                           'amenity_level_id': ('many2one', 'neopro.amenity.level'),
                           'service_ids': ('many2many', 'neopro.service'),
                           'meter_ids': ('one2many', 'neopro.meter')}),
    ('neopro.contract', {'partner_id': ('many2one', 'res.partner'), 'name': ('char', None),
                         'account_number': ('char', None), 'branch_id': ('many2one', 'neopro.branch'),
                         'category_id': ('many2one', 'neopro.subscriber.category'),
                         'metering_point_ids': ('one2many', 'neopro.metering.point')}),
    ('neopro.metering.point', {'contract_id': ('many2one', 'neopro.contract'),
                               'service_id': ('many2one', 'neopro.service'),
                               'meter_id': ('many2one', 'neopro.meter'), 'volume': ('float', None)}),
    ('neopro.meter', {'serial_number': ('char', None), 'service_id': ('many2one', 'neopro.service'),
                      'subscriber_id': ('many2one', 'neopro.subscriber'),
                      'metering_point_id': ('many2one', 'neopro.metering.point'),
                      'seal_number': ('char', None), 'digits': ('integer', None),
                      'verification_date': ('date', None), 'next_verification_date': ('date', None),
                      'active': ('boolean', None)}),
    ('neopro.meter.reading', {'meter_id': ('many2one', 'neopro.meter'), 'date': ('date', None),
                              'value': ('float', None), 'source': ('selection', None)}),
    ('neopro.period', {'name': ('char', None), 'date_start': ('date', None), 'date_end': ('date', None),
                       'state': ('selection', None)}),
    ('neopro.penalty.rate', {'date_from': ('date', None), 'rate': ('float', None)}),
    ('neopro.operation', {'operation_type': ('selection', None), 'amount': ('monetary', None),
                          'date': ('date', None), 'period_id': ('many2one', 'neopro.period'),
                          'subscriber_id': ('many2one', 'neopro.subscriber'),
                          'contract_id': ('many2one', 'neopro.contract'),
                          'service_id': ('many2one', 'neopro.service'), 'volume': ('float', None)}),
    ('res.users', {'neopro_branch_ids': ('many2many', 'neopro.branch')}),
    pytest.param('neopro.subscriber', {f: ('monetary', None) for f in BALANCES}, id='neopro.subscriber-balances'),
    pytest.param('neopro.contract', {f: ('monetary', None) for f in BALANCES}, id='neopro.contract-balances'),
    pytest.param('neopro.payment.format', {}),
    pytest.param('neopro.payment.import', {'bank_id': ('many2one', 'res.bank'),
                                           'format_id': ('many2one', 'neopro.payment.format'),
                                           'data_file': ('binary', None), 'filename': ('char', None)}),
    pytest.param('neopro.payment.file', {'name': ('char', None), 'bank_id': ('many2one', 'res.bank'),
                                         'total_records': ('integer', None), 'loaded_count': ('integer', None),
                                         'loaded_amount': ('monetary', None), 'error_ids': ('one2many', None),
                                         'operation_ids': (None, 'neopro.operation')}),
]

SELECTIONS = [
    ('neopro.service', 'code', {'cold_water', 'hot_water', 'sewage'}),
    ('neopro.meter.reading', 'source', {'subscriber', 'inspector', 'remote', 'verification'}),
    ('neopro.period', 'state', {'open', 'closed'}),
    ('neopro.operation', 'operation_type', {'charge', 'payment', 'correction', 'penalty'}),
]

METHODS = [
    pytest.param('neopro.period', 'action_calculate'),
    pytest.param('neopro.period', 'action_close'),
    pytest.param('neopro.payment.import', 'action_import'),
]


def _unique():
    return str(int(time.time() * 1000))[-9:]


@pytest.mark.parametrize('model,expected', MODELS)
def test_model_fields(odoo, model, expected):
    fields = odoo.call(model, 'fields_get', attributes=['type', 'relation'])
    for name, (ftype, relation) in expected.items():
        assert name in fields, '%s.%s is missing' % (model, name)
        if ftype:
            # a float field counts for a monetary one: amounts may be Float(digits=(16, 2)) as well
            allowed = {ftype, 'float'} if ftype == 'monetary' else {ftype}
            assert fields[name]['type'] in allowed, '%s.%s is a %s' % (model, name, fields[name]['type'])
        if relation:
            assert fields[name].get('relation') == relation, '%s.%s points to %s' % (model, name,
                                                                                     fields[name].get('relation'))


def test_payment_file_error_fields(odoo):
    error = odoo.call('neopro.payment.file', 'fields_get', ['error_ids'], attributes=['relation'])
    fields = odoo.call(error['error_ids']['relation'], 'fields_get', attributes=['type'])
    for name in ('line_number', 'account_number', 'payer_name', 'message'):
        assert name in fields


@pytest.mark.parametrize('model,field,values', SELECTIONS)
def test_selection_values(odoo, model, field, values):
    selection = odoo.call(model, 'fields_get', [field], attributes=['selection'])[field]['selection']
    assert values <= {key for key, _label in selection}


@pytest.mark.parametrize('model,method', METHODS)
def test_methods_exist(odoo, model, method):
    """Called on no record: any answer but "no such method" proves the method exists."""
    assert odoo.call('ir.model', 'search_count', [('model', '=', model)]), 'no model %s' % model
    try:
        odoo.call(model, method, [])
    except xmlrpc.client.Fault as fault:
        assert 'has no attribute' not in fault.faultString and "doesn't exist" not in fault.faultString, \
            fault.faultString[-300:]


def test_services_shipped_as_data(odoo):
    for code in ('cold_water', 'hot_water', 'sewage'):
        res_id = odoo.ref('neopro_billing.service_%s' % code)
        assert res_id, 'xml id neopro_billing.service_%s missing' % code
        assert odoo.call('neopro.service', 'read', [res_id], ['code'])[0]['code'] == code


def test_security_groups(odoo):
    for role in ('inspector', 'operator', 'accountant', 'administrator'):
        found = odoo.call('ir.model.data', 'search_read', [('module', '=', 'neopro_billing'),
                                                           ('name', '=', 'group_%s' % role)], fields=['model'])
        assert found and found[0]['model'] == 'res.groups', 'group_%s missing' % role


def test_generic_payment_format_shipped(odoo):
    assert odoo.ref('neopro_billing.payment_format_generic_csv')


def test_penalty_parameters_shipped(odoo):
    for key in ('neopro_billing.penalty_coefficient', 'neopro_billing.penalty_due_day'):
        assert odoo.call('ir.config_parameter', 'search_count', [('key', '=', key)]), key


# a small round trip


@pytest.fixture(scope='module')
def account(odoo):
    """A branch, a category and a subscriber created over XML-RPC."""
    suffix = _unique()
    branch = odoo.call('neopro.branch', 'create', {'name': 'RPC branch %s' % suffix, 'code': 'RPC%s' % suffix})
    category = odoo.call('neopro.subscriber.category', 'create', {'name': 'RPC %s' % suffix,
                                                                  'code': 'RPC%s' % suffix})
    subscriber = odoo.call('neopro.subscriber', 'create', {
        'account_number': 'RPC%s' % suffix, 'name': 'Тестов Пётр Ильич', 'residents': 3,
        'branch_id': branch, 'category_id': category})
    return {'suffix': suffix, 'branch': branch, 'category': category, 'subscriber': subscriber}


def test_round_trip_subscriber(odoo, account):
    sub = odoo.call('neopro.subscriber', 'read', [account['subscriber']],
                    ['account_number', 'name', 'residents', 'branch_id', 'category_id', 'service_ids'])[0]
    assert sub['account_number'] == 'RPC%s' % account['suffix']
    assert sub['name'] == 'Тестов Пётр Ильич'
    assert sub['residents'] == 3
    assert sub['branch_id'][0] == account['branch']
    assert sub['category_id'][0] == account['category']
    assert sub['service_ids'] == []
    branch = odoo.call('neopro.branch', 'read', [account['branch']], ['code'])[0]
    assert branch['code'] == 'RPC%s' % account['suffix']


def test_round_trip_meter_and_readings(odoo, account):
    cold = odoo.ref('neopro_billing.service_cold_water')
    serial = 'RPC%s' % account['suffix']
    meter = odoo.call('neopro.meter', 'create', {
        'serial_number': serial, 'service_id': cold, 'subscriber_id': account['subscriber'], 'digits': 5,
        'seal_number': 'S%s' % account['suffix'], 'verification_date': '2025-01-15'})
    data = odoo.call('neopro.meter', 'read', [meter], ['serial_number', 'service_id', 'subscriber_id', 'digits',
                                                       'verification_date', 'next_verification_date', 'active'])[0]
    assert data['subscriber_id'][0] == account['subscriber']
    assert data['service_id'][0] == cold
    assert data['verification_date'] == '2025-01-15'
    assert data['next_verification_date'] > '2025-01-15'
    assert data['active'] is True
    assert odoo.call('neopro.subscriber', 'read', [account['subscriber']], ['meter_ids'])[0]['meter_ids'] == [meter]

    first = odoo.call('neopro.meter.reading', 'create', {'meter_id': meter, 'date': '2025-09-28', 'value': 10})
    second = odoo.call('neopro.meter.reading', 'create', {'meter_id': meter, 'date': '2025-10-28', 'value': 15.5,
                                                          'source': 'inspector'})
    readings = odoo.call('neopro.meter.reading', 'search_read', [('meter_id', '=', meter)],
                         ['date', 'value', 'source'], order='date')
    assert [(r['id'], r['date'], r['value'], r['source']) for r in readings] == [
        (first, '2025-09-28', 10.0, 'subscriber'), (second, '2025-10-28', 15.5, 'inspector')]
    # a lower value is refused, and the message names the meter
    with pytest.raises(xmlrpc.client.Fault) as fault:
        odoo.call('neopro.meter.reading', 'create', {'meter_id': meter, 'date': '2025-11-28', 'value': 12})
    assert serial in fault.value.faultString
    assert odoo.call('neopro.meter.reading', 'search_count', [('meter_id', '=', meter)]) == 2


def test_round_trip_service_ids_connects_and_disconnects(odoo, account):
    cold = odoo.ref('neopro_billing.service_cold_water')
    hot = odoo.ref('neopro_billing.service_hot_water')
    sub = account['subscriber']
    odoo.call('neopro.subscriber', 'write', [sub], {'service_ids': [(6, 0, [cold, hot])]})
    assert sorted(odoo.call('neopro.subscriber', 'read', [sub], ['service_ids'])[0]['service_ids']) == \
        sorted([cold, hot])
    odoo.call('neopro.subscriber', 'write', [sub], {'service_ids': [(6, 0, [cold])]})
    assert odoo.call('neopro.subscriber', 'read', [sub], ['service_ids'])[0]['service_ids'] == [cold]
    assert odoo.call('neopro.subscriber', 'search', [('id', '=', sub), ('service_ids', '=', hot)]) == []
    assert odoo.call('neopro.subscriber', 'search', [('id', '=', sub), ('service_ids', '=', cold)]) == [sub]


# the issue's "done means", on the demo data


@pytest.mark.parametrize('text', ['12345', 'Фролов', 'Уральск, 4-й микрорайон, 2, 45', '9854'])
def test_demo_subscriber_12345_found_by_one_search_box(demo, text):
    sub = demo.ref('neopro_billing.subscriber_12345_demo')
    found = [r[0] for r in demo.call('neopro.subscriber', 'name_search', text, limit=50)]
    assert sub in found


def test_demo_branch_operator_sees_only_own_branch(demo, login_as):
    operator1 = login_as('operator1')
    subscribers = operator1.call('neopro.subscriber', 'search_read', [], ['account_number', 'branch_id'])
    branches = {s['branch_id'][0] for s in subscribers}
    assert branches == {demo.ref('neopro_billing.branch_uralsk_demo')}
    accounts = {s['account_number'] for s in subscribers}
    assert '12345' in accounts and '2222' not in accounts
    with pytest.raises(xmlrpc.client.Fault):
        operator1.call('neopro.subscriber', 'read', [demo.ref('neopro_billing.subscriber_2222_demo')], ['name'])
    operator2 = login_as('operator2')
    accounts2 = {s['account_number'] for s in operator2.call('neopro.subscriber', 'search_read', [],
                                                             ['account_number'])}
    assert '2222' in accounts2 and '12345' not in accounts2


def test_demo_operator_enters_a_reading_in_the_meters_list(demo, login_as):
    operator1 = login_as('operator1')
    meter = demo.ref('neopro_billing.meter_9854_demo')
    before = operator1.call('neopro.meter', 'read', [meter], ['previous_value', 'current_value'])[0]
    value = max(before['previous_value'], before['current_value']) + 3
    operator1.call('neopro.meter', 'write', [meter], {'current_value': value})
    after = operator1.call('neopro.meter', 'read', [meter], ['previous_value', 'current_value', 'consumption'])[0]
    assert after['current_value'] == value
    assert after['consumption'] == value - after['previous_value']


def test_demo_inspector_verifies_a_meter(demo, login_as):
    inspector = login_as('inspector')
    meter = demo.ref('neopro_billing.meter_6748_demo')
    # today: a verification is dated inside the billing history, not after today (issue 11)
    day = local_today().isoformat()
    wizard = inspector.call('neopro.meter.verify', 'create', {
        'meter_id': meter, 'verification_date': day, 'seal_number': '859'})
    inspector.call('neopro.meter.verify', 'action_save', [wizard])
    data = inspector.call('neopro.meter', 'read', [meter], ['verification_date', 'next_verification_date',
                                                            'seal_number'])[0]
    assert data['verification_date'] == day
    assert data['next_verification_date'] > day
    assert data['seal_number'] == '859'


def test_closed_periods_refuse_direct_writes(demo, login_as):
    """Over XML-RPC, no billing user may change, delete or add money in a closed period (issue 6)."""
    accountant = login_as('accountant')
    closed = accountant.call('neopro.period', 'search_read', [('state', '=', 'closed')], fields=['date_start'],
                             order='date_start desc', limit=1)[0]
    op = accountant.call('neopro.operation', 'search_read', [('period_id', '=', closed['id']),
                                                             ('subscriber_id', '!=', False)],
                         fields=['amount', 'subscriber_id'], limit=1)[0]
    for method, args in (('write', [[op['id']], {'amount': op['amount'] + 1}]), ('unlink', [[op['id']]])):
        with pytest.raises(xmlrpc.client.Fault) as error:
            accountant.call('neopro.operation', method, *args)
        assert 'закрыт' in error.value.faultString  # the users work in Russian
    with pytest.raises(xmlrpc.client.Fault) as error:
        accountant.call('neopro.operation', 'create', {
            'operation_type': 'payment', 'amount': 10, 'subscriber_id': op['subscriber_id'][0],
            'period_id': closed['id'], 'date': closed['date_start']})
    assert 'закрыт' in error.value.faultString
    with pytest.raises(xmlrpc.client.Fault):
        accountant.call('neopro.period', 'write', [closed['id']], {'state': 'open'})
    after = accountant.call('neopro.operation', 'read', [op['id']], fields=['amount'])[0]
    assert after['amount'] == op['amount']
