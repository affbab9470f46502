"""Closing a period: frozen at ORM level, next month opened with the closing balances as opening balances."""
from odoo.exceptions import UserError, ValidationError

from .common import BillingCase


class TestPeriodClose(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestPeriodClose, cls).setUpClass()
        cls.sub = cls._create_billed_subscriber('PC-SUB', residents=3)
        cls.meter = cls._create_meter('PC-METER', cls.sub, installation_date='2020-01-01')
        cls.reading = cls._read(cls.meter, '2023-03-20', 10.0)
        cls.contract = cls._create_contract('PC-CON')
        cls._create_point(cls.contract, cls.cold, volume=10.0)
        cls.quiet = cls._create_billed_subscriber('PC-QUIET', services=[])
        cls.march = cls.period
        # Cold metered from the initial value 0: 10 m³ = 1000.00.
        cls.march.action_calculate()
        cls.payment = cls._operation(cls.sub, 'payment', 300.0, '2023-03-15')
        cls.april = cls._close(cls.march)

    def test_next_period_opened(self):
        self.assertEqual(self.march.state, 'closed')
        self.assertEqual((self.april.date_start, self.april.date_end, self.april.state),
                         ('2023-04-01', '2023-04-30', 'open'))
        self.assertEqual(self.april.name, '04.2023')

    def test_balance_carried_over(self):
        Balance = self.env['neopro.balance']
        closed = Balance.search([('subscriber_id', '=', self.sub.id), ('period_id', '=', self.march.id)])
        opened = Balance.search([('subscriber_id', '=', self.sub.id), ('period_id', '=', self.april.id)])
        self.assertEqual((closed.balance_start, closed.amount_charged, closed.amount_paid, closed.balance_end),
                         (0.0, 1000.0, 300.0, 700.0))
        self.assertEqual(opened.balance_start, 700.0)
        self.assertEqual(self._figures(self.sub), [700.0, 0.0, 0.0, 0.0, 0.0, 700.0])
        self.assertEqual(self._figures(self.contract), [1500.0, 0.0, 0.0, 0.0, 0.0, 1500.0])

    def test_april_calculation_starts_from_carried_balance(self):
        self._read(self.meter, '2023-04-20', 16.0)
        self.april.action_calculate()
        # 16.000 − 10.000 = 6 m³ × 100.00; March's unpaid 700.00 is overdue from 26.04:
        # 700 × 15.25 × 1.5 × 5 / 36 500 = 2.193493… → 2.19
        self.assertEqual(self._figures(self.sub), [700.0, 0.0, 600.0, 0.0, 2.19, 1302.19])
        self.assertEqual(self._lines(self.sub, period=self.march).mapped('amount'), [1000.0])

    def test_closed_operation_cannot_change(self):
        with self.assertRaises(UserError):
            self.payment.amount = 200.0
        with self.assertRaises(UserError):
            self.payment.unlink()
        with self.assertRaises(UserError):
            self._lines(self.sub, period=self.march).unlink()

    def test_no_operation_in_closed_period(self):
        with self.assertRaises(UserError):
            self._operation(self.sub, 'payment', 10.0, '2023-04-02', period_id=self.march.id)
        with self.assertRaises(UserError):  # a correction dated in the closed March
            self._operation(self.sub, 'correction', 10.0, '2023-03-30', name='Late')
        self._operation(self.sub, 'payment', 10.0, '2023-04-02')
        self.assertEqual(self.sub.amount_paid, 10.0)
        # a payment paid in March is booked on the first day of April, March's closed figures stay (RULES §7)
        late = self._operation(self.sub, 'payment', 5.0, '2023-03-30')
        self.assertEqual((late.period_id, late.date, late.payment_date), (self.april, '2023-04-01', '2023-03-30'))
        self.assertEqual(self.sub.amount_paid, 15.0)

    def test_closed_balance_and_period_frozen(self):
        balance = self.env['neopro.balance'].search([('period_id', '=', self.march.id)], limit=1)
        with self.assertRaises(UserError):
            balance.write({'amount_paid': 0.0, 'balance_end': balance.balance_start + balance.amount_charged})
        with self.assertRaises(UserError):
            balance.unlink()
        with self.assertRaises(UserError):
            self.march.write({'date_calculated': '2023-03-30'})
        with self.assertRaises(UserError):
            self.march.action_calculate()
        with self.assertRaises(UserError):
            self.march.action_close()
        with self.assertRaises(UserError):
            self.env['neopro.operation']._refresh_balances(self.march)

    def test_reading_in_closed_period_refused(self):
        with self.assertRaises(UserError):
            self._read(self.meter, '2023-03-25', 11.0)
        with self.assertRaises(UserError):
            self.reading.value = 12.0
        with self.assertRaises(UserError):
            self.reading.unlink()
        self._read(self.meter, '2023-04-01', 11.0)

    def test_one_open_period(self):
        with self.assertRaises(ValidationError):
            self.env['neopro.period'].create({'date_start': '2023-06-01', 'date_end': '2023-06-30'})

    def test_on_close_extension_point_after_freeze(self):
        seen = []
        Period = type(self.env['neopro.period'])
        original = Period._on_close

        def _on_close(period):
            seen.append((period.id, period.state))
            return original(period)
        Period._on_close = _on_close
        try:
            self.april.action_close()
        finally:
            Period._on_close = original
        self.assertEqual(seen, [(self.april.id, 'closed')])
        self.assertEqual(self.env['neopro.period']._get_open_period().name, '05.2023')

    def test_quiet_account_keeps_zero(self):
        self.assertEqual(self._figures(self.quiet), [0.0] * 6)
