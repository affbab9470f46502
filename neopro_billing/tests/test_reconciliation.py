"""History window and reconciliation act (акт сверки): on screen and as a PDF."""


from .common import BillingCase, PdfCase, render_pdf_text


class TestHistory(BillingCase):
    period_start = '2023-02-01'

    @classmethod
    def setUpClass(cls):
        super(TestHistory, cls).setUpClass()
        cls.frolov = cls._create_billed_subscriber('12345', services=[])
        cls.other = cls._create_billed_subscriber('12346', services=[])
        cls._operation(cls.frolov, 'charge', 111.0, '2023-02-27', name='Debt of February')
        cls._operation(cls.other, 'payment', 999.0, '2023-02-27')
        cls.march = cls._close(cls.period)
        cls._operation(cls.frolov, 'payment', 120.0, '2023-03-03')
        cls._operation(cls.frolov, 'correction', 34.0, '2023-03-04', name='Meter misread')

    def history(self, date_from, date_to, **vals):
        action = self.frolov.action_history()
        vals.update(date_from=date_from, date_to=date_to)
        return self.env[action['res_model']].with_context(**action['context']).create(vals)

    def test_operations_of_the_range(self):
        history = self.history('2023-02-01', '2023-03-31')
        action = history.action_show()
        operations = self.env['neopro.operation'].search(action['domain'])
        self.assertEqual(sorted(operations.mapped('operation_type')), ['charge', 'correction', 'payment'])
        self.assertEqual(operations.mapped('subscriber_id'), self.frolov)

    def test_filter_by_type(self):
        history = self.history('2023-02-01', '2023-03-31', show_charge=False, show_correction=False)
        operations = self.env['neopro.operation'].search(history.action_show()['domain'])
        self.assertEqual(operations.mapped('amount'), [120.0])

    def test_filter_by_dates(self):
        history = self.history('2023-03-01', '2023-03-03')
        operations = self.env['neopro.operation'].search(history.action_show()['domain'])
        self.assertEqual(operations.mapped('operation_type'), ['payment'])

    def test_totals_per_type_and_balance_movement(self):
        """The History window: each type's total over the range, and opening + charges + corrections + penalties −
        payments = closing (no sum of all types together)."""
        history = self.history('2023-03-01', '2023-03-31')
        self.assertEqual((history.balance_opening, history.amount_charged, history.amount_correction,
                          history.amount_penalty, history.amount_paid, history.balance_closing),
                         (111.0, 0.0, 34.0, 0.0, 120.0, 25.0))
        history = self.history('2023-02-01', '2023-03-31')
        self.assertEqual((history.balance_opening, history.amount_charged, history.amount_paid,
                          history.balance_closing), (0.0, 111.0, 120.0, 25.0))

    def test_operations_list_grouped_by_type(self):
        history = self.history('2023-02-01', '2023-03-31')
        action = history.action_show()
        self.assertEqual(action['context'], {'group_by': ['operation_type']})
        self.assertEqual(action['name'], '12345: balance 0.00 ₸ → 25.00 ₸, operations of 02/01/2023 – 03/31/2023')
        groups = self.env['neopro.operation'].read_group(action['domain'], ['amount', 'price', 'operation_type'],
                                                         ['operation_type'])
        self.assertEqual({g['operation_type']: g['amount'] for g in groups},
                         {'charge': 111.0, 'payment': 120.0, 'correction': 34.0})
        self.assertFalse([g for g in groups if 'price' in g], 'no sum of prices per group')

    def test_act_figures(self):
        act = self.history('2023-03-01', '2023-03-31')._get_act_data()
        self.assertEqual((act['opening'], act['debit'], act['credit'], act['closing']), (111.0, 34.0, 120.0, 25.0))
        self.assertEqual([(line['date'], line['debit'], line['credit']) for line in act['lines']],
                         [('2023-03-03', 0.0, 120.0), ('2023-03-04', 34.0, 0.0)])

    def test_act_from_the_start(self):
        history = self.history('2023-01-01', '2023-12-31')
        act = history._get_act_data()
        self.assertEqual((act['opening'], act['debit'], act['credit'], act['closing']), (0.0, 145.0, 120.0, 25.0))
        self.assertEqual((history.balance_opening, history.balance_closing), (0.0, 25.0))

    def test_act_closing_matches_balance(self):
        history = self.history('2023-03-01', '2023-03-31')
        self.assertEqual(history.balance_closing, self.frolov.balance_end)
        self.assertEqual(history.balance_opening, self.frolov.balance_start)

    def test_act_on_screen(self):
        history = self.history('2023-03-01', '2023-03-31')
        action = history.action_reconciliation_screen()
        self.assertEqual(action['report_type'], 'qweb-html')
        report = self.env.ref('neopro_billing.neopro_reconciliation_report_html')
        html = report.render_qweb_html(history.ids)[0].decode()
        self.assertEqual(html.count('<!DOCTYPE html>'), 1)
        for text in ('o_neopro_reconciliation', '12345', 'Meter misread'):
            self.assertIn(text, html)
        for amount in ('111', '120', '34', '25'):  # 111.00 or 111,00, as the user's language writes it
            self.assertRegex(html, r'>%s[.,]00<' % amount)

    def test_act_pdf_action(self):
        action = self.history('2023-03-01', '2023-03-31').action_reconciliation_pdf()
        self.assertEqual((action['type'], action['report_type']), ('ir.actions.report', 'qweb-pdf'))

    def test_contract_history(self):
        contract = self._create_contract('H-CON')
        self._operation(contract, 'charge', 500.0, '2023-03-05')
        action = contract.action_history()
        history = self.env['neopro.history'].with_context(**action['context']).create(
            {'date_from': '2023-03-01', 'date_to': '2023-03-31'})
        self.assertEqual(history._get_act_data()['closing'], 500.0)


class TestReconciliationPdf(PdfCase):
    """The act rendered by wkhtmltopdf."""

    def setUp(self):
        super(TestReconciliationPdf, self).setUp()
        env = self.test_env
        branch = env['neopro.branch'].create({'name': 'PDF branch', 'code': 'PDF'})
        category = env['neopro.subscriber.category'].create({'name': 'PDF residents', 'code': 'PDFR'})
        self.sub = env['neopro.subscriber'].create({
            'account_number': 'PDF-777', 'name': 'Фролов Степан', 'branch_id': branch.id,
            'category_id': category.id})
        february = env['neopro.period'].create({'date_start': '2023-02-01', 'date_end': '2023-02-28'})
        Operation = env['neopro.operation']
        Operation.create({'operation_type': 'charge', 'subscriber_id': self.sub.id, 'amount': 111.0,
                          'date': '2023-02-27'})
        february.action_close()
        Operation.create({'operation_type': 'payment', 'subscriber_id': self.sub.id, 'amount': 120.0,
                          'date': '2023-03-03'})
        Operation.create({'operation_type': 'correction', 'subscriber_id': self.sub.id, 'amount': 34.0,
                          'date': '2023-03-04', 'name': 'Meter misread',
                          'correction_type_id': env.ref('neopro_billing.correction_type_error').id})

    def test_pdf(self):
        env = self.test_env
        history = env['neopro.history'].create({'subscriber_id': self.sub.id, 'date_from': '2023-03-01',
                                                'date_to': '2023-03-31'})
        report = env.ref('neopro_billing.neopro_reconciliation_report')
        text, _bodies = render_pdf_text(env, report, history.ids)
        for expected in ('PDF-777', 'Фролов Степан', 'Meter misread', '03.03.2023', '04.03.2023'):
            self.assertIn(expected, text)
        for amount in ('111', '120', '34', '25'):  # 111.00 or 111,00, as the user's language writes it
            self.assertRegex(text, r'\b%s[.,]00\b' % amount)
