"""Accounting link (RULES §8): a closed period's ledger as contract invoices, credit notes, payments reconciled
oldest first, and posted residential summary entries per branch; posted by background jobs."""
import traceback
from decimal import Decimal
from unittest import mock

from odoo.exceptions import UserError

from odoo.addons.queue_job.job import Job

from ..models.neopro_period_accounting import NeoproPeriod
from .common import set_period_state
from .common_payment import NeoproPaymentCase


def run_jobs(env, uuids):
    """Run queued jobs as the job runner does: each in its own savepoint, failed when it raises."""
    results = {}
    for uuid in uuids:
        job = Job.load(env, uuid)
        if job.state == 'done':
            continue
        job.set_started()
        job.store()
        try:
            with env.cr.savepoint():
                result = job.perform()
            job.set_done(result=result)
        except Exception:  # pylint: disable=broad-except
            job.set_failed(exc_info=traceback.format_exc())
        job.store()
        results[uuid] = job.state
    env['neopro.period'].invalidate_cache()
    return results


class AccountingCase(NeoproPaymentCase):

    @staticmethod
    def _dec(value):
        """Exact tenge of a figure (Odoo reads SQL numeric as float: its repr is the numeric text)."""
        return Decimal(str(value)).quantize(Decimal('0.01'))

    def _post(self, period):
        """Post ``period`` with its jobs run at once (the way tests run queue jobs)."""
        period.with_context(test_queue_job_no_delay=True)._enqueue_accounting()
        period.invalidate_cache()
        self.env['account.invoice'].invalidate_cache()

    def _documents(self, contract):
        return self.env['account.invoice'].search([('neopro_contract_id', '=', contract.id)], order='id')

    def _contract_residual(self, contract):
        """The contract's open receivable in Odoo: debit − credit residual of its documents' receivable lines."""
        self.env.cr.execute("""
            SELECT COALESCE(SUM(l.amount_residual), 0) FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE m.neopro_contract_id = %s AND l.account_id = %s AND m.state = 'posted'""",
                            (contract.id, self.env.user.company_id.neopro_receivable_account_id.id))
        return self._dec(self.env.cr.fetchone()[0])

    def _debt(self, account, period):
        balance = self.env['neopro.balance'].search([('account_id', '=', account.account_id.id),
                                                     ('period_id', '=', period.id)])
        return self._dec(balance.balance_end)

    def _op(self, op_type, amount, account, period, date, service=None):
        correction = self.env.ref('neopro_billing.correction_type_recalculation')
        return self.env['neopro.operation'].create({
            'operation_type': op_type, 'amount': amount, 'date': date, 'period_id': period.id,
            'account_id': account.account_id.id, 'service_id': service.id if service else False,
            'volume': 10.0 if op_type == 'charge' else 0.0,
            'correction_type_id': correction.id if op_type == 'correction' else False,
        })


class TestAccountingLink(AccountingCase):

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
        cls.period.with_context(test_queue_job_no_delay=True)._enqueue_accounting()

    def _balance(self, account):
        """Debit minus credit of ``account`` over the period's accounting documents."""
        self.env.cr.execute("""
            SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE l.account_id = %s AND m.state = 'posted' AND m.neopro_period_id = %s""",
                            (account.id, self.period.id))
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
        self.assertEqual(self.period.accounting_state, 'posted')

    def test_invoice_credit_note_payment_per_contract(self):
        """The contract: an invoice of its positive totals, a credit note of its correction, its payment as an
        Odoo payment; all reconciled, oldest first: the invoice keeps the contract's debt."""
        docs = self._documents(self.contract)
        self.assertEqual([(d.neopro_kind, d.type, d.state, d.amount_total, d.residual, d.partner_id) for d in docs], [
            ('invoice', 'out_invoice', 'open', 2015.01, 915.01, self.vesna),
            ('credit', 'out_refund', 'paid', 100.00, 0.0, self.vesna),
        ])
        lines = docs[0].invoice_line_ids.sorted('price_unit')
        self.assertEqual([(line.account_id, line.price_unit) for line in lines], [
            (self.company.neopro_revenue_account_id, 0.01),
            (self.company.neopro_penalty_account_id, 15.00),
            (self.company.neopro_revenue_account_id, 2000.00),
        ])
        self.assertEqual((docs[0].date_invoice, docs[0].journal_id, docs[0].neopro_period_id),
                         ('2025-09-30', self.company.neopro_invoice_journal_id, self.period))
        self.assertTrue(docs[0].number)
        payment = self.env['account.payment'].search([('neopro_contract_id', '=', self.contract.id)])
        self.assertEqual((payment.partner_id, payment.amount, payment.state, payment.journal_id, payment.payment_type),
                         (self.vesna, 1000.0, 'posted', self.company.neopro_payment_journal_id, 'inbound'))
        op = self.env['neopro.operation'].search([('contract_id', '=', self.contract.id),
                                                  ('operation_type', '=', 'payment')])
        self.assertEqual(op.account_payment_id, payment)
        self.assertEqual(docs[0].payment_move_line_ids, (payment.move_line_ids | docs[1].move_id.line_ids).filtered(
            lambda line: line.account_id == self.company.neopro_receivable_account_id))
        self.assertEqual(self._contract_residual(self.contract), self._debt(self.contract, self.period))
        # contract 2: a credit note only, open: its credit is the contract's debt
        docs2 = self._documents(self.contract2)
        self.assertEqual([(d.type, d.state, d.residual) for d in docs2], [('out_refund', 'open', 50.0)])
        self.assertEqual(self._contract_residual(self.contract2), self._dec('-50.00'))
        self.assertEqual(self._debt(self.contract2, self.period), self._dec('-50.00'))

    def test_bulk_rows_match_odoo_computation(self):
        """The bulk-written documents hold what Odoo's own computations give for them."""
        docs = self._documents(self.contract) | self._documents(self.contract2)
        fields = ['amount_untaxed', 'amount_total', 'amount_total_signed', 'amount_total_company_signed',
                  'residual', 'residual_signed', 'residual_company_signed', 'reconciled', 'state', 'number']
        stored = docs.read(fields)
        lines = docs.mapped('move_id.line_ids')
        stored_lines = lines.read(['amount_residual', 'reconciled', 'balance', 'debit', 'credit'])
        stored_matched = docs.mapped('move_id').read(['matched_percentage'])
        for field in ['amount_residual', 'reconciled', 'balance']:
            self.env.add_todo(lines._fields[field], lines)
        for field in ['amount_untaxed', 'amount_total', 'amount_total_signed', 'amount_total_company_signed',
                      'residual', 'residual_signed', 'residual_company_signed', 'reconciled']:
            self.env.add_todo(docs._fields[field], docs)
        self.env.add_todo(docs.mapped('move_id')._fields['matched_percentage'], docs.mapped('move_id'))
        docs.recompute()
        docs.invalidate_cache()
        self.assertEqual(docs.read(fields), stored)
        self.assertEqual(lines.read(['amount_residual', 'reconciled', 'balance', 'debit', 'credit']), stored_lines)
        self.assertEqual(docs.mapped('move_id').read(['matched_percentage']), stored_matched)
        for move in docs.mapped('move_id'):
            self.assertEqual(sum(move.line_ids.mapped('debit')), sum(move.line_ids.mapped('credit')))

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
        # contract payments are Odoo payments now, no longer in the summary entry
        self.assertFalse(moves.mapped('line_ids').filtered(lambda line: line.partner_id == self.vesna))
        payments = moves[0].line_ids.filtered(lambda line: line.account_id == self.company.neopro_payment_account_id)
        self.assertEqual(payments.mapped('debit'), [120.00])

    def test_post_again_changes_nothing(self):
        """Posting a period again keeps its unchanged documents and reconciliations, and rebuilds its summary."""
        docs = self._documents(self.contract) | self._documents(self.contract2)
        before = [(d.id, d.number, d.residual, d.state) for d in docs]
        moves = self.period.account_move_ids
        receivable = self._balance(self.company.neopro_receivable_account_id)
        self._post(self.period)
        docs = self._documents(self.contract) | self._documents(self.contract2)
        self.assertEqual([(d.id, d.number, d.residual, d.state) for d in docs], before)
        self.assertEqual(len(self.period.account_move_ids), 2)
        self.assertFalse(set(self.period.account_move_ids.ids) & set(moves.ids))
        self.assertEqual(self.env['account.payment'].search_count([('neopro_contract_id', '=', self.contract.id)]),
                         1)
        self.assertEqual(self._balance(self.company.neopro_receivable_account_id), receivable)

    def test_post_again_refused_when_reconciliation_lost(self):
        """A reconciled invoice that no longer matches the ledger is not replaced: the message names it."""
        invoice = self._documents(self.contract)[0]
        self.env.cr.execute('UPDATE account_invoice SET amount_total = 1.00 WHERE id = %s', (invoice.id,))
        with self.assertRaisesRegex(UserError, 'contract 1306548 .*%s.*reconciled' % invoice.number):
            self.period.action_generate_accounting()

    def test_unreconciled_document_replaced(self):
        """An unreconciled document that no longer matches the ledger is replaced by the right one."""
        credit = self._documents(self.contract2)
        self.env.cr.execute('UPDATE account_invoice SET amount_total = 1.00 WHERE id = %s', (credit.id,))
        self._post(self.period)
        new = self._documents(self.contract2)
        self.assertFalse(credit.exists())
        self.assertEqual([(d.amount_total, d.residual) for d in new], [(50.0, 50.0)])

    def test_accountant_posts_from_period_action_menu(self):
        """A billing accountant posts a period from its Action menu: the jobs are queued, then run."""
        accountant = self.env['res.users'].create({
            'name': 'Test billing accountant', 'login': 'test_billing_accountant',
            'groups_id': [(6, 0, [self.env.ref('neopro_billing.group_accountant').id])]})
        server_action = self.env.ref('neopro_billing.neopro_period_action_generate_accounting')
        result = server_action.sudo(accountant).with_context(
            active_model='neopro.period', active_ids=self.period.ids, active_id=self.period.id).run()
        self.assertEqual((result['res_model'], result['res_id']), ('neopro.period', self.period.id))
        period = self.period.sudo(accountant)
        self.assertEqual(period.accounting_state, 'posting')
        self.assertEqual(run_jobs(self.env, period.accounting_job_uuids.split()),
                         dict.fromkeys(period.accounting_job_uuids.split(), 'done'))
        self.assertEqual((period.accounting_state, period.accounting_progress), ('posted', 100.0))
        self.assertEqual(len(self.period.account_move_ids), 2)

    def test_inspector_cannot_post(self):
        inspector = self.env['res.users'].create({
            'name': 'Test inspector', 'login': 'test_acc_inspector',
            'groups_id': [(6, 0, [self.env.ref('neopro_billing.group_inspector').id])]})
        with self.assertRaisesRegex(Exception, 'Only accountants'):
            self.period.sudo(inspector).action_generate_accounting()

    def test_open_period_refused(self):
        period = self._open_period('2025-10-01', '2025-10-31')
        with self.assertRaisesRegex(UserError, 'only a closed period'):
            period._enqueue_accounting()

    def test_on_close_posts(self):
        """Closing a period (billing engine) queues its posting; switched off in the settings, it does not."""
        period = self._open_period('2025-10-01', '2025-10-31')
        self.env['neopro.operation'].create({
            'operation_type': 'charge', 'amount': 42.00, 'date': '2025-10-31', 'period_id': period.id,
            'subscriber_id': self.frolov.id, 'service_id': self.cold.id})
        set_period_state(period, 'closed')
        self.company.neopro_post_on_close = False
        period._on_close()
        self.assertEqual(period.accounting_state, 'none')
        self.company.neopro_post_on_close = True
        period._on_close()
        self.assertEqual(period.accounting_state, 'posting')
        run_jobs(self.env, period.accounting_job_uuids.split())
        self.assertEqual(period.accounting_state, 'posted')
        self.assertEqual(period.account_move_ids.amount, 42.00)

    def test_default_configuration(self):
        company = self.company
        self.assertEqual(
            (company.neopro_receivable_account_id.code, company.neopro_revenue_account_id.code,
             company.neopro_correction_account_id.code, company.neopro_penalty_account_id.code,
             company.neopro_payment_account_id.code, company.neopro_opening_account_id.code,
             company.neopro_journal_id.type, company.neopro_invoice_journal_id.type,
             company.neopro_payment_journal_id.type, company.neopro_payment_journal_id.default_debit_account_id),
            ('1210', '6010', '6030', '6280', '1030', '5510', 'general', 'sale', 'bank',
             company.neopro_payment_account_id))
        self.assertTrue(company.neopro_receivable_account_id.reconcile)

    def test_missing_account_named(self):
        self.company.neopro_penalty_account_id = False
        with self.assertRaisesRegex(UserError, 'Billing penalty account'):
            self.period._enqueue_accounting()


class TestAccountingJobs(AccountingCase):
    """Background posting: chunks, a failed one reported with its contract, retried without duplicates."""

    @classmethod
    def setUpClass(cls):
        super(TestAccountingJobs, cls).setUpClass()
        env = cls.env
        cls.kyzyl = env['res.partner'].create({'name': 'ТОО "Кызыл"', 'is_company': True})
        cls.contract2 = env['neopro.contract'].create({
            'name': '2263008', 'account_number': '889', 'partner_id': cls.kyzyl.id, 'branch_id': cls.branch2.id,
            'category_id': cls.legal_category.id})
        for contract, charge in ((cls.contract, 1000.00), (cls.contract2, 700.00)):
            env['neopro.operation'].create({
                'operation_type': 'charge', 'amount': charge, 'date': '2025-09-30', 'period_id': cls.period.id,
                'contract_id': contract.id, 'service_id': cls.cold.id, 'volume': 5.0})
            env['neopro.operation'].create({
                'operation_type': 'payment', 'amount': 300.00, 'date': '2025-09-15', 'period_id': cls.period.id,
                'contract_id': contract.id})
        env['neopro.operation'].create({
            'operation_type': 'charge', 'amount': 55.00, 'date': '2025-09-30', 'period_id': cls.period.id,
            'subscriber_id': cls.frolov.id, 'service_id': cls.cold.id})
        set_period_state(cls.period, 'closed')
        env['ir.config_parameter'].set_param('neopro_billing.accounting_job_size', '1')

    def _counts(self):
        Invoice, Payment = self.env['account.invoice'], self.env['account.payment']
        return {contract.name: (Invoice.search_count([('neopro_contract_id', '=', contract.id)]),
                                Payment.search_count([('neopro_contract_id', '=', contract.id)]),
                                self._contract_residual(contract))
                for contract in self.contract | self.contract2}

    def test_failed_chunk_reported_and_retried_without_duplicates(self):
        uuids = self.period._enqueue_accounting()
        self.assertEqual(len(uuids), 3)  # summary entries + one job per contract (chunk size 1)
        self.assertEqual(self.period.accounting_state, 'posting')
        original = NeoproPeriod._prepare_document
        contract2 = self.contract2

        def failing(period, company, contract, *args):
            if contract.id == contract2.id:
                raise ValueError('Contract %s: broken on purpose' % contract.name)
            return original(period, company, contract, *args)

        with mock.patch.object(NeoproPeriod, '_prepare_document', failing):
            states = run_jobs(self.env, uuids)
        self.assertEqual(sorted(states.values()), ['done', 'done', 'failed'])
        self.assertEqual(self.period.accounting_state, 'failed')
        self.assertIn('Contract 2263008: broken on purpose', self.period.accounting_error)
        self.assertIn('2263008', self.period.accounting_error)
        # the failed chunk wrote nothing; the others are complete
        self.assertEqual(self._counts(), {'1306548': (1, 1, self._dec('700.00')),
                                          '2263008': (0, 0, self._dec('0.00'))})
        self.period.action_retry_accounting()
        self.assertEqual(self.period.accounting_state, 'posting')
        run_jobs(self.env, uuids)
        self.assertEqual((self.period.accounting_state, self.period.accounting_progress), ('posted', 100.0))
        expected = {'1306548': (1, 1, self._dec('700.00')), '2263008': (1, 1, self._dec('400.00'))}
        self.assertEqual(self._counts(), expected)
        # a chunk run once more (the runner retrying it after a lost answer) posts nothing twice
        for uuid in uuids:
            Job.load(self.env, uuid).perform()
        self.assertEqual(self._counts(), expected)
        self.assertEqual(len(self.period.account_move_ids), 1)
        self.assertEqual(self._contract_residual(self.contract2), self._debt(self.contract2, self.period))

    def test_jobs_write_in_the_language_of_who_queued_them(self):
        """The runner performs jobs as the superuser without the request's context: the documents' texts are in
        the language of the accountant who queued the posting, not the runner's."""
        ru = self.env(context=dict(self.env.context, lang='ru_RU'))
        uuids = self.period.with_env(ru)._enqueue_accounting()
        run_jobs(self.env(context={'lang': 'en_US'}), uuids)
        origins = self.env['account.invoice'].search([('neopro_period_id', '=', self.period.id)]).mapped('origin')
        self.assertEqual(sorted(origins), ['Договор 1306548, период %s' % self.period.name,
                                           'Договор 2263008, период %s' % self.period.name])

    def test_posting_refused_while_running(self):
        self.period._enqueue_accounting()
        with self.assertRaisesRegex(UserError, 'being posted'):
            self.period._enqueue_accounting()


class TestContractPaidInParts(AccountingCase):
    """A contract billed for two months and paid in three parts (bank file, Kaspi-like ORM payment, manual)."""

    def setUp(self):
        super(TestContractPaidInParts, self).setUp()
        self.env = self.env(context=dict(self.env.context, test_queue_job_no_delay=True))
        self.company = self.env.user.company_id

    def _invoice_states(self):
        return [(d.amount_total, d.residual, d.state) for d in self._documents(self.contract)
                if d.neopro_kind == 'invoice']

    def test_two_months_three_payments(self):
        september = self.period
        self._op('charge', 1000.00, self.contract, september, '2025-09-30', self.cold)
        set_period_state(september, 'closed')
        self._post(september)
        self.assertEqual(self._invoice_states(), [(1000.0, 1000.0, 'open')])
        october = self._open_period('2025-10-01', '2025-10-31')
        # first part: a bank file
        data = self._generic_file([('888', 'ОАО Весна', '600.00', '05.10.2025', 'T-1')])
        self._import(self.kazpost, data, 'part1.csv', payment_format=self.generic)
        self.assertEqual(self._invoice_states(), [(1000.0, 400.0, 'open')])
        self.assertEqual(self._contract_residual(self.contract), self._dec('400.00'))
        self._op('charge', 800.00, self.contract, october, '2025-10-31', self.cold)
        set_period_state(october, 'closed')
        self._post(october)
        self.assertEqual(self._invoice_states(), [(1000.0, 400.0, 'open'), (800.0, 800.0, 'open')])
        self.assertEqual(self._contract_residual(self.contract), self._debt(self.contract, october))
        self.assertEqual(self._debt(self.contract, october), self._dec('1200.00'))
        november = self._open_period('2025-11-01', '2025-11-30')
        # second part, booked like a Kaspi or manual payment: the oldest invoice is paid, the next one in part
        self._op('payment', 700.00, self.contract, november, '2025-11-03')
        self.assertEqual(self._invoice_states(), [(1000.0, 0.0, 'paid'), (800.0, 500.0, 'open')])
        self.assertEqual(self._contract_residual(self.contract), self._dec('500.00'))
        # third part
        last = self._op('payment', 500.00, self.contract, november, '2025-11-20')
        self.assertEqual(self._invoice_states(), [(1000.0, 0.0, 'paid'), (800.0, 0.0, 'paid')])
        self.assertEqual(self._contract_residual(self.contract), self._dec('0.00'))
        payments = self.env['account.payment'].search([('neopro_contract_id', '=', self.contract.id)],
                                                      order='payment_date')
        self.assertEqual([(p.amount, p.payment_date, p.partner_id) for p in payments], [
            (600.0, '2025-10-05', self.vesna), (700.0, '2025-11-03', self.vesna), (500.0, '2025-11-20', self.vesna)])
        # a payment deleted in the open month: its Odoo payment is cancelled, the last invoice open again
        last.unlink()
        self.assertEqual(self._invoice_states(), [(1000.0, 0.0, 'paid'), (800.0, 500.0, 'open')])
        self.assertEqual(payments[2].state, 'cancelled')
        self.assertEqual(self._contract_residual(self.contract), self._dec('500.00'))

    def test_correction_is_credit_note_reconciled(self):
        september = self.period
        self._op('charge', 1000.00, self.contract, september, '2025-09-30', self.cold)
        set_period_state(september, 'closed')
        self._post(september)
        october = self._open_period('2025-10-01', '2025-10-31')
        self._op('charge', 300.00, self.contract, october, '2025-10-31', self.cold)
        self._op('correction', -250.00, self.contract, october, '2025-10-20', self.cold)
        set_period_state(october, 'closed')
        self._post(october)
        docs = self._documents(self.contract)
        self.assertEqual([(d.neopro_kind, d.type, d.amount_total, d.residual, d.state) for d in docs], [
            ('invoice', 'out_invoice', 1000.0, 750.0, 'open'),
            ('invoice', 'out_invoice', 300.0, 300.0, 'open'),
            ('credit', 'out_refund', 250.0, 0.0, 'paid'),
        ])
        self.assertEqual(self._contract_residual(self.contract), self._debt(self.contract, october))


class TestReceivableEqualsLedger(AccountingCase):
    """Odoo's receivable (aged receivables, partner ledger) = the turnover statement's closing debt."""

    def test_first_posted_period_carries_opening_debts(self):
        env = self.env(context=dict(self.env.context, test_queue_job_no_delay=True))
        september = self.period
        self._op('charge', 900.00, self.contract, september, '2025-09-10', self.cold)
        self._op('charge', 400.00, self.frolov, september, '2025-09-10', self.cold)
        self._op('charge', 250.00, self.sokolova, september, '2025-09-10', self.cold)
        set_period_state(september, 'closed')  # closed without accounting
        october = self._open_period('2025-10-01', '2025-10-31')
        self._op('charge', 100.00, self.contract, october, '2025-10-31', self.cold)
        self._op('payment', 1500.00, self.contract, october, '2025-10-12')
        self._op('charge', 60.00, self.frolov, october, '2025-10-31', self.cold)
        self._op('payment', 100.00, self.sokolova, october, '2025-10-12')
        set_period_state(october, 'closed')
        october.with_env(env)._enqueue_accounting()
        # the turnover statement's closing debts of October
        self.env.cr.execute('SELECT SUM(balance_end) FROM neopro_balance WHERE period_id = %s', (october.id,))
        ledger_total = self._dec(self.env.cr.fetchone()[0])
        self.assertEqual(ledger_total, self._dec('110.00'))  # 900+100−1500 + 400+60 + 250−100
        receivable = self.env.user.company_id.neopro_receivable_account_id
        self.env.cr.execute("""SELECT SUM(debit - credit) FROM account_move_line l JOIN account_move m
                               ON m.id = l.move_id WHERE l.account_id = %s AND m.state = 'posted'
                               AND l.date <= %s""", (receivable.id, october.date_end))
        self.assertEqual(self._dec(self.env.cr.fetchone()[0]), ledger_total)
        # the contract: opening invoice 900, October invoice 100, payment 1500: a credit of 500 left
        self.assertEqual(self._contract_residual(self.contract), self._debt(self.contract, october))
        self.assertEqual(self._debt(self.contract, october), self._dec('-500.00'))
        self.assertEqual([(d.neopro_kind, d.date_invoice, d.state) for d in self._documents(self.contract)],
                         [('opening', '2025-09-30', 'paid'), ('invoice', '2025-10-31', 'paid')])
        # Odoo's aged receivables: the contract's company owes its debt, the residential branches theirs
        report = self.env['report.account.report_agedpartnerbalance']
        partners, totals, _lines = report._get_partner_move_lines(['receivable'], '2025-10-31', 'posted', 30)
        by_partner = {row['partner_id']: self._dec(row['total']) for row in partners}
        self.assertEqual(by_partner.get(self.vesna.id), self._dec('-500.00'))
        self.assertEqual(self._dec(sum(row['total'] for row in partners)), ledger_total)
        self.assertEqual(self._dec(totals[5]), ledger_total)
        # Odoo's partner ledger (Invoicing → Reports → Partner Ledger: posted entries up to October's end,
        # reconciled ones included) lists the contracts' companies: each one's balance is its billing debt; the
        # residential summary entries carry no partner (one per branch), their lines make up the rest
        data = {'form': {'used_context': {'date_to': october.date_end, 'state': 'posted', 'strict_range': True},
                         'reconciled': True, 'target_move': 'posted', 'result_selection': 'customer'}}
        ledger = self.env['report.account.report_partnerledger'].get_report_values(None, data)
        balances = {p.id: self._dec(ledger['sum_partner'](data, p, 'debit - credit')) for p in ledger['docs']}
        self.assertEqual(balances, {self.vesna.id: self._debt(self.contract, october)})
        self.env.cr.execute("""SELECT SUM(debit - credit) FROM account_move_line l JOIN account_move m
                               ON m.id = l.move_id WHERE l.account_id = %s AND m.state = 'posted'
                               AND l.date <= %s AND l.partner_id IS NULL""", (receivable.id, october.date_end))
        residential = self._dec(self.env.cr.fetchone()[0])
        self.assertEqual(residential, self._debt(self.frolov, october) + self._debt(self.sokolova, october))
        self.assertEqual(residential, self._dec('610.00'))
        self.assertEqual(sum(balances.values(), residential), ledger_total)
        self.assertEqual(sum((self._dec(line['debit']) - self._dec(line['credit'])
                              for line in ledger['lines'](data, self.vesna)), self._dec(0)), self._dec('-500.00'))
