"""Accounting link (RULES §8): a closed period's ledger as contract invoices and posted summary entries."""
from decimal import Decimal

from odoo.exceptions import UserError

from .common import set_period_state
from .common_payment import NeoproPaymentCase


class TestAccountingLink(NeoproPaymentCase):

    @classmethod
    def setUpClass(cls):
        super(TestAccountingLink, cls).setUpClass()
        env = cls.env
        cls.company = env.user.company_id
        cls.kyzyl = env['res.partner'].create({'name': 'ТОО "Кызыл"', 'is_company': True})
        cls.contract2 = env['neopro.contract'].create({
            'name': '2263008', 'account_number': '889', 'partner_id': cls.kyzyl.id, 'branch_id': cls.branch2.id,
            'category_id': cls.legal_category.id})
        correction = env.ref('neopro_billing.correction_type_recalculation')
        ops = [
            # residential, branch 1
            ('charge', 1000.00, cls.frolov, cls.cold), ('charge', 500.50, cls.frolov, cls.hot),
            ('charge', 1500.50, cls.frolov, cls.sewage), ('correction', -34.00, cls.frolov, cls.cold),
            ('penalty', 5.25, cls.frolov, None), ('payment', 120.00, cls.frolov, None),
            # residential, branch 2
            ('charge', 300.00, cls.sokolova, cls.cold), ('correction', 10.00, cls.sokolova, cls.cold),
            ('payment', 200.00, cls.sokolova, None), ('payment', 99.99, cls.sokolova, cls.cold),
            # legal entities
            ('charge', 2000.00, cls.contract, cls.cold), ('charge', 0.01, cls.contract, cls.sewage),
            ('penalty', 15.00, cls.contract, None), ('correction', -100.00, cls.contract, cls.cold),
            ('payment', 1000.00, cls.contract, None), ('correction', -50.00, cls.contract2, cls.cold),
        ]
        for op_type, amount, account, service in ops:
            env['neopro.operation'].create({
                'operation_type': op_type, 'amount': amount, 'date': '2025-09-30', 'period_id': cls.period.id,
                'subscriber_id': account.id if account._name == 'neopro.subscriber' else False,
                'contract_id': account.id if account._name == 'neopro.contract' else False,
                'service_id': service.id if service else False, 'volume': 10.0 if op_type == 'charge' else 0.0,
                'correction_type_id': correction.id if op_type == 'correction' else False,
            })
        set_period_state(cls.period, 'closed')
        cls.period._generate_accounting()

    def _balance(self, account):
        """Debit minus credit of ``account`` over the period's accounting documents."""
        self.env.cr.execute("""
            SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE l.account_id = %s AND m.state = 'posted'
               AND m.id IN (SELECT id FROM account_move WHERE neopro_period_id = %s
                            UNION SELECT move_id FROM account_invoice WHERE neopro_period_id = %s)""",
                            (account.id, self.period.id, self.period.id))
        return self._dec(self.env.cr.fetchone()[0])

    def _ledger(self, op_type):
        self.env.cr.execute("SELECT COALESCE(SUM(amount), 0) FROM neopro_operation "
                            "WHERE period_id = %s AND operation_type = %s", (self.period.id, op_type))
        return self._dec(self.env.cr.fetchone()[0])

    def test_ledger_and_accounting_agree(self):
        company = self.company
        charges, corrections = self._ledger('charge'), self._ledger('correction')
        penalties, payments = self._ledger('penalty'), self._ledger('payment')
        self.assertEqual((charges, corrections, penalties, payments),
                         (self._dec('5301.01'), self._dec('-174.00'), self._dec('20.25'), self._dec('1419.99')))
        self.assertEqual(-self._balance(company.neopro_revenue_account_id), charges)
        self.assertEqual(-self._balance(company.neopro_correction_account_id), corrections)
        self.assertEqual(-self._balance(company.neopro_penalty_account_id), penalties)
        self.assertEqual(self._balance(company.neopro_payment_account_id), payments)
        self.assertEqual(self._balance(company.neopro_receivable_account_id),
                         charges + corrections + penalties - payments)

    @staticmethod
    def _dec(value):
        """Exact tenge of a figure (Odoo reads SQL numeric as float: its repr is the numeric text)."""
        return Decimal(str(value)).quantize(Decimal('0.01'))

    def test_invoice_per_contract(self):
        invoices = self.period.account_invoice_ids.sorted(lambda inv: inv.neopro_contract_id.name)
        self.assertEqual([(inv.neopro_contract_id, inv.partner_id, inv.type, inv.state, inv.amount_total)
                          for inv in invoices],
                         [(self.contract, self.vesna, 'out_invoice', 'open', 1915.01),
                          (self.contract2, self.kyzyl, 'out_refund', 'open', 50.00)])
        lines = invoices[0].invoice_line_ids.sorted('price_unit')
        self.assertEqual([(line.account_id, line.price_unit) for line in lines], [
            (self.company.neopro_correction_account_id, -100.00),
            (self.company.neopro_revenue_account_id, 0.01),
            (self.company.neopro_penalty_account_id, 15.00),
            (self.company.neopro_revenue_account_id, 2000.00),
        ])
        self.assertEqual(invoices[0].date_invoice, '2025-09-30')
        self.assertEqual(invoices[0].journal_id, self.company.neopro_invoice_journal_id)

    def test_summary_entry_per_branch_and_service(self):
        moves = self.period.account_move_ids.sorted(lambda m: m.neopro_branch_id.code)
        self.assertEqual([(m.neopro_branch_id, m.state, m.journal_id, m.date) for m in moves], [
            (self.branch1, 'posted', self.company.neopro_journal_id, '2025-09-30'),
            (self.branch2, 'posted', self.company.neopro_journal_id, '2025-09-30'),
        ])
        revenue = moves[0].line_ids.filtered(lambda line: line.account_id == self.company.neopro_revenue_account_id)
        self.assertEqual(sorted((line.name, line.credit) for line in revenue), [
            ('Charges: Cold water supply', 1000.00), ('Charges: Hot water supply', 500.50),
            ('Charges: Sewage', 1500.50)])
        contract_payment = moves[0].line_ids.filtered(
            lambda line: line.partner_id == self.vesna and line.account_id == self.company.neopro_receivable_account_id)
        self.assertEqual(contract_payment.mapped('credit'), [1000.00])

    def test_generate_again_replaces(self):
        before = (self.period.account_invoice_ids.ids, self.period.account_move_ids.ids)
        receivable = self._balance(self.company.neopro_receivable_account_id)
        self.period._generate_accounting()
        self.period.invalidate_cache()
        self.assertEqual((len(self.period.account_invoice_ids), len(self.period.account_move_ids)), (2, 2))
        self.assertFalse(set(self.period.account_move_ids.ids) & set(before[1]))
        self.assertFalse(self.env['account.invoice'].browse(before[0]).exists())
        self.assertEqual(self._balance(self.company.neopro_receivable_account_id), receivable)

    def test_accountant_posts_from_period_action_menu(self):
        """A billing accountant (no Invoicing rights of his own) regenerates a period from its Action menu."""
        accountant = self.env['res.users'].create({
            'name': 'Test billing accountant', 'login': 'test_billing_accountant',
            'groups_id': [(6, 0, [self.env.ref('neopro_billing.group_accountant').id])]})
        server_action = self.env.ref('neopro_billing.neopro_period_action_generate_accounting')
        result = server_action.sudo(accountant).with_context(
            active_model='neopro.period', active_ids=self.period.ids, active_id=self.period.id).run()
        self.assertEqual(result['res_model'], 'account.move')
        self.assertEqual(self.env['account.move'].search(result['domain']), self.period.account_move_ids)
        self.assertEqual(len(self.period.account_move_ids), 2)

    def test_open_period_refused(self):
        period = self._open_period('2025-10-01', '2025-10-31')
        with self.assertRaisesRegex(UserError, 'only a closed period'):
            period._generate_accounting()

    def test_on_close_posts(self):
        """Closing a period (billing engine) posts it; switched off in the settings, it does not."""
        period = self._open_period('2025-10-01', '2025-10-31')
        self.env['neopro.operation'].create({
            'operation_type': 'charge', 'amount': 42.00, 'date': '2025-10-31', 'period_id': period.id,
            'subscriber_id': self.frolov.id, 'service_id': self.cold.id})
        set_period_state(period, 'closed')
        self.company.neopro_post_on_close = False
        period._on_close()
        self.assertFalse(period.account_move_ids)
        self.company.neopro_post_on_close = True
        period._on_close()
        self.assertEqual(period.account_move_ids.amount, 42.00)

    def test_default_configuration(self):
        company = self.company
        self.assertEqual(
            (company.neopro_receivable_account_id.code, company.neopro_revenue_account_id.code,
             company.neopro_correction_account_id.code, company.neopro_penalty_account_id.code,
             company.neopro_payment_account_id.code, company.neopro_journal_id.type,
             company.neopro_invoice_journal_id.type),
            ('1210', '6010', '6030', '6280', '1030', 'general', 'sale'))
        self.assertTrue(company.neopro_receivable_account_id.reconcile)

    def test_missing_account_named(self):
        self.company.neopro_penalty_account_id = False
        with self.assertRaisesRegex(UserError, 'Billing penalty account'):
            self.period._generate_accounting()
