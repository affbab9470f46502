"""Bank file parsers: golden files of the shipped formats, and the exact reading of cells."""
import datetime
import io
import json
import os
import re
import zipfile
from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests.common import SavepointCase

from ..lib import file_parser, payment_parser
from . import payment_files

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')


def _dump(parsed):
    """A parse result as the JSON of the golden files."""
    return {'header_row': parsed.header_row, 'skipped': parsed.skipped, 'lines': [{
        'line': line.line_number, 'account': line.account, 'payer': line.payer,
        'amount': None if line.amount is None else str(line.amount),
        'date': line.date and line.date.isoformat(), 'service': line.service, 'txn_id': line.txn_id,
        'errors': [list(error) for error in line.errors],
    } for line in parsed.lines]}


class TestPaymentParserGolden(SavepointCase):
    """Each shipped format reads its golden registry exactly as recorded in tests/data/*.json."""

    def _check_golden(self, format_xmlid, filename, expected_name=None):
        payment_format = self.env.ref('neopro_billing.%s' % format_xmlid)
        with open(os.path.join(DATA, filename), 'rb') as fh:
            parsed = payment_format._parse_file(fh.read())
        expected_name = expected_name or filename.rsplit('.', 1)[0] + '.json'
        with open(os.path.join(DATA, expected_name), encoding='utf-8') as fh:
            expected = json.load(fh)
        self.assertEqual(_dump(parsed), expected)

    def test_kaspi_xlsx_golden(self):
        self._check_golden('payment_format_kaspi_xlsx', 'kaspi_registry.xlsx')

    def test_kazpost_xls_golden(self):
        self._check_golden('payment_format_kazpost_xls', 'kazpost_registry.xls')

    def test_generic_csv_golden(self):
        self._check_golden('payment_format_generic_csv', 'generic_registry.csv')

    def test_1c_statement_kazpost_golden(self):
        """Kazpost's capital keys in windows-1251, a purpose over two lines, an outgoing document left out, the
        aggregated transfer of the public test vector (no ЛС in its purpose) a line without account."""
        self._check_golden('payment_format_1c_statement', 'statement_1c_kazpost.txt')

    def test_1c_statement_kazpost_dos_golden(self):
        """The same statement in cp866 (``Кодировка=DOS``, as Kazpost and BCC also send it) reads the same, though
        the format says windows-1251."""
        self._check_golden('payment_format_1c_statement', 'statement_1c_kazpost_dos.txt',
                           'statement_1c_kazpost.json')

    def test_1c_statement_utf8_golden(self):
        """UTF-8 detected; one ``Сумма``: incoming when paid to the statement's account (РасчСчет)."""
        self._check_golden('payment_format_1c_statement', 'statement_1c_utf8.txt')

    def test_kazpost_dbf_golden(self):
        """cp866 dBase; the bank's commission line is no payment."""
        self._check_golden('payment_format_kazpost_dbf', 'kazpost_dbf_registry.dbf')

    def test_1c_statement_same_in_both_encodings(self):
        fmt = self.env.ref('neopro_billing.payment_format_1c_statement')
        docs = payment_files.GOLDEN_1C_UTF8_DOCUMENTS
        utf8 = fmt._parse_file(payment_files.statement_1c(payment_files.GOLDEN_1C_UTF8_HEADER, docs, 'utf-8'))
        cp1251 = fmt._parse_file(payment_files.statement_1c(payment_files.GOLDEN_1C_UTF8_HEADER, docs, 'cp1251',
                                                            capitals=True))
        self.assertEqual(_dump(utf8), _dump(cp1251))
        self.assertEqual([(line.account, line.payer) for line in utf8.lines],
                         [('888', 'Слуцкая Анна'), ('888', 'Слуцкая Анна')])

    def test_1c_account_pattern(self):
        """The shipped pattern: the digits after ЛС, Л/С or лицевой счет, in any case; nothing else."""
        spec = self.env.ref('neopro_billing.payment_format_1c_statement')._get_parser_spec()
        find = file_parser.account_finder(spec['account_pattern'])
        cases = [('Оплата за воду ЛС 12345 за октябрь', '12345'), ('л/с:777', '777'), ('Л/С № 5555', '5555'),
                 ('по лицевому счету 42', ''), ('лицевой счет №0042', '0042'), ('Лицевой счёт 9', '9'),
                 ('ВЛС 12', ''), ('Оплата ком. услуг', ''), ('ЛСК 12', '')]
        self.assertEqual([(text, find(text)) for text, _expected in cases], cases)

    def test_not_a_statement_refused(self):
        with self.assertRaisesRegex(UserError, '1CClientBankExchange'):
            self.env.ref('neopro_billing.payment_format_1c_statement')._parse_file(b'account;amount\n1;2\n')

    def test_generic_csv_spec(self):
        """The generic format is the one RULES §11 fixes."""
        spec = self.env.ref('neopro_billing.payment_format_generic_csv')._get_parser_spec()
        self.assertEqual((spec['file_type'], spec['encoding'], spec['delimiter'], spec['header_row']),
                         ('csv', 'utf-8', ';', 1))
        self.assertEqual([spec['columns'][k] for k in ('account', 'payer', 'amount', 'date', 'txn_id')],
                         payment_files.GENERIC_HEADER)

    def test_unknown_layout_refused(self):
        data = payment_files.generic_csv([['1', 'x', '1', '01.09.2025']], header=['ЛС', 'ФИО', 'Сумма', 'Дата'])
        with self.assertRaisesRegex(UserError, 'Generic CSV'):
            self.env.ref('neopro_billing.payment_format_generic_csv')._parse_file(data)

    def test_not_an_excel_file_refused(self):
        with self.assertRaisesRegex(UserError, 'cannot be read'):
            self.env.ref('neopro_billing.payment_format_kaspi_xlsx')._parse_file(b'account;amount\n1;2\n')


class TestPaymentParserCells(SavepointCase):
    """The plain-Python parser, cell by cell."""

    SPEC = {'file_type': 'csv', 'encoding': 'utf-8', 'delimiter': ';', 'header_row': 1, 'date_format': '%d.%m.%Y',
            'skip_pattern': '^итого', 'columns': {'account': 'ЛС', 'amount': 'Сумма', 'date': 'Дата'}}

    def test_amounts_exact(self):
        cases = [
            ('1500.50', '1500.50'), ('1 500,50', '1500.50'), ('1\u00a0500,5', '1500.50'), ('2 340,00 тг', '2340.00'),
            ('1,234,567.89', '1234567.89'), ('1.234.567,89', '1234567.89'), ("1'000.5", '1000.50'), ('10', '10.00'),
            (1500.5, '1500.50'), (0.1 + 0.2, '0.30'), (4440.8, '4440.80'), (12, '12.00'), (Decimal('7.1'), '7.10'),
        ]
        for value, expected in cases:
            self.assertEqual(payment_parser.parse_amount(value), Decimal(expected), repr(value))

    def test_amounts_refused(self):
        for value in ('12,345', '1.005', 1500.555, 'сто', '', None, '1.2.3', '1,2,3', '.5', '-', 1e13, True):
            self.assertIsNone(payment_parser.parse_amount(value), repr(value))

    def test_dates(self):
        fmt = '%d.%m.%Y'
        self.assertEqual(payment_parser.parse_date('09.09.2025 14:23:36', fmt), datetime.date(2025, 9, 9))
        self.assertEqual(payment_parser.parse_date(datetime.datetime(2025, 9, 9, 23, 59), fmt),
                         datetime.date(2025, 9, 9))
        self.assertIsNone(payment_parser.parse_date('31.02.2025', fmt))
        self.assertIsNone(payment_parser.parse_date('2025-09-09', fmt))
        self.assertEqual(payment_parser.parse_date('2025-09-09', '%Y-%m-%d'), datetime.date(2025, 9, 9))

    def test_columns_by_letter_and_number(self):
        spec = dict(self.SPEC, columns={'account': 'B', 'amount': '3', 'date': 'a'})
        parsed = payment_parser.parse(b'd;acc;sum\n01.09.2025;42;5,5\n', spec)
        self.assertEqual([(line.account, line.amount, line.date) for line in parsed.lines],
                         [('42', Decimal('5.50'), datetime.date(2025, 9, 1))])

    def test_cp1251_tab_separated(self):
        spec = dict(self.SPEC, encoding='cp1251', delimiter='\\t')
        data = 'ЛС\tСумма\tДата\n12345\t100\t01.09.2025\nИтого\t100\t\n'.encode('cp1251')
        parsed = payment_parser.parse(data, spec)
        self.assertEqual([(line.line_number, line.account, line.amount) for line in parsed.lines],
                         [(2, '12345', Decimal('100.00'))])
        self.assertEqual(parsed.skipped, 1)

    def test_wrong_encoding_refused(self):
        with self.assertRaises(payment_parser.PaymentFileError) as caught:
            payment_parser.parse('ЛС;Сумма;Дата\n'.encode('cp1251'), self.SPEC)
        self.assertEqual(caught.exception.code, 'encoding')

    def test_line_numbers_count_quoted_newlines(self):
        data = 'ЛС;Сумма;Дата;Адрес\n1;1;01.09.2025;"two\nlines"\n2;2;01.09.2025;x\n'.encode('utf-8')
        parsed = payment_parser.parse(data, self.SPEC)
        self.assertEqual([line.line_number for line in parsed.lines], [2, 4])

    def test_header_found_below_title_lines(self):
        data = payment_files.kaspi_xlsx([[1, '01.09.2025', 'T1', '1', 'X', '', 5, 0]])
        spec = dict(self.SPEC, file_type='xlsx', header_row=0,
                    columns={'account': 'Лицевой счет', 'amount': 'Сумма', 'date': 'Дата платежа'})
        parsed = payment_parser.parse(data, spec)
        self.assertEqual(parsed.header_row, 4)
        self.assertEqual([line.line_number for line in parsed.lines], [5])

    def test_xlsx_with_wrong_sheet_size(self):
        """Exports that declare their sheet as A1 only are still read in full."""
        data = payment_files.kaspi_xlsx([[1, '01.09.2025', 'T1', '42', 'X', '', 5, 0]])
        source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
        with zipfile.ZipFile(out, 'w') as target:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == 'xl/worksheets/sheet1.xml':
                    content = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', content)
                target.writestr(item, content)
        spec = dict(self.SPEC, file_type='xlsx', header_row=0,
                    columns={'account': 'Лицевой счет', 'amount': 'Сумма', 'date': 'Дата платежа'})
        parsed = payment_parser.parse(out.getvalue(), spec)
        self.assertEqual([(line.line_number, line.account, line.amount) for line in parsed.lines],
                         [(5, '42', Decimal('5.00'))])
