"""Debt registry out (RULES §14): every open account with ЛС, payer, address, amount due and period, in the layout
of each recipient (CSV, XLSX, DBF), on demand and through the report schedules; the record rules hold."""
import base64
import io
import os
import tempfile

from .common import BillingCase


class TestDebtRegistry(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestDebtRegistry, cls).setUpClass()
        cls.debtor = cls._create_subscriber('D-1', 'Иванов Иван Иванович', premise=cls.flat45)
        cls.prepaid = cls._create_subscriber('D-2', 'Петров Петр', branch=cls.branch2, house=cls.house2)
        cls.closed = cls._create_subscriber('D-3', 'Закрытый Счет', active=False)
        cls.contract = cls._create_contract('D-4')
        cls._operation(cls.debtor, 'correction', 1234.5, '2023-03-10')
        cls._operation(cls.prepaid, 'correction', -300.0, '2023-03-10')
        cls._operation(cls.contract, 'correction', 99.99, '2023-03-10')
        # only the test's accounts: the demo accounts of other branches are out of the rows compared below
        cls.env['neopro.account'].search([('account_number', 'not in', ['D-1', 'D-2', 'D-3', 'D-4'])]).write(
            {'branch_id': cls.env['neopro.branch'].create({'name': 'Other', 'code': 'OTH'}).id})
        cls.expected = [
            ['D-1', 'Иванов Иван Иванович', cls.debtor.address, '1234.50', cls.period.name],
            ['D-2', 'Петров Петр', cls.prepaid.address or '', '0.00', cls.period.name],
            ['D-4', cls.company.name, cls.contract.account_id.holder_address or '', '99.99', cls.period.name],
        ]

    def _generate(self, xmlid, env=None, **vals):
        env = env or self.env
        vals.update(report='debt_registry', debt_format_id=self.env.ref('neopro_billing.%s' % xmlid).id)
        report_file = env['neopro.report.wizard'].create(vals)._generate_file()
        return report_file, base64.b64decode(report_file.data)

    def _ours(self, rows):
        return [row for row in rows if row[0] in ('D-1', 'D-2', 'D-3', 'D-4')]

    def test_csv_every_open_account(self):
        report_file, data = self._generate('debt_registry_format_generic_csv', branch_id=False)
        lines = data.decode('utf-8').splitlines()
        self.assertEqual(lines[0], 'account_number;payer_name;address;amount;period')
        self.assertEqual(self._ours([line.split(';') for line in lines[1:]]), self.expected)
        self.assertTrue(report_file.filename.endswith('.csv'))
        self.assertEqual(report_file.report, 'debt_registry')

    def test_xlsx(self):
        import openpyxl
        _report_file, data = self._generate('debt_registry_format_xlsx')
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(rows[0], ['Лицевой счет', 'Плательщик', 'Адрес', 'Сумма к оплате', 'Период'])
        self.assertEqual(self._ours([[r[0], r[1], r[2] or '', '%.2f' % r[3], r[4]] for r in rows[1:]]),
                         self.expected)

    def test_dbf_cp866(self):
        import dbf
        report_file, data = self._generate('debt_registry_format_kazpost_dbf')
        self.assertTrue(report_file.filename.endswith('.dbf'))
        self.assertEqual(data[29], 0x26)  # the code page byte of cp866
        handle, path = tempfile.mkstemp(suffix='.dbf')
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
        try:
            table = dbf.Table(path)
            table.open(dbf.READ_ONLY)
            self.assertEqual(list(table.field_names), ['LS', 'FIO', 'ADRES', 'SUMMA', 'PERIOD'])
            rows = [[r[0].strip(), r[1].strip(), r[2].strip(), '%.2f' % r[3], r[4].strip()] for r in table]
            table.close()
        finally:
            os.unlink(path)
        self.assertEqual(self._ours(rows), self.expected)

    def test_schedule_makes_the_registry(self):
        schedule = self.env['neopro.report.schedule'].create({
            'name': 'Debts for Kazpost', 'report': 'debt_registry', 'user_id': self.env.uid,
            'debt_format_id': self.env.ref('neopro_billing.debt_registry_format_kazpost_dbf').id})
        report_file = schedule._generate()
        self.assertEqual((report_file.schedule_id, report_file.report), (schedule, 'debt_registry'))
        self.assertTrue(report_file.filename.endswith('.dbf'))
        self.assertIn('Registry layout: Debt registry DBF (Kazpost)', report_file.parameters)

    def test_operator_sees_own_branch_only(self):
        operator = self._create_user('debt_operator', ['group_operator'], self.branch1)
        _report_file, data = self._generate('debt_registry_format_generic_csv', env=self.env(user=operator))
        self.assertEqual([line.split(';')[0] for line in data.decode('utf-8').splitlines()[1:]], ['D-1', 'D-4'])
