"""Online Kaspi payments over HTTP: check / pay, result codes, idempotency, access, logging."""
import json

from lxml import etree

from odoo.tests.common import HttpCase, at_install, post_install

from .common import release_account_numbers, set_period_state

SECRET = 'k4spi-t3st-secret'


@post_install(True)
@at_install(False)
class TestKaspiOnline(HttpCase):

    def setUp(self):
        super(TestKaspiOnline, self).setUp()
        # Odoo 11: the test HTTP server works on the registry's test cursor, not on self.cr: the data goes there
        self.env = env = self.env(cr=self.registry.test_cr)
        set_param = env['ir.config_parameter'].set_param
        set_param('neopro_billing.kaspi_secret', SECRET)
        set_param('neopro_billing.kaspi_allowed_ips', '10.1.2.3, 127.0.0.0/8')
        set_period_state(env['neopro.period'].search([('state', '=', 'open')]), 'closed')
        self.period = env['neopro.period'].create({'date_start': '2025-09-01', 'date_end': '2025-09-30'})
        branch = env['neopro.branch'].create({'name': 'Kaspi test branch', 'code': 'KT'})
        category = env['neopro.subscriber.category'].create({'name': 'Kaspi test', 'code': 'KTC'})
        release_account_numbers(env, '12345', '777')
        city = env['neopro.city'].create({'name': 'Kaspigrad'})
        street = env['neopro.street'].create({'name': 'ул. Абая', 'city_id': city.id})
        house = env['neopro.house'].create({'street_id': street.id, 'number': '10', 'branch_id': branch.id})
        self.subscriber = env['neopro.subscriber'].create({
            'account_number': '12345', 'name': 'Фролов Степан Иванович', 'branch_id': branch.id,
            'category_id': category.id, 'house_id': house.id})
        self.closed = env['neopro.subscriber'].create({
            'account_number': '777', 'name': 'Рогов Григорий', 'branch_id': branch.id, 'category_id': category.id,
            'active': False})
        self.kaspi = env.ref('neopro_billing.bank_kaspi')

    def _call(self, headers=None, **params):
        params.setdefault('secret', SECRET)
        response = self.opener.get('http://127.0.0.1:%s/neopro/kaspi' % self._port(), params=params,
                                   headers=headers or {}, timeout=20)
        self.env['neopro.operation'].invalidate_cache()  # the server wrote on this cursor: forget what was read
        return response

    def _port(self):
        from odoo.tools import config
        return config['http_port']

    def _xml(self, response):
        root = etree.fromstring(response.content)
        self.assertEqual(root.tag, 'response')
        return {child.tag: child.text for child in root}

    def _payments(self):
        return self.env['neopro.operation'].search([('operation_type', '=', 'payment'),
                                                    ('subscriber_id', '=', self.subscriber.id)])

    def _debt(self, amount):
        """Give the subscriber a debt of ``amount`` through a correction of the open period."""
        self.env['neopro.operation'].create({
            'operation_type': 'correction', 'amount': amount, 'date': '2025-09-10', 'subscriber_id': self.subscriber.id,
            'correction_type_id': self.env.ref('neopro_billing.correction_type_recalculation').id})
        self.subscriber.invalidate_cache()
        self.assertEqual(self.subscriber.balance_end, amount)

    def _fields(self, response):
        """``<fields><field1 name="fio">…</field1>…</fields>`` as [(tag, name, text)]."""
        root = etree.fromstring(response.content)
        return [(field.tag, field.get('name'), field.text) for field in root.find('fields')]

    def test_check_answers_amount_due_ignoring_sum(self):
        """RULES §14: the sent sum is ignored (0, 0.00, 100, garbage, none); sum = the closing balance now."""
        self._debt(1234.56)
        for sent in ('0', '0.00', '100.00', 'abc', None):
            params = dict(command='check', txn_id='1001', account='12345')
            if sent is not None:
                params['sum'] = sent
            response = self._call(**params)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.headers['Content-Type'], 'text/xml; charset=utf-8')
            answer = self._xml(response)
            self.assertEqual((answer['txn_id'], answer['result'], answer['sum'], answer['comment']),
                             ('1001', '0', '1234.56', 'OK'), sent)
            self.assertEqual(self._fields(response), [('field1', 'fio', 'Фролов С. И.'),
                                                      ('field2', 'address', 'Kaspigrad, ул. Абая, 10')])
        self.assertFalse(self._payments())

    def test_check_prepaid_account_answers_zero(self):
        """An account paid in advance owes nothing: sum 0.00, never negative."""
        self._debt(-300.0)
        answer = self._xml(self._call(command='check', txn_id='1004', account='12345', sum='0'))
        self.assertEqual((answer['result'], answer['sum']), ('0', '0.00'))

    def test_check_json_fields(self):
        self._debt(99.9)
        response = self._call(command='check', txn_id='1005', account='12345', sum='0', format='json')
        answer = json.loads(response.text)
        expected = [{'name': 'fio', 'value': 'Фролов С. И.'}, {'name': 'address', 'value': 'Kaspigrad, ул. Абая, 10'}]
        self.assertEqual((answer['txn_id'], answer['result'], answer['sum'], answer['fields']),
                         ('1005', 0, '99.90', expected))
        response = self._call(command='check', txn_id='1006', account='12345', format='json')
        self.assertEqual(json.loads(response.text)['sum'], '99.90')

    def test_check_unknown_account(self):
        answer = self._xml(self._call(command='check', txn_id='1002', account='99999'))
        self.assertEqual((answer['result'], answer['comment']), ('1', 'Account 99999 not found'))

    def test_check_closed_account(self):
        answer = self._xml(self._call(command='check', txn_id='1003', account='777'))
        self.assertEqual((answer['result'], answer['comment']), ('1', 'Account 777 is closed'))

    def test_pay_books_payment(self):
        answer = self._xml(self._call(command='pay', txn_id='2001', account='12345', sum='1 500,50',
                                      txn_date='20250915143000'))
        payment = self._payments()
        self.assertEqual((answer['result'], answer['prv_txn_id'], answer['prv_txn'], answer['sum']),
                         ('0', str(payment.id), str(payment.id), '1500.50'))
        self.assertEqual((payment.amount, payment.date, payment.txn_id, payment.bank_id, payment.period_id,
                          payment.payment_source_id.code, payment.branch_id),
                         (1500.50, '2025-09-15', '2001', self.kaspi, self.period, 'online', self.subscriber.branch_id))

    def test_pay_twice_books_once(self):
        first = self._xml(self._call(command='pay', txn_id='2002', account='12345', sum='200',
                                     txn_date='20250915143000'))
        second = self._xml(self._call(command='pay', txn_id='2002', account='12345', sum='200',
                                      txn_date='20250915143000'))
        self.assertEqual(first['result'], '0')
        self.assertEqual((second['result'], second['prv_txn_id'], second['sum']), ('3', first['prv_txn_id'], '200.00'))
        self.assertEqual(len(self._payments()), 1)

    def test_pay_bad_sum(self):
        for value in ('0', '-5', 'abc', '10.005'):
            answer = self._xml(self._call(command='pay', txn_id='2003', account='12345', sum=value))
            self.assertEqual(answer['result'], '5', value)
        self.assertFalse(self._payments())

    def test_pay_bad_txn_date(self):
        answer = self._xml(self._call(command='pay', txn_id='2004', account='12345', sum='5', txn_date='2025-09-15'))
        self.assertEqual((answer['result'], answer['comment']), ('5', 'Bad txn_date "2025-09-15"'))

    def test_pay_unknown_account(self):
        answer = self._xml(self._call(command='pay', txn_id='2005', account='99999', sum='5'))
        self.assertEqual(answer['result'], '1')

    def test_pay_without_open_period(self):
        set_period_state(self.period, 'closed')
        answer = self._xml(self._call(command='pay', txn_id='2006', account='12345', sum='5'))
        self.assertEqual((answer['result'], answer['comment']), ('5', 'No open billing period'))

    def test_unknown_command(self):
        answer = self._xml(self._call(command='refund', txn_id='2007', account='12345', sum='5'))
        self.assertEqual(answer['result'], '5')

    def test_json_on_request(self):
        response = self._call(command='pay', txn_id='2008', account='12345', sum='300', format='json',
                              txn_date='20250915143000')
        self.assertEqual(response.headers['Content-Type'], 'application/json; charset=utf-8')
        answer = json.loads(response.text)
        self.assertEqual((answer['txn_id'], answer['result'], answer['sum'], answer['prv_txn_id']),
                         ('2008', 0, '300.00', self._payments().id))

    def test_json_by_accept_header(self):
        response = self._call(headers={'Accept': 'application/json'}, command='check', txn_id='2009', account='12345')
        self.assertEqual(json.loads(response.text)['result'], 0)

    def test_wrong_secret_refused(self):
        response = self._call(command='pay', txn_id='3001', account='12345', sum='5', secret='guess')
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self._xml(response)['result'], '5')
        self.assertFalse(self._payments())

    def test_secret_in_header(self):
        response = self._call(headers={'X-Neopro-Secret': SECRET}, command='check', txn_id='3002', account='12345',
                              secret='')
        self.assertEqual(self._xml(response)['result'], '0')

    def test_address_not_allowed_refused(self):
        self.env['ir.config_parameter'].set_param('neopro_billing.kaspi_allowed_ips', '10.1.2.3')
        response = self._call(command='pay', txn_id='3003', account='12345', sum='5')
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self._payments())

    def test_no_secret_configured_refuses_all(self):
        self.env['ir.config_parameter'].set_param('neopro_billing.kaspi_secret', '')
        response = self._call(command='check', txn_id='3004', account='12345', secret='')
        self.assertEqual(response.status_code, 403)

    def test_every_call_logged(self):
        Log = self.env['neopro.kaspi.log']
        self._call(command='check', txn_id='4001', account='12345')
        self._call(command='pay', txn_id='4001', account='12345', sum='10', txn_date='20250915100000')
        self._call(command='pay', txn_id='4001', account='12345', sum='10', txn_date='20250915100000')
        self._call(command='pay', txn_id='4002', account='12345', sum='10', secret='guess')
        logs = Log.search([('txn_id', 'in', ['4001', '4002'])], order='id')
        self.assertEqual([(log.command, log.result, log.http_status) for log in logs],
                         [('check', 0, 200), ('pay', 0, 200), ('pay', 3, 200), ('pay', 5, 403)])
        self.assertEqual(logs[1].operation_id, self._payments())
        self.assertEqual(logs[1].remote_addr, '127.0.0.1')
        self.assertIn('<result>0</result>', logs[1].response)
        self.assertNotIn('guess', logs[3].request)
