"""Records only the system makes (issue 11): report files, payment files; and the bounded Kaspi log."""
import base64

from odoo.exceptions import AccessError

from .common_report import ReportCase


class TestSystemRecords(ReportCase):

    @classmethod
    def setUpClass(cls):
        super(TestSystemRecords, cls).setUpClass()
        cls.operator = cls._create_user('sys_operator', ['group_operator'], cls.branch1)
        cls.accountant = cls._create_user('sys_accountant', ['group_accountant'])

    def test_report_file_cannot_be_forged(self):
        """An operator cannot make a report file with content of his own, "generated" by someone else."""
        forged = {'name': 'Debtors', 'report': 'debtors', 'filename': 'Debtors.xlsx',
                  'data': base64.b64encode(b'not a report'), 'user_id': self.accountant.id,
                  'shared_user_ids': [(6, 0, self.accountant.ids)]}
        for user in (self.operator, self.accountant):
            with self.assertRaises(AccessError):
                self.env['neopro.report.file'].sudo(user).create(forged)

    def test_report_file_generated_by_the_user(self):
        wizard = self.env['neopro.report.wizard'].sudo(self.operator).create({
            'report': 'consumption', 'period_id': self.period.id})
        report_file = self.env['neopro.report.file'].browse(wizard.action_generate()['res_id'])
        self.assertEqual((report_file.user_id, report_file.report), (self.operator, 'consumption'))
        self.assertTrue(base64.b64decode(report_file.data).startswith(b'PK'))  # an XLSX (zip) file
        self.assertEqual(self.env['neopro.report.file'].sudo(self.operator).search([]), report_file)
        with self.assertRaises(AccessError):
            report_file.sudo(self.operator).write({'data': base64.b64encode(b'changed')})

    def test_payment_file_only_from_an_import(self):
        bank = self.env.ref('neopro_billing.bank_kaspi')
        Files = self.env['neopro.payment.file'].sudo(self.accountant)
        with self.assertRaises(AccessError):
            Files.create({'name': 'forged.csv', 'bank_id': bank.id, 'loaded_count': 5, 'loaded_amount': 1e6})
        sub = self._create_billed_subscriber('SYS-1')
        data = ('account_number;payer_name;amount;date;txn_id\n'
                'SYS-1;Абонент;150,25;05.01.2023;SYS-T1\n').encode()
        loaded = Files._import_registry(bank, self.env.ref('neopro_billing.payment_format_generic_csv'), data,
                                        'SYS.csv')
        self.assertEqual((loaded.loaded_count, loaded.loaded_amount, loaded.user_id), (1, 150.25, self.accountant))
        self.assertEqual(sub.amount_paid, 150.25)
        with self.assertRaises(AccessError):
            loaded.write({'loaded_amount': 1.0})

    def test_kaspi_log_keeps_an_excerpt(self):
        """A refused call from a foreign address with a 2 MB parameter is logged with 2 000 characters of it."""
        Log = self.env['neopro.kaspi.log']
        _status, answer, log = Log._process_call({'command': 'check', 'txn_id': 'X1', 'junk': 'x' * 2000000},
                                                 '203.0.113.9', 'wrong')
        self.assertEqual(answer['result'], 5)
        self.assertEqual(len(log.request), 2001)
        self.assertTrue(log.request.endswith('…'))

    def test_kaspi_log_purged_after_its_days(self):
        Log = self.env['neopro.kaspi.log']
        old = Log.create({'command': 'check', 'txn_id': 'OLD'})
        recent = Log.create({'command': 'check', 'txn_id': 'NEW'})
        self.env.cr.execute("UPDATE neopro_kaspi_log SET create_date = now() - interval '40 days' WHERE id = %s",
                            (old.id,))
        self.env['ir.config_parameter'].set_param('neopro_billing.kaspi_log_days', '30')
        self.assertGreaterEqual(Log._purge_old(), 1)
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
