"""Closing a period before its month has ended (administrators, in a dialog) and reopening the last closed one
(issue 12, item 2)."""
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import formatLang

from .common import BillingCase, utility_day


class PeriodCase(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(PeriodCase, cls).setUpClass()
        cls.sub = cls._create_billed_subscriber('PR-SUB', residents=3)
        cls.meter = cls._create_meter('PR-METER', cls.sub, installation_date='2020-01-01')
        cls._read(cls.meter, '2023-03-20', 10.0)
        cls.contract = cls._create_contract('PR-CON')
        cls._create_point(cls.contract, cls.cold, volume=10.0)
        cls.march = cls.period
        cls.payment = cls._operation(cls.sub, 'payment', 300.0, '2023-03-15')
        cls.accountant = cls._create_user('pr_accountant', ['group_accountant'])
        cls.admin_user = cls._create_user('pr_admin', ['group_administrator'])

    def _money(self, amount):
        """An amount as the dialog writes it in the user's language (en_US here): 1,234.56 ₸."""
        return formatLang(self.env, amount, currency_obj=self.env.user.company_id.currency_id)

    def _messages(self, period):
        return period.message_ids.mapped('body')


class TestCloseBeforeTheEnd(PeriodCase):
    """Today is 20.03.2023 in these tests; the period 03.2023 runs until the 31st."""

    @classmethod
    def setUpClass(cls):
        super(TestCloseBeforeTheEnd, cls).setUpClass()
        with utility_day('2023-03-20'):
            # cold metered from 0: 10 m³ × 100.00; the contract's fixed 10 m³ prorated to 20 of 31 days:
            # 6.452 m³ × 150.00 = 967.80
            cls.march.action_calculate('2023-03-20')
        # the demo accounts are billed in 03.2023 too: the dialog's totals are the whole period's
        others = cls.env['neopro.operation'].search([('period_id', '=', cls.march.id),
                                                     ('subscriber_id', '!=', cls.sub.id),
                                                     ('contract_id', '!=', cls.contract.id)])
        cls.charged, cls.penalties, cls.paid = (round(sum(others.filtered(
            lambda o, kind=kind: o.operation_type == kind).mapped('amount')), 2)
            for kind in ('charge', 'penalty', 'payment'))

    def test_figures_calculated_up_to_today(self):
        self.assertEqual(self._figures(self.sub), [0.0, 300.0, 1000.0, 0.0, 0.0, 700.0])
        self.assertEqual(self._figures(self.contract), [0.0, 0.0, 967.8, 0.0, 0.0, 967.8])

    def test_closing_a_month_not_over_is_refused(self):
        with utility_day('2023-03-20'), self.assertRaisesRegex(
                UserError, 'runs until 31.03.2023: it can be closed from that day on'):
            self.march.action_close()
        self.assertEqual(self.march.state, 'open')
        with utility_day('2023-03-30'):
            self.assertFalse(self.march.is_ended)

    def test_closing_on_the_last_day_is_allowed(self):
        with utility_day('2023-03-31'):
            self.assertTrue(self.march.is_ended)
            self.march.action_close()
        self.assertEqual(self.march.state, 'closed')
        self.assertFalse([b for b in self._messages(self.march) if 'before the end' in b])

    def test_only_an_administrator_may_close_early(self):
        march = self.march.sudo(self.accountant).with_context(neopro_close_before_end=True)
        with utility_day('2023-03-20'):
            with self.assertRaisesRegex(UserError, 'runs until 31.03.2023'):
                march.action_close()
            with self.assertRaises(AccessError):
                march.action_close_early()
        self.assertEqual(self.march.state, 'open')

    def test_dialog_spells_out_the_consequences(self):
        with utility_day('2023-03-20'):
            action = self.march.sudo(self.admin_user).action_close_early()
            wizard = self.env['neopro.period.close'].browse(action['res_id'])
            self.assertEqual((action['res_model'], action['target']), ('neopro.period.close', 'new'))
            self.assertEqual((wizard.date_today, wizard.days_left, wizard.date_calculated),
                             ('2023-03-20', 12, '2023-03-20'))
            self.assertEqual((wizard.amount_charged, wizard.amount_penalty, wizard.amount_paid),
                             (round(self.charged + 1967.80, 2), self.penalties, round(self.paid + 300.0, 2)))
            text = wizard.consequences
        self.assertIn('Today is 20.03.2023; the period 03.2023 runs until 31.03.2023: 12 of its days are not '
                      'over yet.', text)
        self.assertIn('calculated up to 20.03.2023: %s charged and %s penalties. The days after that are never '
                      'charged in 03.2023.' % (self._money(self.charged + 1967.80), self._money(self.penalties)), text)
        self.assertIn('every meter reading and correction dated 20.03.2023 – 31.03.2023 is refused (they lie in a '
                      'closed period), and payments paid on those days, bank files and Kaspi included, are booked on '
                      'the first day of 04.2023, keeping the day they were paid.', text)
        self.assertIn('The period 04.2023 opens', text)
        self.assertNotIn('Calculate it again first', text)
        self.assertIn('goes to accounting at once', text)  # the company posts on close (the default)
        with utility_day('2023-03-25'):  # calculated up to five days ago
            wizard = self.env['neopro.period.close'].create({'period_id': self.march.id})
            self.assertIn('charged in 03.2023. Calculate it again first (Calculate period) to charge up to today.',
                          wizard.consequences)
        with utility_day('2023-03-15'):  # calculated ahead of today
            wizard = self.env['neopro.period.close'].create({'period_id': self.march.id})
            self.assertIn('calculated up to 20.03.2023: %s charged and %s penalties, without the readings and '
                          'payments of the days still to come.'
                          % (self._money(self.charged + 1967.80), self._money(self.penalties)), wizard.consequences)

    def test_confirmed_closing_freezes_the_month(self):
        self.env.user.company_id.neopro_post_on_close = False
        with utility_day('2023-03-20'):
            wizard = self.env['neopro.period.close'].create({'period_id': self.march.id})
            self.assertIn('can reopen it', wizard.consequences)
            with self.assertRaisesRegex(UserError, 'Tick the confirmation first'):
                wizard.action_confirm()
            self.assertEqual(self.march.state, 'open')
            wizard.confirmed = True
            action = wizard.action_confirm()
        april = self.env['neopro.period'].browse(action['res_id'])
        self.assertEqual((self.march.state, april.name, april.state), ('closed', '04.2023', 'open'))
        balance = self.env['neopro.balance'].search([('subscriber_id', '=', self.sub.id),
                                                     ('period_id', '=', april.id)])
        self.assertEqual(balance.balance_start, 700.0)
        trace = [b for b in self._messages(self.march) if 'before the end' in b]
        self.assertEqual(len(trace), 1)
        self.assertIn('Closed before the end of its month, on 20.03.2023, confirmed by %s: charged %.2f, '
                      'penalties %.2f (calculated up to 20.03.2023); readings and corrections dated 20.03.2023 – '
                      '31.03.2023 are refused from now on, payments paid on those days are booked in the next '
                      'period.'
                      % (self.env.user.name, self.charged + 1967.80, self.penalties), trace[0])
        # what the dialog announced: a correction of the month's last days is refused, a payment is booked in April
        with self.assertRaisesRegex(UserError, 'lies in a closed period'):
            self._operation(self.sub, 'correction', 50.0, '2023-03-25', name='probe')
        payment = self._operation(self.sub, 'payment', 50.0, '2023-03-25')
        self.assertEqual((payment.period_id, payment.date, payment.payment_date), (april, '2023-04-01', '2023-03-25'))


class TestReopen(PeriodCase):
    """The March period closed (its month is over), April opened by the closing."""

    @classmethod
    def setUpClass(cls):
        super(TestReopen, cls).setUpClass()
        cls.env.user.company_id.neopro_post_on_close = False
        cls.march.action_calculate()  # 10 m³ × 100.00 = 1000.00; the contract 10 m³ × 150.00 = 1500.00
        cls.april = cls._close(cls.march)

    def _reopen(self, period=None):
        return (period or self.march).sudo(self.admin_user).action_reopen()

    def test_reopen_removes_the_empty_next_month(self):
        self.assertEqual(self._figures(self.sub), [700.0, 0.0, 0.0, 0.0, 0.0, 700.0])
        self.april.action_calculate()  # charges and penalties on March's debt: calculated lines only
        april_lines = self.env['neopro.operation'].search_count([('period_id', '=', self.april.id)])
        self.assertEqual(self._figures(self.sub), [700.0, 0.0, 1000.0, 0.0, 2.19, 1702.19])
        self._reopen()
        self.assertEqual(self.march.state, 'open')
        self.assertFalse(self.april.exists())
        self.assertEqual(self.env['neopro.period']._get_open_period(), self.march)
        self.assertFalse(self.env['neopro.balance'].search_count([('period_id.date_start', '=', '2023-04-01')]))
        # the accounts show March again
        self.assertEqual(self._figures(self.sub), [0.0, 300.0, 1000.0, 0.0, 0.0, 700.0])
        self.assertEqual(self._figures(self.contract), [0.0, 0.0, 1500.0, 0.0, 0.0, 1500.0])
        trace = [b for b in self._messages(self.march) if 'Period reopened' in b]
        self.assertEqual(len(trace), 1)
        self.assertIn('the period 04.2023, opened by its closing, was removed with its %s calculated lines'
                      % april_lines, trace[0])
        self.assertEqual(self.march.message_ids[0].author_id, self.admin_user.partner_id)

    def test_dialogs_left_open_on_the_next_month_go_with_it(self):
        receipts = self.env['neopro.receipt.wizard'].create({'period_id': self.april.id})
        self._reopen()
        self.assertFalse(receipts.exists())
        self.assertFalse(self.april.exists())

    def test_reopened_period_is_editable_again(self):
        self._reopen()
        self._operation(self.sub, 'payment', 50.0, '2023-03-30')
        self._read(self.meter, '2023-03-31', 12.0)
        self.march.action_calculate()
        # 12 m³ × 100.00 = 1200.00; paid 300.00 + 50.00
        self.assertEqual(self._figures(self.sub), [0.0, 350.0, 1200.0, 0.0, 0.0, 850.0])
        balance = self.env['neopro.balance'].search([('subscriber_id', '=', self.sub.id),
                                                     ('period_id', '=', self.march.id)])
        balance.write({'amount_correction': 10.0, 'balance_end': 860.0})
        self.assertEqual(balance.balance_end, 860.0)
        self.payment.amount = 250.0
        self.assertEqual(self.sub.amount_paid, 300.0)
        # closed again, April opens with the new closing balance
        april = self._close(self.march)
        self.assertEqual(self._figures(self.sub), [900.0, 0.0, 0.0, 0.0, 0.0, 900.0])
        self.assertEqual(april.name, '04.2023')

    def test_next_month_with_a_payment_refused(self):
        self._operation(self.sub, 'payment', 100.0, '2023-04-05')
        with self.assertRaisesRegex(UserError, 'the period 04.2023 opened by its closing has operations of its own '
                                               r'\(1 payments, corrections or manual charges, 0 bank files\)'):
            self._reopen()
        self.assertEqual((self.march.state, self.april.state), ('closed', 'open'))
        self.assertEqual(self._figures(self.sub), [700.0, 100.0, 0.0, 0.0, 0.0, 600.0])

    def test_period_gone_to_accounting_refused(self):
        self.march._generate_accounting()
        invoices, moves = len(self.march.account_invoice_ids), len(self.march.account_move_ids)
        self.assertTrue(invoices and moves)
        with self.assertRaisesRegex(UserError, r'The period 03.2023 has gone to accounting \(%s contract invoices, '
                                               r'%s journal entries\): it can no longer be reopened'
                                    % (invoices, moves)):
            self._reopen()
        self.assertEqual((self.march.state, self.april.state), ('closed', 'open'))

    def test_closing_posted_to_accounting_cannot_be_reopened(self):
        self._reopen()
        self.env.user.company_id.neopro_post_on_close = True
        self._close(self.march)
        with self.assertRaisesRegex(UserError, 'has gone to accounting'):
            self._reopen()

    def test_only_the_last_closed_period(self):
        self._close(self.april)
        with self.assertRaisesRegex(UserError, 'Only the last closed period can be reopened: the period 04.2023 '
                                               'after it is closed'):
            self._reopen()
        with self.assertRaisesRegex(UserError, 'is open: only a closed period can be reopened'):
            self._reopen(self.env['neopro.period']._get_open_period())
        self._reopen(self.april)
        self.assertEqual((self.march.state, self.april.state), ('closed', 'open'))

    def test_only_an_administrator_reopens(self):
        with self.assertRaises(AccessError):
            self.march.sudo(self.accountant).action_reopen()
        self.assertEqual(self.march.state, 'closed')
