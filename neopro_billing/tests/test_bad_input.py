"""Malformed input never crashes and never writes half (issue 6): the payment import and the reading entry.

Whole-file problems refuse the file with a message naming the format and the reason, and nothing is written;
line problems reject the line into the load protocol (line, account, reason) and the good lines are booked.
"""
import os

from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from .common_payment import NeoproPaymentCase
from .payment_files import generic_csv


class TestBadPaymentFiles(NeoproPaymentCase):

    @classmethod
    def setUpClass(cls):
        super(TestBadPaymentFiles, cls).setUpClass()
        cls.halyk = cls.env['res.bank'].create({'name': 'Bad input bank', 'neopro_payment_format_id': cls.generic.id})

    def _counts(self):
        return (self.env['neopro.payment.file'].search_count([]),
                self.env['neopro.operation'].search_count([('operation_type', '=', 'payment')]),
                self.env['neopro.payment.file.error'].search_count([]))

    def _refused(self, bank, data, pattern, payment_format=None):
        before = self._counts()
        with self.assertRaisesRegex(UserError, pattern):
            self._import(bank, data, 'bad.file', payment_format=payment_format)
        self.assertEqual(self._counts(), before, 'nothing is written for a refused file')

    def test_whole_file_problems(self):
        junk = os.urandom(10 * 1024 * 1024)  # 10 MB of junk
        self._refused(self.kaspi, b'', 'Format .*: the file cannot be read|empty|no lines')
        self._refused(self.kaspi, junk, 'Format Kaspi Bank registry \\(XLSX\\): the file cannot be read')
        self._refused(self.kazpost, junk, 'Format Kazpost registry \\(XLS\\): the file cannot be read')
        self._refused(self.halyk, junk, 'Format Generic CSV: the file is not a text file in encoding')
        self._refused(self.halyk, self._kaspi_file(), 'Format Generic CSV')  # an XLSX given as CSV
        self._refused(self.halyk, generic_csv([['12345', 'Фролов', '10', '11.09.2025']],
                                              header=['account', 'name', 'sum', 'day']),
                      'the column titles were not found')

    def test_line_problems_go_to_the_protocol(self):
        rows = [
            ['12345', 'Фролов Степан', '100,00', '11.09.2025', 'B-1'],              # good
            ['12345', 'Фролов Степан', '99999999999999999999', '11.09.2025', 'B-2'],  # huge
            ['12345', 'Фролов Степан', '-50', '11.09.2025', 'B-3'],                  # negative
            ['12345', 'Фролов Степан', '12abc', '11.09.2025', 'B-4'],                # text in a number
            ['12345', 'Фролов Степан', '10,001', '11.09.2025', 'B-5'],               # tiyn fractions
            ['12345', 'Фролов Степан', '10', '31.02.2025', 'B-6'],                   # no such day
            ['12345', 'Фролов Степан', '10', '2025/13/01', 'B-7'],                   # not a date
            ['=CMD()', '=HYPERLINK("x")', '10', '11.09.2025', 'B-8'],                # formula-like account
            ['5555', '=CMD()|calc', '25,50', '11.09.2025', 'B-9'],                  # formula-like payer: text
        ]
        payment_file = self._import(self.halyk, generic_csv(rows), 'mixed.csv')
        self.assertEqual([(line, account, reason) for line, account, _payer, reason in self._protocol(payment_file)], [
            (3, '12345', 'amount'), (4, '12345', 'amount'), (5, '12345', 'amount'), (6, '12345', 'amount'),
            (7, '12345', 'date'), (8, '12345', 'date'), (9, '=CMD()', 'account_not_found'),
        ])
        self.assertEqual((payment_file.loaded_count, payment_file.loaded_amount), (2, 125.5))
        payer = payment_file.operation_ids.filtered(lambda op: op.account_number == '5555').payer_name
        self.assertEqual(payer, '=CMD()|calc')  # kept as plain text, never evaluated


class TestBadReadings(NeoproPaymentCase):

    @classmethod
    def setUpClass(cls):
        super(TestBadReadings, cls).setUpClass()
        cls.meter = cls._create_meter('BAD-M', cls.frolov, digits=5)
        cls.Reading = cls.env['neopro.meter.reading']
        cls.Reading.create({'meter_id': cls.meter.id, 'date': '2025-08-28', 'value': 500})

    def _refused(self, vals, error=ValidationError, pattern=''):
        before = self.Reading.search_count([])
        with self.assertRaisesRegex(error, pattern), mute_logger('odoo.sql_db'):
            with self.env.cr.savepoint():
                self.Reading.create(dict({'meter_id': self.meter.id, 'date': '2025-09-20'}, **vals))
        self.assertEqual(self.Reading.search_count([]), before)

    def test_malformed_readings_refused(self):
        import psycopg2
        self._refused({'value': -5}, psycopg2.IntegrityError, 'value_positive')
        self._refused({'value': 10 ** 7}, ValidationError, 'more digits than the counter')
        self._refused({'value': 499}, ValidationError, 'lower than the previous reading 500')
        self._refused({'value': 'abc'}, ValueError, 'could not convert|abc')
        self._refused({'value': 510, 'date': 'yesterday'}, ValidationError, '"yesterday" is not a date')

    def test_current_reading_cell_refuses_lower_value(self):
        self.meter.invalidate_cache()
        with self.assertRaisesRegex(ValidationError, 'lower than the previous reading'):
            with self.env.cr.savepoint():
                self.meter.current_value = 100
        self.assertEqual(self.Reading.search_count([('meter_id', '=', self.meter.id)]), 1)
