"""RULES §7: a payment paid in a month already closed is booked on the first day of the open period and keeps the
day it was paid, whatever the path (ORM / entry dialog, bank file, Kaspi); the reconciliation act then agrees with
the closed balance (issue 11 item 4)."""
from odoo.exceptions import UserError

from .common import BillingCase
from .payment_files import generic_csv

SECRET = 'closed-month-secret'


class TestPaymentInClosedMonth(BillingCase):
    period_start = '2023-02-01'

    @classmethod
    def setUpClass(cls):
        super(TestPaymentInClosedMonth, cls).setUpClass()
        cls.sub = cls._create_billed_subscriber('CM-1', services=[])
        cls._operation(cls.sub, 'charge', 500.0, '2023-02-10', name='February')
        cls.february = cls.period
        cls.march = cls._close(cls.february)
        cls.env['ir.config_parameter'].set_param('neopro_billing.kaspi_secret', SECRET)
        cls.env['ir.config_parameter'].set_param('neopro_billing.kaspi_allowed_ips', '10.9.9.9')

    def _february_closing(self):
        return self.env['neopro.balance'].search([('account_id', '=', self.sub.account_id.id),
                                                  ('period_id', '=', self.february.id)]).balance_end

    def _history(self, date_from, date_to):
        action = self.sub.action_history()
        return self.env[action['res_model']].with_context(**action['context']).create(
            {'date_from': date_from, 'date_to': date_to})

    def assertBookedInMarch(self, payment, paid_on='2023-02-20'):
        self.assertEqual((payment.period_id, payment.date, payment.payment_date),
                         (self.march, '2023-03-01', paid_on))

    def test_orm_and_entry_dialog(self):
        self.assertBookedInMarch(self._operation(self.sub, 'payment', 100.0, '2023-02-20'))
        action = self.sub.action_operation_entry()
        entry = self.env[action['res_model']].with_context(**action['context']).create(
            {'operation_type': 'payment', 'amount': 40.0, 'date': '2023-02-21'})
        entry.action_confirm()
        payment = self.env['neopro.operation'].search([('account_id', '=', self.sub.account_id.id),
                                                       ('amount', '=', 40.0)])
        self.assertBookedInMarch(payment, '2023-02-21')
        self.assertEqual(self.sub.amount_paid, 140.0)
        # a payment of the open month keeps its day; the payment date follows a later change of the date
        march = self._operation(self.sub, 'payment', 5.0, '2023-03-07')
        self.assertEqual((march.date, march.payment_date), ('2023-03-07', '2023-03-07'))
        march.write({'date': '2023-02-27'})
        self.assertEqual((march.date, march.payment_date), ('2023-03-01', '2023-02-27'))

    def test_closed_period_named_still_refused(self):
        with self.assertRaisesRegex(UserError, 'closed'):
            self._operation(self.sub, 'payment', 10.0, '2023-02-20', period_id=self.february.id)

    def test_bank_file(self):
        bank = self.env['res.bank'].create({
            'name': 'Closed month bank', 'neopro_payment_format_id': self.env.ref(
                'neopro_billing.payment_format_generic_csv').id})
        rows = [['CM-1', 'Абонент', '70,00', '20.02.2023', 'CM-F1'],
                ['CM-1', 'Абонент', '30,00', '02.03.2023', 'CM-F2']]
        payment_file = self.env['neopro.payment.file']._import_registry(
            bank, bank.neopro_payment_format_id, generic_csv(rows), 'closed-month.csv')
        self.assertEqual((payment_file.loaded_count, payment_file.error_count), (2, 0))
        by_txn = {op.txn_id: op for op in payment_file.operation_ids}
        self.assertBookedInMarch(by_txn['CM-F1'])
        self.assertEqual((by_txn['CM-F2'].date, by_txn['CM-F2'].payment_date), ('2023-03-02', '2023-03-02'))
        self.assertEqual(self.sub.amount_paid, 100.0)

    def test_kaspi(self):
        Log = self.env['neopro.kaspi.log']
        status, answer, log = Log._process_call({
            'command': 'pay', 'txn_id': 'CMK1', 'account': 'CM-1', 'sum': '60.00', 'txn_date': '20230220101500'},
            '10.9.9.9', SECRET)
        self.assertEqual((status, answer['result']), (200, 0), answer['comment'])
        self.assertBookedInMarch(log.operation_id)

    def test_act_agrees_with_the_closed_balance(self):
        self._operation(self.sub, 'payment', 100.0, '2023-02-20')
        february = self._history('2023-02-01', '2023-02-28')
        act = february._get_act_data()
        self.assertEqual((act['closing'], self._february_closing()), (500.0, 500.0))
        self.assertEqual(act['credit'], 0.0)
        march = self._history('2023-03-01', '2023-03-31')._get_act_data()
        self.assertEqual((march['opening'], march['credit'], march['closing']), (500.0, 100.0, 400.0))
        self.assertEqual([(line['date'], line['credit'], line['description']) for line in march['lines']],
                         [('2023-03-01', 100.0, 'paid on 20.02.2023')])
        self.assertEqual(self.sub.balance_end, 400.0)
