"""XLSX reports of the Reports menu, rendered for the fixture and read back with openpyxl (RULES §9)."""
import io
from decimal import Decimal

import openpyxl

from odoo.exceptions import AccessError, UserError

from .common_report import ReportCase

FIGURES = ['balance_start', 'amount_paid', 'amount_charged', 'amount_correction', 'amount_penalty', 'balance_end']


class XlsxMixin(object):
    """Render a report wizard and read the workbook back."""

    def wizard(self, report, env=None, **vals):
        vals.update(report=report)
        vals.setdefault('period_id', self.february.id)
        return (env or self.env)['neopro.report.wizard'].create(vals)

    def render(self, wizard):
        return openpyxl.load_workbook(io.BytesIO(wizard._render()))

    def table(self, sheet):
        """(headers, data rows, totals row) of a report sheet: headers on row 4, totals on the last row."""
        rows = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
        self.assertEqual(rows[-1][0], 'Total')
        return rows[0], rows[1:-1], rows[-1]

    def column(self, headers, rows, label):
        index = headers.index(label)
        return [row[index] for row in rows]

    def ledger(self, query, params):
        self.env.cr.execute(query, params)
        return self.env.cr.fetchone()


class TestReportsXlsx(XlsxMixin, ReportCase):

    def test_turnover_by_account_rows(self):
        headers, rows, _total = self.table(self.render(self.wizard('turnover', branch_id=self.branch1.id)).active)
        self.assertEqual(headers[:4], ['Account number', 'Name', 'Address', 'Branch'])
        self.assertEqual(headers[4:], ['Opening balance', 'Paid', 'Charged', 'Correction', 'Penalty',
                                       'Closing balance'])
        by_account = {row[0]: row[4:] for row in rows}
        self.assertEqual(sorted(by_account), ['70001', '70002', '70004', '79001'])
        self.assertEqual(by_account['70001'], [3700.0, 3700.0, 3340.0, 0.0, 0.0, 3340.0])
        self.assertEqual(by_account['70002'], [350.0, 200.0, 350.0, -50.0, 0.19, 450.19])
        self.assertEqual(by_account['70004'], [500.0, 0.0, 0.0, 0.0, 0.94, 500.94])
        self.assertEqual(by_account['79001'], [1500.0, 1500.0, 1500.0, 0.0, 0.0, 1500.0])
        self.assertEqual([row for row in rows if row[0] == '79001'][0][1], 'Test Water Users LLP № C-79001')

    def test_turnover_totals_equal_ledger(self):
        """All branches (demo accounts included): the totals row is the sum of the period's balances."""
        headers, rows, total = self.table(self.render(self.wizard('turnover')).active)
        ledger = self.ledger('SELECT COUNT(*), %s FROM neopro_balance WHERE period_id = %%s'
                             % ', '.join('SUM(%s)' % f for f in FIGURES), (self.february.id,))
        self.assertEqual(len(rows), ledger[0])
        self.assertEqual([Decimal(str(v)) for v in total[4:]], [Decimal(str(float(v))) for v in ledger[1:]])
        self.assertEqual(total[4:], [round(sum(row[i] for row in rows), 2) for i in range(4, 10)])

    def test_turnover_numbers_frozen_header_filter(self):
        workbook = self.render(self.wizard('turnover', branch_id=self.branch1.id))
        sheet = workbook.active
        self.assertEqual(sheet.freeze_panes, 'C5')
        self.assertEqual(sheet.auto_filter.ref, 'A4:J8')
        self.assertEqual(sheet['A1'].value, 'Turnover statement (by account)')
        self.assertIn('Period: 02.2023', sheet['A2'].value)
        self.assertIn('Branch: Test branch 1', sheet['A2'].value)
        for cell in sheet[5][4:]:
            self.assertEqual(cell.data_type, 'n')
            self.assertEqual(cell.number_format, '#,##0.00')
        self.assertTrue(sheet.cell(row=sheet.max_row, column=5).font.b)

    def test_turnover_by_branch(self):
        headers, rows, total = self.table(self.render(self.wizard('turnover', grouping='branch')).active)
        by_branch = {row[0]: row[1:] for row in rows}
        self.assertEqual(by_branch['Test branch 1'], [4, 6050.0, 5400.0, 5190.0, -50.0, 1.13, 5791.13])
        self.assertEqual(by_branch['Test branch 2'], [1, 1050.0, 0.0, 1050.0, 0.0, 1.97, 2101.97])
        ledger = self.ledger('SELECT %s FROM neopro_balance WHERE period_id = %%s'
                             % ', '.join('SUM(%s)' % f for f in FIGURES), (self.february.id,))
        self.assertEqual(total[2:], [float(v) for v in ledger])

    def test_turnover_by_service(self):
        """Opening per service = its operations before the period; the rest of the opening is "No service"."""
        headers, rows, total = self.table(self.render(self.wizard('turnover', grouping='service',
                                                                  branch_id=self.branch1.id)).active)
        by_service = {row[0]: row[1:] for row in rows}
        self.assertEqual(by_service[self.cold.name], [2850.0, 0.0, 2650.0, 0.0, 0.0, 5500.0])
        self.assertEqual(by_service[self.hot.name], [1500.0, 0.0, 1500.0, 0.0, 0.0, 3000.0])
        self.assertEqual(by_service[self.sewage.name], [1200.0, 0.0, 1040.0, 0.0, 0.0, 2240.0])
        self.assertEqual(by_service['No service'], [500.0, 5400.0, 0.0, -50.0, 1.13, -4948.87])
        self.assertEqual(total[1:], [6050.0, 5400.0, 5190.0, -50.0, 1.13, 5791.13])

    def test_turnover_by_service_totals_equal_ledger(self):
        _headers, _rows, total = self.table(self.render(self.wizard('turnover', grouping='service')).active)
        ledger = self.ledger('SELECT %s FROM neopro_balance WHERE period_id = %%s'
                             % ', '.join('SUM(%s)' % f for f in FIGURES), (self.february.id,))
        self.assertEqual(total[1:], [float(v) for v in ledger])

    def test_charges_register(self):
        headers, rows, total = self.table(self.render(self.wizard('charges', branch_id=self.branch1.id)).active)
        self.assertEqual(headers, ['Account number', 'Name', 'Address', 'Branch', 'Service', 'Basis', 'Volume, m³',
                                   'Tariff', 'Amount', 'Details'])
        lines = [(row[0], row[4], row[5], row[6], row[7], row[8]) for row in rows]
        self.assertIn(('70001', self.cold.name, 'Meter', 8.0, 100.0, 800.0), lines)
        self.assertIn(('70001', self.sewage.name, 'Sewage (cold + hot)', 13.0, 80.0, 1040.0), lines)
        self.assertIn(('70002', self.cold.name, 'Norm', 3.5, 100.0, 350.0), lines)
        self.assertIn(('79001', self.cold.name, 'Fixed volume', 10.0, 150.0, 1500.0), lines)
        self.assertEqual(len(rows), 5)
        self.assertEqual((total[6], total[8]), (39.5, 5190.0))

    def test_charges_register_by_service(self):
        _headers, rows, total = self.table(self.render(self.wizard(
            'charges', branch_id=self.branch1.id, service_id=self.hot.id)).active)
        self.assertEqual([(row[0], row[8]) for row in rows], [('70001', 1500.0)])
        self.assertEqual(total[8], 1500.0)

    def test_charges_totals_equal_ledger(self):
        _headers, _rows, total = self.table(self.render(self.wizard('charges')).active)
        ledger = self.ledger("SELECT SUM(amount) FROM neopro_operation WHERE period_id = %s "
                             "AND operation_type = 'charge'", (self.february.id,))
        self.assertEqual(total[8], float(ledger[0]))

    def test_payments_register(self):
        workbook = self.render(self.wizard('payments', date_from='2023-02-01', date_to='2023-02-28',
                                           branch_id=self.branch1.id))
        self.assertEqual(workbook.sheetnames, ['By bank and date', 'Payments'])
        _headers, rows, total = self.table(workbook['By bank and date'])
        self.assertEqual([(r[0], r[1].date().isoformat(), r[3], r[4]) for r in rows], [
            ('Test Halyk', '2023-02-12', 1, 200.0),
            ('Test Kaspi', '2023-02-10', 1, 3700.0),
            ('No bank', '2023-02-15', 1, 1500.0),
        ])
        self.assertEqual((total[3], total[4]), (3, 5400.0))
        headers, rows, total = self.table(workbook['Payments'])
        self.assertEqual([(r[3], r[4], r[6]) for r in rows], [
            ('70001', 'Фролов Степан', 3700.0), ('70002', 'Иванов И.', 200.0),
            ('79001', 'Test Water Users LLP', 1500.0)])
        self.assertEqual(rows[0][0].strftime('%d.%m.%Y'), '10.02.2023')
        self.assertEqual(total[6], 5400.0)

    def test_payments_register_of_a_bank(self):
        workbook = self.render(self.wizard('payments', date_from='2023-02-11', date_to='2023-02-28',
                                           bank_id=self.halyk.id))
        _headers, rows, total = self.table(workbook['Payments'])
        self.assertEqual([(r[3], r[6]) for r in rows], [('70002', 200.0)])

    def test_payments_register_dates_checked(self):
        with self.assertRaises(UserError):
            self.wizard('payments', date_from='2023-02-28', date_to='2023-02-01')._render()

    def test_debtors(self):
        """Debt older than a month: January's closing balance less what was paid or credited in February."""
        headers, rows, total = self.table(self.render(self.wizard('debtors', debt_months=1, min_debt=400.0)).active)
        ours = [(r[0], r[5], r[6]) for r in rows if r[0] in ('70001', '70002', '70003', '70004', '79001')]
        self.assertEqual(ours, [('70003', 2101.97, 1050.0), ('70004', 500.94, 500.0), ('70002', 450.19, 100.0)])
        self.assertEqual(headers[6], 'Of which older than 1 months')

    def test_debtors_amount_threshold(self):
        _headers, rows, _total = self.table(self.render(self.wizard(
            'debtors', debt_months=0, min_debt=1000.0, branch_id=self.branch1.id)).active)
        self.assertEqual([(r[0], r[5], r[6]) for r in rows], [('70001', 3340.0, 3340.0), ('79001', 1500.0, 1500.0)])

    def test_debtors_last_payment(self):
        _headers, rows, _total = self.table(self.render(self.wizard('debtors', branch_id=self.branch1.id)).active)
        last = {r[0]: r[7] and r[7].strftime('%Y-%m-%d') for r in rows}
        self.assertEqual(last, {'70001': '2023-02-10', '70002': '2023-02-12', '70004': None, '79001': '2023-02-15'})

    def test_formula_injection_is_text(self):
        """A name "=SUM(A1:A2)" and a phone "+7701…" stay text, never formulas."""
        sheet = self.render(self.wizard('debtors', branch_id=self.branch1.id)).active
        cells = [row for row in sheet.iter_rows(min_row=5) if row[0].value == '70004'][0]
        self.assertEqual((cells[1].value, cells[1].data_type), ('=SUM(A1:A2)', 's'))
        self.assertEqual((cells[4].value, cells[4].data_type), ('+77010000000', 's'))

    def test_text_helper_writes_strings(self):
        """The one text helper writes "=", "+", "-", "@" values as strings."""
        import xlsxwriter
        stream = io.BytesIO()
        workbook = xlsxwriter.Workbook(stream)
        sheet = workbook.add_worksheet()
        report = self.env['report.neopro_billing.abstract_xlsx']
        for index, value in enumerate(['=1+1', '+1', '-1', '@SUM(A1)', 'plain']):
            report._write_text(sheet, index, 0, value)
        workbook.close()
        sheet = openpyxl.load_workbook(io.BytesIO(stream.getvalue())).active
        self.assertEqual([(c.value, c.data_type) for c in sheet['A']],
                         [('=1+1', 's'), ('+1', 's'), ('-1', 's'), ('@SUM(A1)', 's'), ('plain', 's')])

    def test_consumption(self):
        headers, rows, total = self.table(self.render(self.wizard('consumption', branch_id=self.branch1.id)).active)
        self.assertEqual(headers, ['Service', 'Accounts of', 'Basis', 'Accounts', 'Volume, m³', 'Amount'])
        self.assertEqual([tuple(r) for r in rows], [
            (self.cold.name, 'Residents', 'Meter', 1, 8.0, 800.0),
            (self.cold.name, 'Residents', 'Norm', 1, 3.5, 350.0),
            (self.cold.name, 'Legal entities', 'Fixed volume', 1, 10.0, 1500.0),
            (self.hot.name, 'Residents', 'Norm', 1, 5.0, 1500.0),
            (self.sewage.name, 'Residents', 'Sewage (cold + hot)', 1, 13.0, 1040.0),
        ])
        self.assertEqual((total[4], total[5]), (39.5, 5190.0))

    def test_meter_verification(self):
        headers, rows, total = self.table(self.render(self.wizard(
            'meter_verification', date='2024-05-15', days_ahead=30)).active)
        ours = {r[1]: (r[0], r[7].strftime('%Y-%m-%d'), r[8], r[9]) for r in rows if r[1] in ('M-70001', 'M-70003')}
        # "Days overdue" is never negative: a meter still due shows 0 (issue 12, item 18)
        self.assertEqual(ours, {'M-70001': ('Test branch 1', '2024-06-01', 0, 'Due'),
                                'M-70003': ('Test branch 2', '2023-03-01', 441, 'Overdue')})
        self.assertEqual(total[1], len(rows))
        self.assertNotIn('M-HOUSE', [r[1] for r in rows])  # verified in 2022: due in 2026

    def test_meter_verification_not_yet_due(self):
        _headers, rows, total = self.table(self.render(self.wizard(
            'meter_verification', date='2024-05-15', days_ahead=10, branch_id=self.branch1.id)).active)
        self.assertEqual([r[1] for r in rows], [])
        self.assertEqual(total[1], 0)

    def test_house_balance(self):
        """Common meter 1 000 → 1 030 in February against the apartments' cold water: 8 + 3.5 m³."""
        headers, rows, total = self.table(self.render(self.wizard('house_balance', branch_id=self.branch1.id)).active)
        self.assertEqual([tuple(r) for r in rows],
                         [(self.house.full_address, 'Test branch 1', self.cold.name, 1, 30.0, 2, 11.5, 18.5, 61.67)])
        self.assertEqual((total[4], total[6], total[7]), (30.0, 11.5, 18.5))

    def test_house_balance_of_january(self):
        _headers, rows, _total = self.table(self.render(self.wizard(
            'house_balance', period_id=self.january.id, branch_id=self.branch1.id)).active)
        self.assertEqual([(r[4], r[6], r[7]) for r in rows], [(10.0, 13.5, -3.5)])

    def test_reconciliation_act_xlsx(self):
        history = self.env['neopro.history'].create({'subscriber_id': self.sub2.id, 'date_from': '2023-02-01',
                                                     'date_to': '2023-02-28'})
        action = history.action_reconciliation_xlsx()
        self.assertEqual((action['report_type'], action['report_name']), ('xlsx', 'neopro_billing.reconciliation_xlsx'))
        content, ext = self.env.ref('neopro_billing.neopro_reconciliation_report_xlsx').render(history.ids, {})
        self.assertEqual(ext, 'xlsx')
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [list(row) for row in sheet.iter_rows(min_row=5, values_only=True)]
        self.assertEqual(rows[0][3:], ['Opening balance', 350.0, None])
        self.assertEqual(rows[-2][3:], ['Turnover', 350.19, 250.0])
        self.assertEqual(rows[-1][3:], ['Closing balance', 450.19, None])
        self.assertEqual(rows[-1][4], self._balance(self.sub2).balance_end)
        self.assertEqual(sorted((r[2], r[4], r[5]) for r in rows[1:-2]), [
            ('Charge', 350.0, None), ('Correction', None, 50.0), ('Payment', None, 200.0), ('Penalty', 0.19, None)])


class TestReportAccess(XlsxMixin, ReportCase):
    """The reports read with SQL: the branch rules and the billing roles are applied by the wizard."""

    @classmethod
    def setUpClass(cls):
        super(TestReportAccess, cls).setUpClass()
        cls.operator2 = cls._create_user('report_operator2', ['group_operator'], cls.branch2)
        cls.inspector = cls._create_user('report_inspector', ['group_inspector'], cls.branch1)

    def test_operator_sees_own_branch(self):
        env = self.env(user=self.operator2)
        _headers, rows, total = self.table(self.render(self.wizard('turnover', env=env)).active)
        self.assertEqual([r[0] for r in rows], ['70003'])
        self.assertEqual(total[9], 2101.97)

    def test_operator_cannot_choose_other_branch(self):
        env = self.env(user=self.operator2)
        with self.assertRaises(AccessError):
            self.wizard('turnover', env=env, branch_id=self.branch1.id)._render()

    def test_inspector_has_no_money_reports(self):
        env = self.env(user=self.inspector)
        with self.assertRaises(AccessError):
            self.wizard('debtors', env=env)._render()

    def test_inspector_meter_report(self):
        env = self.env(user=self.inspector)
        _headers, rows, _total = self.table(self.render(self.wizard(
            'meter_verification', env=env, date='2024-05-15')).active)
        self.assertEqual([r[1] for r in rows if r[1].startswith('M-7')], ['M-70001'])

    def test_download_action(self):
        action = self.wizard('debtors').action_download()
        self.assertEqual((action['type'], action['report_type'], action['report_name']),
                         ('ir.actions.report', 'xlsx', 'neopro_billing.debtors_xlsx'))

    def test_every_report_has_an_action(self):
        wizard = self.wizard('turnover')
        for report, _label in wizard._fields['report'].selection:
            if report == 'debt_registry':
                continue  # a file in its recipient's layout (CSV, XLSX, DBF): test_debt_registry
            action = self.wizard(report)._get_report_action()
            self.assertEqual(action.report_type, 'xlsx')
            self.assertIn('report.%s' % action.report_name, self.env)
