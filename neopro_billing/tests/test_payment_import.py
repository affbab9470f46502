"""Loading bank registries: protocol line by line, totals, safety against loading twice."""
import base64
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tools.safe_eval import safe_eval

from ..lib import file_parser
from . import payment_files
from .common import set_period_state
from .common_payment import NeoproPaymentCase


class TestPaymentImport(NeoproPaymentCase):

    @classmethod
    def setUpClass(cls):
        super(TestPaymentImport, cls).setUpClass()
        cls.halyk = cls.env['res.bank'].create({'name': 'Test Halyk', 'bic': 'HSBKKZKX',
                                                'neopro_payment_format_id': cls.generic.id})
        cls.Operation = cls.env['neopro.operation']

    def _payments(self):
        """Payments of the fixture's period (the demo data has its own, in other months)."""
        return self.Operation.search([('operation_type', '=', 'payment'), ('period_id', '=', self.period.id)])

    def test_kaspi_xlsx_protocol(self):
        payment_file = self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        self.assertEqual(self._protocol(payment_file), [
            (7, '99999', 'Ерачина Наталья', 'account_not_found'),
            (8, '12345', 'Фролов Степан', 'amount'),
            (9, '5555', 'Соколова Светлана', 'date'),
            (10, '12345', 'Фролов Степан', 'duplicate_line'),
            (11, '12345', 'Фролов Степан', 'amount'),
            (12, '777', 'Рогов Григорий', 'account_closed'),
        ])
        messages = payment_file.error_ids.sorted('line_number').mapped('message')
        self.assertEqual(messages[0], 'Account 99999 not found')
        self.assertEqual(messages[1], 'Bad amount "сто"')
        self.assertEqual(messages[2], 'Bad payment date "31.02.2025"')
        self.assertEqual(messages[3], 'Duplicate of line 5 (transaction K-1001)')
        self.assertEqual(messages[4], 'Zero or negative amount "0"')
        self.assertEqual(messages[5], 'Account 777 is closed')

    def test_kaspi_xlsx_totals(self):
        payment_file = self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        self.assertEqual((payment_file.total_records, payment_file.loaded_count, payment_file.error_count),
                         (9, 3, 6))
        self.assertEqual(payment_file.loaded_amount, 3840.80)
        self.assertEqual(payment_file.payment_date, '2025-09-10')
        self.assertEqual(payment_file.period_id, self.period)
        self.assertTrue(payment_file.data_file)

    def test_kaspi_xlsx_payments_booked(self):
        """The SQL-inserted payments read back through the ORM with every stored field right."""
        payment_file = self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        rows = [(p.account_number, p.subscriber_id, p.contract_id, p.branch_id, p.amount, p.date, p.txn_id,
                 p.payer_name, p.period_id, p.bank_id, p.payment_source_id.code)
                for p in payment_file.operation_ids.sorted('txn_id')]
        self.assertEqual(rows, [
            ('5555', self.sokolova, self.contract.browse(), self.branch2, 2340.00, '2025-09-09', '1002',
             'Соколова Светлана', self.period, self.kaspi, 'bank'),
            ('12345', self.frolov, self.contract.browse(), self.branch1, 1500.50, '2025-09-09', 'K-1001',
             'Фролов Степан', self.period, self.kaspi, 'bank'),
            ('888', self.frolov.browse(), self.contract, self.branch1, 0.30, '2025-09-10', 'K-1009',
             'Слуцкая Анна', self.period, self.kaspi, 'bank'),
        ])
        group = self.Operation.read_group([('payment_file_id', '=', payment_file.id)], ['amount'], [])
        self.assertEqual(group[0]['amount'], 3840.80)

    def test_same_file_twice_refused(self):
        data = self._kaspi_file()
        first = self._import(self.kaspi, data, 'Kaspi_09.09.2025.xlsx')
        before = (self._payments().ids, self.env['neopro.payment.file'].search_count([]))
        with self.assertRaisesRegex(UserError, 'loaded already: "Kaspi_09.09.2025.xlsx"'):
            self._import(self.kaspi, data, 'copy of kaspi.xlsx')
        self.assertEqual((self._payments().ids, self.env['neopro.payment.file'].search_count([])), before)
        self.assertEqual(first.loaded_count, 3)

    def test_transaction_of_earlier_file_not_booked_again(self):
        self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        data = self._kaspi_file([
            [1, '12.09.2025', 'K-1001', '12345', 'Фролов Степан', '', 1500.5, 0],
            [2, '12.09.2025', 'K-2002', '12345', 'Фролов Степан', '', 10, 0],
        ], title='Реестр за 12.09.2025')
        second = self._import(self.kaspi, data, 'Kaspi_12.09.2025.xlsx')
        self.assertEqual(self._protocol(second), [(5, '12345', 'Фролов Степан', 'duplicate_earlier')])
        self.assertIn('from file Kaspi_09.09.2025.xlsx', second.error_ids.message)
        self.assertEqual(second.operation_ids.mapped('txn_id'), ['K-2002'])
        self.assertEqual(len(self._payments().filtered(lambda p: p.txn_id == 'K-1001')), 1)

    def test_transaction_paid_online_not_booked_again(self):
        self.Operation.create({
            'operation_type': 'payment', 'amount': 10.0, 'date': '2025-09-12', 'subscriber_id': self.frolov.id,
            'bank_id': self.kaspi.id, 'txn_id': 'K-2002',
            'payment_source_id': self.env.ref('neopro_billing.payment_source_kaspi').id})
        data = self._kaspi_file([[1, '12.09.2025', 'K-2002', '12345', 'Фролов Степан', '', 10, 0]])
        payment_file = self._import(self.kaspi, data, 'Kaspi_12.09.2025.xlsx')
        self.assertEqual(payment_file.error_ids.message, 'Transaction K-2002 was paid online already on 12.09.2025')
        self.assertEqual(payment_file.loaded_count, 0)

    def test_kazpost_xls(self):
        payment_file = self._import(self.kazpost, self._kazpost_file(total=1934.74), 'Реестр_платежей.xls')
        self.assertEqual(self._protocol(payment_file), [
            (6, '', 'Без счета', 'account_not_found'),
            (7, '5555', 'Соколова Светлана', 'amount'),
            (8, '12345', 'Фролов Степан', 'service'),
        ])
        errors = payment_file.error_ids.sorted('line_number')
        self.assertEqual(errors[1].message, 'Zero or negative amount "-10"; Bad payment date "вчера"')
        self.assertEqual(errors[2].message, 'Unknown service "Газ"')
        self.assertEqual((payment_file.total_records, payment_file.loaded_count, payment_file.loaded_amount),
                         (5, 2, 1934.75))
        self.assertEqual(sorted((p.account_number, p.service_id.code, p.amount) for p in payment_file.operation_ids),
                         [('12345', 'cold_water', 700.25), ('5555', 'sewage', 1234.50)])

    def test_generic_csv(self):
        payment_file = self._import(self.halyk, self._generic_file(), 'halyk.csv')
        self.assertEqual(self._protocol(payment_file), [
            (4, '5555', 'Соколова Светлана', 'amount'),
            (5, '12345', 'Фролов Степан', 'date'),
            (7, '777', 'Рогов Григорий', 'account_closed'),
        ])
        self.assertEqual((payment_file.total_records, payment_file.loaded_count, payment_file.loaded_amount),
                         (5, 2, 3840.50))

    def test_format_added_without_code(self):
        """An administrator describes a new bank layout as data: cp1251, comma-separated, other titles."""
        payment_format = self.env['neopro.payment.format'].create({
            'name': 'Bank CenterCredit', 'file_type': 'csv', 'encoding': 'cp1251', 'delimiter': ',',
            'column_account': 'Лиц. счет', 'column_payer': 'Плательщик', 'column_amount': 'Сумма',
            'column_date': 'Дата', 'column_txn': 'Документ', 'date_format': '%Y-%m-%d'})
        data = 'Лиц. счет,Плательщик,Сумма,Дата,Документ\r\n12345,Фролов С.,"1 000,00",2025-09-15,D-1\r\n' \
            .encode('cp1251')
        payment_file = self._import(self.halyk, data, 'bcc.csv', payment_format=payment_format)
        self.assertEqual((payment_file.loaded_count, payment_file.loaded_amount, payment_file.error_count),
                         (1, 1000.00, 0))
        self.assertEqual(payment_file.operation_ids.date, '2025-09-15')

    def test_crash_leaves_nothing(self):
        """A failure after the file record and payments were written takes them all back."""
        files_before = self.env['neopro.payment.file'].search_count([])
        with patch.object(type(self.Operation), '_refresh_balances', side_effect=RuntimeError('boom')):
            with self.assertRaises(RuntimeError):
                self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        self.Operation.invalidate_cache()
        self.assertEqual(self.env['neopro.payment.file'].search_count([]), files_before)
        self.assertFalse(self._payments())
        self.assertFalse(self.env['neopro.payment.file.error'].search([]))

    def test_no_open_period_refused(self):
        set_period_state(self.period, 'closed')
        with self.assertRaisesRegex(UserError, 'no open billing period'):
            self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')

    def test_balances_refreshed_for_paid_accounts(self):
        with patch.object(type(self.Operation), '_refresh_balances', autospec=True) as refresh:
            self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        refresh.assert_called_once_with(self.Operation, self.period, sorted(
            (self.frolov | self.sokolova).mapped('account_id').ids + self.contract.account_id.ids))

    def test_operator_cannot_import(self):
        operator = self.env['res.users'].create({
            'name': 'Test operator', 'login': 'test_payment_operator',
            'groups_id': [(6, 0, [self.env.ref('neopro_billing.group_operator').id])],
            'neopro_branch_ids': [(6, 0, self.branch1.ids)]})
        with self.assertRaises(AccessError):
            self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx', user=operator)

    def test_operator_sees_payments_of_own_branches(self):
        self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        operator = self.env['res.users'].create({
            'name': 'Test operator', 'login': 'test_payment_operator',
            'groups_id': [(6, 0, [self.env.ref('neopro_billing.group_operator').id])],
            'neopro_branch_ids': [(6, 0, self.branch2.ids)]})
        action = self.env.ref('neopro_billing.neopro_operation_action_payment')
        payments = self.Operation.sudo(operator).search(safe_eval(action.domain))
        rows = payments.read(['account_number', 'account_name', 'account_address', 'date', 'amount', 'service_id',
                              'payment_source_id', 'branch_id', 'bank_id'])
        self.assertEqual([(r['account_number'], r['amount']) for r in rows], [('5555', 2340.00)])

    def test_file_without_payments_can_be_deleted(self):
        """A file whose lines all failed can be removed by an administrator, then loaded again."""
        data = self._kaspi_file([[1, '12.09.2025', 'K-9', '99999', 'Нет Такого', '', 10, 0]])
        payment_file = self._import(self.kaspi, data, 'Kaspi_12.09.2025.xlsx')
        self.assertEqual((payment_file.loaded_count, payment_file.error_count), (0, 1))
        payment_file.unlink()
        self.assertEqual(self._import(self.kaspi, data, 'Kaspi_12.09.2025.xlsx').error_count, 1)

    def test_accountant_imports(self):
        accountant = self.env['res.users'].create({
            'name': 'Test accountant', 'login': 'test_payment_accountant',
            'groups_id': [(6, 0, [self.env.ref('neopro_billing.group_accountant').id])]})
        payment_file = self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx', user=accountant)
        self.assertEqual(payment_file.loaded_count, 3)
        self.assertEqual(payment_file.user_id, accountant)
        self.assertEqual(len(payment_file.error_ids), 6)

    def test_wizard_uses_bank_format(self):
        wizard = self.env['neopro.payment.import'].create({
            'bank_id': self.kazpost.id, 'filename': 'kazpost.xls',
            'data_file': base64.b64encode(self._kazpost_file())})
        wizard._onchange_bank_id()
        self.assertEqual(wizard.format_id, self.env.ref('neopro_billing.payment_format_kazpost_xls'))
        wizard.format_id = False
        action = wizard.action_import()
        payment_file = self.env['neopro.payment.file'].browse(action['res_id'])
        self.assertEqual((payment_file.name, payment_file.loaded_count), ('kazpost.xls', 2))

    def test_upload_month_search(self):
        payment_file = self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        payment_file.upload_date = '2025-10-15 08:00:00'
        Files = self.env['neopro.payment.file'].with_context(tz='Asia/Almaty')
        self.assertIn(payment_file, Files.search([('upload_month_from', '=', '2025-10-01'),
                                                  ('upload_month_to', '=', '2025-10-01')]))
        self.assertNotIn(payment_file, Files.search([('upload_month_to', '=', '2025-09-30')]))
        self.assertNotIn(payment_file, Files.search([('upload_month_from', '=', '2025-11-20')]))

    def test_payment_search(self):
        """Payments menu: by subscriber, source, bank and date range, with name and address of the account."""
        self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        self._import(self.halyk, self._generic_file(), 'halyk.csv')
        action = self.env.ref('neopro_billing.neopro_operation_action_payment')
        domain = safe_eval(action.domain) + [('subscriber_id', 'ilike', 'Фролов'), ('bank_id', '=', self.halyk.id),
                                             ('search_date_from', '=', '2025-09-11'),
                                             ('search_date_to', '=', '2025-09-11'),
                                             ('payment_source_id.code', '=', 'bank')]
        payments = self.Operation.search(domain)
        self.assertEqual([(p.txn_id, p.amount, p.account_name, p.account_address) for p in payments],
                         [('G-1', 1500.50, 'Фролов Степан', 'Testgrad, Test street, 2, 45')])
        contract_payment = self.Operation.search([('account_number', '=', '888')])
        self.assertEqual(contract_payment.account_name, 'ОАО "Весна"')
        group = self.Operation.read_group(safe_eval(action.domain) + [('period_id', '=', self.period.id)],
                                          ['amount'], [])
        self.assertEqual(group[0]['amount'], 7681.30)

    def test_file_with_payments_cannot_be_deleted(self):
        payment_file = self._import(self.kaspi, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        with self.assertRaisesRegex(UserError, 'cannot be deleted'):
            payment_file.unlink()


class TestPaymentImportLineByLine(TestPaymentImport):
    """Every test above again, the registry read and booked one line a chunk."""

    def _import(self, bank, data, filename, payment_format=None, user=None):
        with patch.object(type(self.env['neopro.payment.file']), '_import_chunk_lines', 1):
            return super(TestPaymentImportLineByLine, self)._import(bank, data, filename, payment_format, user)


class TestPaymentImportInChunks(NeoproPaymentCase):
    """A registry is read in the background and booked chunk by chunk (RULES §14): what it books, the protocol
    and the totals are those of the whole file at once; a failure in a later chunk takes back the earlier ones."""

    def _import_in_chunks(self, size, data, filename):
        Files = type(self.env['neopro.payment.file'])
        with patch.object(Files, '_import_chunk_lines', size):
            return self._import(self.kaspi, data, filename)

    def test_chunks_of_two_lines_give_the_whole_file(self):
        # lines 4-5, 6-7, 8-9, 10-11, 12: the duplicate of line 10 is line 5, two chunks before
        payment_file = self._import_in_chunks(2, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        self.assertEqual(self._protocol(payment_file), [
            (7, '99999', 'Ерачина Наталья', 'account_not_found'),
            (8, '12345', 'Фролов Степан', 'amount'),
            (9, '5555', 'Соколова Светлана', 'date'),
            (10, '12345', 'Фролов Степан', 'duplicate_line'),
            (11, '12345', 'Фролов Степан', 'amount'),
            (12, '777', 'Рогов Григорий', 'account_closed'),
        ])
        duplicate = payment_file.error_ids.filtered(lambda e: e.line_number == 10)
        self.assertEqual(duplicate.message, 'Duplicate of line 5 (transaction K-1001)')
        self.assertEqual((payment_file.total_records, payment_file.loaded_count, payment_file.error_count,
                          payment_file.loaded_amount, payment_file.payment_date), (9, 3, 6, 3840.80, '2025-09-10'))
        self.assertEqual(sorted(payment_file.operation_ids.mapped('txn_id')), ['1002', 'K-1001', 'K-1009'])
        self.assertEqual(self.frolov.amount_paid, 1500.50)
        self.assertEqual(self.sokolova.amount_paid, 2340.00)
        self.assertEqual(self.contract.amount_paid, 0.30)

    def test_transaction_repeated_in_a_later_chunk_is_a_duplicate_not_booked_before(self):
        """The file's own payments of earlier chunks are in the database already: they are not "booked before"."""
        rows = [list(row) for row in payment_files.GOLDEN_KASPI_ROWS[:2]] + [
            [3, '09.09.2025', 'K-1001', '12345', 'Фролов Степан', '', 10, 0]]
        payment_file = self._import_in_chunks(1, self._kaspi_file(rows), 'Kaspi_repeat.xlsx')
        self.assertEqual(payment_file.error_ids.mapped('message'), ['Duplicate of line 5 (transaction K-1001)'])
        self.assertEqual(payment_file.loaded_count, 2)

    def test_file_failing_in_a_later_chunk_leaves_nothing(self):
        files_before = self.env['neopro.payment.file'].search_count([])
        paid_before = self.frolov.amount_paid
        # rows 4-5 and 6-7 are booked before row 10 (past the bound) is read
        with patch.object(file_parser, 'MAX_ROWS', 9):
            with self.assertRaisesRegex(UserError, 'more than 9 rows'):
                self._import_in_chunks(2, self._kaspi_file(), 'Kaspi_09.09.2025.xlsx')
        self.env['neopro.operation'].invalidate_cache()
        self.env['neopro.account'].invalidate_cache()
        self.assertEqual(self.env['neopro.payment.file'].search_count([]), files_before)
        self.assertFalse(self.env['neopro.operation'].search([('period_id', '=', self.period.id),
                                                              ('operation_type', '=', 'payment')]))
        self.assertFalse(self.env['neopro.payment.file.error'].search([]))
        self.assertEqual(self.frolov.amount_paid, paid_before)


class TestPaymentImportScreens(NeoproPaymentCase):
    """The load dialog proposes the bank of the chosen format; times in messages are the user's (issue 12)."""

    def test_bank_proposed_from_the_format(self):
        kaspi_format = self.env.ref('neopro_billing.payment_format_kaspi_xlsx')
        wizard = self.env['neopro.payment.import'].new({'format_id': kaspi_format.id})
        self.assertEqual(wizard._onchange_format_id(), {})
        self.assertEqual(wizard.bank_id, self.kaspi)

    def test_banks_of_a_shared_format_offered(self):
        first = self.env['res.bank'].create({'name': 'Test Bank A', 'neopro_payment_format_id': self.generic.id})
        second = self.env['res.bank'].create({'name': 'Test Bank B', 'neopro_payment_format_id': self.generic.id})
        wizard = self.env['neopro.payment.import'].new({'format_id': self.generic.id})
        result = wizard._onchange_format_id()
        self.assertFalse(wizard.bank_id)
        banks = self.env['res.bank'].search(result['domain']['bank_id'])
        self.assertEqual(banks & (first | second), first | second)
        self.assertEqual(banks, self.env['res.bank'].search([('neopro_payment_format_id', '=', self.generic.id)]))

    def test_bank_chosen_first_is_kept(self):
        wizard = self.env['neopro.payment.import'].new({'bank_id': self.kazpost.id})
        wizard._onchange_bank_id()
        self.assertEqual(wizard.format_id, self.env.ref('neopro_billing.payment_format_kazpost_xls'))
        wizard.format_id = self.generic
        self.assertEqual(wizard._onchange_format_id(), {})
        self.assertEqual((wizard.bank_id, wizard.format_id), (self.kazpost, self.generic))

    def _refusal_of_second_load(self, tz):
        data = self._kaspi_file()
        first = self._import(self.kaspi, data, 'Kaspi_09.09.2025.xlsx')
        self.env.cr.execute("UPDATE neopro_payment_file SET upload_date = '2026-12-01 20:17:07' WHERE id = %s",
                            (first.id,))
        first.invalidate_cache()
        self.env.user.tz = tz
        with self.assertRaises(UserError) as caught:
            self._import(self.kaspi, data, 'copy of kaspi.xlsx')
        return caught.exception.name

    def test_duplicate_file_time_in_the_user_time_zone(self):
        """20:17:07 UTC is 01:17:07 the next day in Almaty (UTC+5, all of Kazakhstan since 1 March 2024): the
        message says so, as the registry shows it."""
        self.assertIn('on 02.12.2026 01:17:07 by', self._refusal_of_second_load('Asia/Almaty'))

    def test_duplicate_file_time_of_a_user_elsewhere(self):
        self.assertIn('on 01.12.2026 23:17:07 by', self._refusal_of_second_load('Europe/Moscow'))

    def test_user_without_time_zone_reads_the_utility_time(self):
        self.assertIn('on 02.12.2026 01:17:07 by', self._refusal_of_second_load(False))
        self.assertEqual(self.env['neopro.guard']._get_tz_offset(), 5 * 60)


class TestStatementImport(NeoproPaymentCase):
    """Bank statements (1C exchange text) and Kazpost DBF registries through the one payment pipeline."""

    def test_1c_statement_booked_with_protocol(self):
        header = [('ДатаНачала', '01.09.2025'), ('ДатаКонца', '30.09.2025'), ('РасчСчет', 'KZ19563D350000091934')]
        docs = [
            ('Платежное поручение', [('Номер', '1'), ('ДатаДокумента', '10.09.2025'), ('СуммаПриход', '5490.39'),
                                     ('ПлательщикНаименование', 'АО "KASPI BANK"'),
                                     ('НазначениеПлатежа', 'Согласно ведомости распределения от 09/09/2025')]),
            ('Платежное поручение', [('Номер', '2'), ('ДатаДокумента', '11.09.2025'), ('СуммаПриход', '3200.00'),
                                     ('ПлательщикНаименование', 'Фролов Степан'),
                                     ('НазначениеПлатежа', 'Оплата за воду ЛС 12345\nза август')]),
            ('Платежное поручение', [('Номер', '3'), ('ДатаДокумента', '11.09.2025'), ('СуммаРасход', '100.00'),
                                     ('НазначениеПлатежа', 'Возврат Л/С 5555')]),
            ('Платежное поручение', [('Номер', '4'), ('ДатаДокумента', '12.09.2025'), ('СуммаПриход', '10.00'),
                                     ('ПлательщикНаименование', 'Неизвестный'),
                                     ('НазначениеПлатежа', 'ЛС 404404')]),
        ]
        data = payment_files.statement_1c(header, docs, capitals=True)
        fmt = self.env.ref('neopro_billing.payment_format_1c_statement')
        payment_file = self._import(self.kazpost, data, 'kazpost_0925.txt', payment_format=fmt)
        self.assertEqual((payment_file.total_records, payment_file.loaded_count, payment_file.loaded_amount),
                         (3, 1, 3200.00))
        self.assertEqual([(e.line_number, e.account_number, e.payer_name, e.reason, e.message)
                          for e in payment_file.error_ids.sorted('line_number')], [
            (5, False, 'АО "KASPI BANK"', 'account_not_found', 'No account number'),
            (26, '404404', 'Неизвестный', 'account_not_found', 'Account 404404 not found'),
        ])
        payment = payment_file.operation_ids
        self.assertEqual((payment.subscriber_id, payment.amount, payment.date, payment.payer_name, payment.bank_id),
                         (self.frolov, 3200.00, '2025-09-11', 'Фролов Степан', self.kazpost))
        with self.assertRaisesRegex(UserError, 'loaded already'):
            self._import(self.kazpost, data, 'again.txt', payment_format=fmt)

    def test_1c_statements_overlapping_book_a_document_once(self):
        """Banks' statement periods overlap: a document in two statements (number, date and payer) is booked from
        the first one; the same number on that day from another payer is another payment."""
        frolov = ('Платежное поручение', [
            ('Номер', '2'), ('ДатаДокумента', '11.09.2025'), ('СуммаПриход', '3200.00'),
            ('ПлательщикНаименование', 'Фролов Степан'), ('ПлательщикБИН_ИИН', '850101300123'),
            ('НазначениеПлатежа', 'Оплата за воду ЛС 12345')])
        sokolova = ('Платежное поручение', [
            ('Номер', '2'), ('ДатаДокумента', '11.09.2025'), ('СуммаПриход', '700.00'),
            ('ПлательщикНаименование', 'Соколова Светлана'), ('ПлательщикБИН_ИИН', '900202400456'),
            ('НазначениеПлатежа', 'ЛС 5555')])
        later = ('Платежное поручение', [
            ('Номер', '9'), ('ДатаДокумента', '16.09.2025'), ('СуммаПриход', '150.00'),
            ('ПлательщикНаименование', 'Фролов Степан'), ('ПлательщикБИН_ИИН', '850101300123'),
            ('НазначениеПлатежа', 'ЛС 12345')])
        account = ('РасчСчет', 'KZ19563D350000091934')
        fmt = self.env.ref('neopro_billing.payment_format_1c_statement')
        first = self._import(self.kazpost, payment_files.statement_1c(
            [('ДатаНачала', '01.09.2025'), ('ДатаКонца', '15.09.2025'), account], [frolov], capitals=True),
            'kazpost_0109_1509.txt', payment_format=fmt)
        self.assertEqual((first.loaded_count, first.error_count), (1, 0))
        self.assertEqual(first.operation_ids.txn_id, '2/11.09.2025/850101300123')
        second = self._import(self.kazpost, payment_files.statement_1c(
            [('ДатаНачала', '10.09.2025'), ('ДатаКонца', '30.09.2025'), account], [frolov, sokolova, later], 'utf-8'),
            'kazpost_1009_3009.txt', payment_format=fmt)
        self.assertEqual((second.total_records, second.loaded_count, second.loaded_amount), (3, 2, 850.00))
        self.assertEqual(sorted((p.account_number, p.amount, p.txn_id) for p in second.operation_ids), [
            ('12345', 150.0, '9/16.09.2025/850101300123'), ('5555', 700.0, '2/11.09.2025/900202400456')])
        error = second.error_ids
        self.assertEqual((error.line_number, error.account_number, error.reason), (5, '12345', 'duplicate_earlier'))
        self.assertRegex(error.message, r'^Transaction 2/11\.09\.2025/850101300123 was booked already from file '
                                        r'kazpost_0109_1509\.txt loaded on ')
        self.assertEqual(self.frolov.amount_paid, 3200.00 + 150.00)

    def test_kazpost_dbf_booked(self):
        rows = [list(r) for r in payment_files.GOLDEN_KAZPOST_DBF_ROWS]
        for row in rows:
            row[0] = row[0].replace(year=2025, month=9)
        fmt = self.env.ref('neopro_billing.payment_format_kazpost_dbf')
        payment_file = self._import(self.kazpost, payment_files.kazpost_dbf(rows), 'AKTOBE_KPST_011025.dbf',
                                    payment_format=fmt)
        self.assertEqual((payment_file.total_records, payment_file.loaded_count, payment_file.loaded_amount),
                         (4, 2, 3280.40))
        self.assertEqual(sorted((p.account_number, p.amount) for p in payment_file.operation_ids),
                         [('12345', 2500.0), ('5555', 780.4)])
        self.assertEqual(self._protocol(payment_file), [(5, '', 'Ерачина Наталья', 'account_not_found'),
                                                        (6, '777', 'Рогов Григорий', 'amount')])


class TestStatementFormatMigration(NeoproPaymentCase):
    """11.0.3.1.0 gives the shipped 1C format (noupdate data) its transaction id column on upgrade, unless an
    administrator has set one."""

    @staticmethod
    def _migration():
        import importlib.util
        import os
        path = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'migrations', '11.0.3.1.0',
                            'post-migration.py')
        spec = importlib.util.spec_from_file_location('neopro_post_migration_11_0_3_1_0', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_upgrade_sets_the_shipped_column_once(self):
        migration = self._migration()
        statement = self.env.ref('neopro_billing.payment_format_1c_statement')
        self.assertEqual(statement.column_txn, migration.TXN_COLUMNS)  # the same as the data file ships
        statement.write({'column_txn': False})  # a database installed before 11.0.3.1.0
        migration.migrate(self.env.cr, '11.0.3.0.0')
        statement.invalidate_cache()
        self.assertEqual(statement.column_txn, migration.TXN_COLUMNS)
        statement.write({'column_txn': 'Номер'})  # an administrator's own choice stays
        migration.migrate(self.env.cr, '11.0.3.0.0')
        statement.invalidate_cache()
        self.assertEqual(statement.column_txn, 'Номер')


class TestAccountPagesMigration(NeoproPaymentCase):
    """11.0.3.2.0: the accounts' pages keep room for their rows' next version; the duplicate indexes are gone."""

    def test_accounts_rewritten_with_room_and_no_duplicate_indexes(self):
        import importlib.util
        import os
        path = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'migrations', '11.0.3.2.0',
                            'post-migration.py')
        spec = importlib.util.spec_from_file_location('neopro_post_migration_11_0_3_2_0', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cr = self.env.cr
        cr.execute("SELECT relfilenode FROM pg_class WHERE relname = 'neopro_account'")
        before = cr.fetchone()[0]
        module.migrate(cr, '11.0.3.1.0')
        cr.execute("SELECT relfilenode, reloptions FROM pg_class WHERE relname = 'neopro_account'")
        after, options = cr.fetchone()
        self.assertNotEqual(after, before)  # rewritten
        self.assertEqual(options, ['fillfactor=50'])
        cr.execute("SELECT indexname FROM pg_indexes WHERE indexname IN %s", ((
            'neopro_account_account_number_index', 'neopro_account_holder_type_index',
            'neopro_account_balance_end_index', 'neopro_balance_account_id_index',
            'neopro_meter_reading_meter_id_index'),))
        self.assertEqual(cr.fetchall(), [])
        self.assertEqual(self.frolov.account_id.account_number, '12345')  # the rows are all there
