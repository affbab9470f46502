"""Penalty write-off over XML-RPC (RULES §12): accountants only, with a reason; the rule holds outside the form."""
import xmlrpc.client

import pytest


def _writeoff(client, demo, **vals):
    values = {'operation_type': 'penalty', 'amount': -0.01,
              'subscriber_id': demo.ref('neopro_billing.subscriber_12345_demo')}
    values.update(vals)
    return client.call('neopro.operation', 'create', values)


def test_operator_is_refused(demo, login_as):
    operator1 = login_as('operator1')
    with pytest.raises(xmlrpc.client.Fault) as error:
        _writeoff(operator1, demo, name='Goodwill')
    assert 'бухгалтер' in error.value.faultString  # the users work in Russian
    wizard = operator1.call('neopro.penalty.writeoff', 'create', {'date': '2000-01-01'})
    with pytest.raises(xmlrpc.client.Fault) as error:
        operator1.call('neopro.penalty.writeoff', 'action_preview', [wizard])
    assert 'бухгалтер' in error.value.faultString


def test_accountant_writes_off_with_a_reason(demo, login_as):
    accountant = login_as('accountant')
    with pytest.raises(xmlrpc.client.Fault) as error:
        _writeoff(accountant, demo)
    assert 'причин' in error.value.faultString
    op_id = _writeoff(accountant, demo, name='Goodwill')
    op = accountant.call('neopro.operation', 'read', [op_id], ['amount', 'operation_type', 'name'])[0]
    assert (op['amount'], op['operation_type'], op['name']) == (-0.01, 'penalty', 'Goodwill')
