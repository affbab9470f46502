"""Meter readings in bulk (RULES §14): the registry, each protocol reason, all-or-nothing, re-load safety, the
inspectors' reading sheet loaded back, the record rules."""
import base64
import datetime
import io
import os
import threading
from contextlib import contextmanager
from unittest.mock import patch

import psycopg2.pool

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import TransactionCase

from ..lib import file_parser
from ..models import neopro_reading_file
from .common import BillingCase, set_period_state, utility_day, utility_today

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')


def readings_csv(rows, header=('serial_number', 'date', 'value')):
    return ('\n'.join(';'.join(str(c) for c in row) for row in [header] + list(rows)) + '\n').encode('utf-8')


class TestReadingImport(BillingCase):
    period_start = '2023-03-01'

    @classmethod
    def setUpClass(cls):
        super(TestReadingImport, cls).setUpClass()
        env = cls.env
        cls.sub = cls._create_subscriber('R-1', 'Иванов Иван', premise=cls.flat45)
        cls.sub2 = cls._create_subscriber('R-2', 'Петров Петр', branch=cls.branch2, house=cls.house2)
        cls.m1 = cls._create_meter('RI-001', cls.sub, digits=5)
        cls.m2 = cls._create_meter('RI-002', cls.sub, service=cls.hot, digits=4)
        cls.m3 = cls._create_meter('RI-003', cls.sub2, digits=5)
        cls.m4 = cls._create_meter('RI-004', cls.sub2, service=cls.hot, digits=3)
        cls.m5 = cls._create_meter('RI-005', cls.sub2, service=cls.sewage, digits=5, removal_date='2023-04-20')
        for meter, value in ((cls.m1, 100.0), (cls.m2, 10.0), (cls.m3, 80.0), (cls.m4, 995.0), (cls.m5, 1.0)):
            cls._read(meter, '2023-03-05', value)
        # March 2023 closed, April open: a reading dated in March lies in a closed period
        set_period_state(cls.period, 'closed')
        cls.april = env['neopro.period'].create({'date_start': '2023-04-01', 'date_end': '2023-04-30'})
        cls._read(cls.m3, '2023-04-02', 81.0)
        cls.generic = env.ref('neopro_billing.reading_format_generic_csv')

    def _load(self, data, fmt=None, filename='readings.csv', env=None):
        env = env or self.env
        wizard = env['neopro.reading.import'].create({
            'format_id': (fmt or self.generic).id, 'data_file': base64.b64encode(data), 'filename': filename})
        action = wizard.action_import()
        self.assertEqual(action['res_model'], 'neopro.reading.file')
        return env['neopro.reading.file'].browse(action['res_id'])

    def _readings(self, meter):
        return [(r.date, r.value, r.source) for r in meter.reading_ids.sorted('date')]

    def test_generic_format_is_rules_one(self):
        spec = self.generic._get_parser_spec()
        self.assertEqual((spec['file_type'], spec['encoding'], spec['delimiter'], spec['header_row'],
                          spec['date_format']), ('csv', 'utf-8', ';', 1, '%d.%m.%Y'))
        self.assertEqual([spec['columns'][k] for k in ('serial', 'date', 'value')], ['serial_number', 'date', 'value'])

    def test_every_reason_and_registry(self):
        data = readings_csv([
            ('RI-001', '10.04.2023', '150,5'),        # 2 good
            ('RI-002', '10.04.2023', '10000'),        # 3 more digits than the counter (4)
            ('RI-404', '10.04.2023', '1'),            # 4 unknown meter
            ('RI-003', '10.04.2023', '50'),           # 5 lower than 81 of 02.04
            ('RI-004', '10.04.2023', '5'),            # 6 rollover past 999: good
            ('RI-001', '10.04.2023', '151'),          # 7 duplicate of line 2
            ('RI-005', '01.01.2099', '2'),            # 8 future
            ('RI-005', '15.02.2023', '2'),            # 9 before the first period
            ('RI-005', '31.02.2023', '2'),            # 10 bad date
            ('RI-005', '11.04.2023', 'abc'),          # 11 bad value
            ('RI-003', '02.04.2023', '81'),           # 12 loaded before
            ('RI-005', '10.03.2023', '2'),            # 13 closed period
            ('RI-005', '21.04.2023', '2'),            # 14 after the meter's removal
            ('', '11.04.2023', '2'),                  # 15 no serial
            ('RI-005', '12.04.2023', '1.0005'),       # 16 more than 3 decimals
        ])
        record = self._load(data)
        self.assertEqual((record.name, record.total_records, record.loaded_count, record.error_count),
                         ('readings.csv', 15, 2, 13))
        self.assertEqual(base64.b64decode(record.data_file), data)
        protocol = [(e.line_number, e.serial_number, e.reason, e.message) for e in record.error_ids]
        self.assertEqual(protocol, [
            (3, 'RI-002', 'digits', 'The reading 10000 has more digits than the counter (4)'),
            (4, 'RI-404', 'unknown_meter', 'Meter RI-404 not found'),
            (5, 'RI-003', 'lower', 'The reading 50 is lower than the previous reading 81 of 02.04.2023'),
            (7, 'RI-001', 'duplicate_line', 'Duplicate of line 2 (meter RI-001, 10.04.2023)'),
            (8, 'RI-005', 'date', 'The date 01.01.2099 is in the future; Meter RI-005 was removed on 20.04.2023'),
            (9, 'RI-005', 'date', 'The date 15.02.2023 is before the first billing period, which starts on '
                                  '01.03.2023'),
            (10, 'RI-005', 'date', 'Bad date "31.02.2023"'),
            (11, 'RI-005', 'value', 'Bad reading "abc"'),
            (12, 'RI-003', 'duplicate_earlier', 'The reading 81 of 02.04.2023 was loaded before'),
            (13, 'RI-005', 'closed_period', 'The date 10.03.2023 lies in the closed period %s, whose charges are '
                                            'final' % self.period.name),
            (14, 'RI-005', 'date', 'Meter RI-005 was removed on 20.04.2023'),
            (15, False, 'unknown_meter', 'No serial number'),
            (16, 'RI-005', 'value', 'Bad reading "1.0005"'),
        ])
        self.assertEqual(self._readings(self.m1),
                         [('2023-03-05', 100.0, 'subscriber'), ('2023-04-10', 150.5, 'remote')])
        self.assertEqual(self._readings(self.m4), [('2023-03-05', 995.0, 'subscriber'), ('2023-04-10', 5.0, 'remote')])
        self.assertEqual(record.reading_ids.mapped('meter_id'), self.m1 | self.m4)
        new = record.reading_ids.filtered(lambda r: r.meter_id == self.m4)
        # the stored related fields are filled as the ORM fills them, and the engine reads the consumption
        self.assertEqual((new.service_id, new.subscriber_id, new.branch_id, new.consumption, new.reading_file_id),
                         (self.hot, self.sub2, self.branch2, 10.0, record))

    def test_same_file_twice_refused(self):
        data = readings_csv([('RI-001', '10.04.2023', '120')])
        self._load(data)
        with self.assertRaisesRegex(UserError, 'This file was loaded already: "readings.csv"'):
            self._load(data)
        self.assertEqual(len(self.m1.reading_ids), 2)

    def test_same_readings_in_another_file_written_once(self):
        self._load(readings_csv([('RI-001', '10.04.2023', '120')]))
        record = self._load(readings_csv([('RI-001', '10.04.2023', '120'), ('RI-002', '10.04.2023', '11')]),
                            filename='again.csv')
        self.assertEqual((record.loaded_count, [(e.line_number, e.reason) for e in record.error_ids]),
                         (1, [(2, 'duplicate_earlier')]))
        self.assertEqual(len(self.m1.reading_ids), 2)

    def test_file_lines_in_date_order_checked_against_each_other(self):
        """Two readings of a meter in one file: the later one is checked against the earlier one of the file."""
        record = self._load(readings_csv([('RI-001', '20.04.2023', '130'), ('RI-001', '10.04.2023', '140')]))
        self.assertEqual([(e.line_number, e.reason) for e in record.error_ids], [(2, 'lower')])
        self.assertEqual(self._readings(self.m1)[-1], ('2023-04-10', 140.0, 'remote'))

    def test_higher_than_later_reading_refused(self):
        record = self._load(readings_csv([('RI-003', '01.04.2023', '90')]))
        self.assertEqual([e.message for e in record.error_ids],
                         ['The reading 90 is higher than the later reading 81 of 02.04.2023'])

    def test_day_with_a_reading_refused_whatever_follows(self):
        """A meter read that day already, with another value: refused as such, also when a later reading exists
        (the day's reading is found first, the later one is not what the line is told)."""
        self._read(self.m3, '2023-04-12', 85.0)
        record = self._load(readings_csv([('RI-003', '02.04.2023', '82,5'), ('RI-003', '12.04.2023', '85'),
                                          ('RI-003', '08.04.2023', '84')]))
        self.assertEqual([(e.line_number, e.reason, e.message) for e in record.error_ids], [
            (2, 'duplicate_earlier', 'Meter RI-003 has a reading of 02.04.2023 already: 81'),
            (3, 'duplicate_earlier', 'The reading 85 of 12.04.2023 was loaded before'),
        ])
        self.assertEqual(self._readings(self.m3)[-3:], [('2023-04-02', 81.0, 'subscriber'),
                                                        ('2023-04-08', 84.0, 'remote'),
                                                        ('2023-04-12', 85.0, 'subscriber')])

    def test_account_and_service_name_the_meter(self):
        data = readings_csv([('R-1', 'ХВС', '10.04.2023', '101', 'гадалка'),
                             ('R-1', 'hot_water', '10.04.2023', '12', 'Inspector'),
                             ('R-1', 'канализация', '10.04.2023', '1', '')],
                            header=('account_number', 'service', 'date', 'value', 'source'))
        record = self._load(data)
        self.assertEqual([(e.line_number, e.reason) for e in record.error_ids], [(2, 'source'), (4, 'unknown_meter')])
        self.assertEqual(self._readings(self.m2)[-1], ('2023-04-10', 12.0, 'inspector'))

    def test_account_without_service_names_its_only_meter(self):
        """A line with the ЛС and no service: the account's one meter; an account with two meters needs the
        service."""
        sub3 = self._create_subscriber('R-3', 'Сидоров Сидор', premise=self.flat45)
        m6 = self._create_meter('RI-006', sub3, digits=5)
        self._read(m6, '2023-04-02', 50.0)
        data = readings_csv([('R-3', '', '10.04.2023', '55', ''), ('R-1', '', '10.04.2023', '120', '')],
                            header=('account_number', 'service', 'date', 'value', 'source'))
        record = self._load(data)
        self.assertEqual([(e.line_number, e.reason, e.message) for e in record.error_ids],
                         [(3, 'unknown_meter', 'Account R-1 has no single meter of service ""')])
        self.assertEqual(self._readings(m6)[-1], ('2023-04-10', 55.0, 'remote'))

    def test_old_system_source_is_not_a_files(self):
        """The old system's source belongs to the go-live import: a file naming it (code or label) is refused
        line by line, and no reading format offers it as the default."""
        data = readings_csv([('RI-001', '10.04.2023', '120', 'migration'),
                             ('RI-003', '10.04.2023', '90', 'Old system')],
                            header=('serial_number', 'date', 'value', 'source'))
        record = self._load(data)
        self.assertEqual([(e.line_number, e.reason, e.message) for e in record.error_ids],
                         [(2, 'source', 'Unknown source "migration"'), (3, 'source', 'Unknown source "Old system"')])
        self.assertEqual(record.loaded_count, 0)
        self.assertNotIn('migration', dict(self.env['neopro.reading.format']._fields['source'].selection))

    def test_nothing_written_when_a_write_fails(self):
        """All or nothing: a failure while writing leaves no file, no reading, no protocol."""
        data = readings_csv([('RI-001', '10.04.2023', '120')])
        Errors = type(self.env['neopro.reading.file'])
        original = Errors._insert_errors

        def failing(self_, record, errors):
            raise ValueError('disk full')
        Errors._insert_errors = failing
        try:
            with self.assertRaisesRegex(ValueError, 'disk full'):
                self._load(data)
        finally:
            Errors._insert_errors = original
        self.assertFalse(self.env['neopro.reading.file'].search([('name', '=', 'readings.csv')]))
        self.assertEqual(len(self.m1.reading_ids), 1)

    def test_other_branch_meters_unknown_to_inspector(self):
        inspector = self._create_user('ri_inspector', ['group_inspector'], self.branch1)
        env = self.env(user=inspector)
        record = self._load(readings_csv([('RI-001', '10.04.2023', '120'), ('RI-003', '10.04.2023', '90')]), env=env)
        self.assertEqual([(e.line_number, e.reason) for e in record.error_ids], [(3, 'unknown_meter')])
        self.assertEqual(record.user_id, inspector)
        other = self._create_user('ri_other', ['group_inspector'], self.branch1)
        self.assertFalse(self.env(user=other)['neopro.reading.file'].search([('id', '=', record.id)]))
        employee = self._create_user('ri_employee', [])
        with self.assertRaises(AccessError):
            self.env(user=employee)['neopro.reading.file']._import_file(
                self.generic, readings_csv([('RI-001', '11.04.2023', '121')]), 'x.csv')

    def test_xlsx_format(self):
        import xlsxwriter
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {'in_memory': True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ['Показания АСКУЭР за апрель'])
        sheet.write_row(2, 0, ['Заводской номер', 'Дата показания', 'Показание'])
        sheet.write_row(3, 0, ['RI-001', '11.04.2023', 123.25])
        book.close()
        record = self._load(out.getvalue(), fmt=self.env.ref('neopro_billing.reading_format_generic_xlsx'),
                            filename='askuer.xlsx')
        self.assertEqual((record.loaded_count, record.error_count), (1, 0))
        self.assertEqual(self._readings(self.m1)[-1], ('2023-04-11', 123.25, 'remote'))

    def test_generic_csv_golden(self):
        with open(os.path.join(DATA, 'generic_readings.csv'), 'rb') as fh:
            parsed = self.generic._parse_file(fh.read())
        self.assertEqual([(line.line_number, line.serial, line.date and line.date.isoformat(), line.value and
                           str(line.value), line.errors) for line in parsed.lines], [
            (2, '0412345', '2025-10-25', '123.450', []),
            (3, 'СВ-15-778', '2025-10-25', '1204.000', []),
            (4, '0099812', '2025-10-26', None, [('value', '-3')]),
        ])


class TestReadingImportLineByLine(TestReadingImport):
    """Every test above again, the file read and written one line a chunk (RULES §14: the load is the same
    whatever the chunks: a meter's lines in date order, the protocol, all or nothing)."""

    def _load(self, data, fmt=None, filename='readings.csv', env=None):
        with patch.object(type(self.env['neopro.reading.file']), '_import_chunk_lines', 1):
            return super(TestReadingImportLineByLine, self)._load(data, fmt, filename, env)

    def test_chunk_going_back_in_a_meters_dates_checks_the_file_as_a_whole(self):
        """Line 2 (20.04) is written before line 3 (10.04) is read: the load starts again with the whole file,
        which checks the meter's lines in date order — as one chunk would."""
        Files = type(self.env['neopro.reading.file'])
        with patch.object(Files, '_load_file', autospec=True, side_effect=Files._load_file) as load:
            record = self._load(readings_csv([('RI-001', '20.04.2023', '130'), ('RI-001', '10.04.2023', '140'),
                                              ('RI-002', '10.04.2023', '11')]))
        self.assertEqual(load.call_count, 2)
        self.assertEqual([(e.line_number, e.reason) for e in record.error_ids], [(2, 'lower')])
        self.assertEqual((record.total_records, record.loaded_count, record.error_count), (3, 2, 1))
        self.assertEqual(self._readings(self.m1)[-1], ('2023-04-10', 140.0, 'remote'))
        self.assertEqual(len(self.env['neopro.reading.file'].search([('file_hash', '=', record.file_hash)])), 1)

    def test_meters_lines_in_date_order_across_chunks_in_one_pass(self):
        Files = type(self.env['neopro.reading.file'])
        with patch.object(Files, '_load_file', autospec=True, side_effect=Files._load_file) as load:
            record = self._load(readings_csv([('RI-001', '10.04.2023', '130'), ('RI-002', '10.04.2023', '11'),
                                              ('RI-001', '20.04.2023', '125'), ('RI-001', '25.04.2023', '140')]))
        self.assertEqual(load.call_count, 1)
        self.assertEqual([(e.line_number, e.message) for e in record.error_ids],
                         [(4, 'The reading 125 is lower than the previous reading 130 of 10.04.2023')])
        self.assertEqual([r[:2] for r in self._readings(self.m1)],
                         [('2023-03-05', 100.0), ('2023-04-10', 130.0), ('2023-04-25', 140.0)])

    def test_own_reading_of_an_earlier_chunk_is_a_duplicate_line(self):
        """A chunk's reading written already is the file's own: a later chunk's line for that meter and day is a
        duplicate of the line, not a reading "loaded before"."""
        with patch.object(type(self.env['neopro.reading.file']), '_import_chunk_lines', 1):
            record = self._load(readings_csv([('RI-001', '10.04.2023', '130'), ('RI-002', '10.04.2023', '11'),
                                              ('RI-001', '10.04.2023', '131'), ('RI-001', '12.04.2023', '129')]))
        self.assertEqual([(e.line_number, e.reason, e.message) for e in record.error_ids], [
            (4, 'duplicate_line', 'Duplicate of line 2 (meter RI-001, 10.04.2023)'),
            (5, 'lower', 'The reading 129 is lower than the previous reading 130 of 10.04.2023')])
        self.assertEqual(self._readings(self.m1), [('2023-03-05', 100.0, 'subscriber'),
                                                   ('2023-04-10', 130.0, 'remote')])

    def test_file_failing_in_a_later_chunk_leaves_nothing(self):
        data = readings_csv([('RI-001', '10.04.2023', '120'), ('RI-002', '10.04.2023', '11'),
                             ('RI-003', '10.04.2023', '90'), ('RI-004', '10.04.2023', '996')])
        with patch.object(file_parser, 'MAX_ROWS', 4):  # rows 2-4 written before row 5 is read
            with self.assertRaisesRegex(UserError, 'more than 4 rows'):
                self._load(data)
        self.env['neopro.meter.reading'].invalidate_cache()
        self.assertFalse(self.env['neopro.reading.file'].search([('name', '=', 'readings.csv')]))
        self.assertEqual([len(m.reading_ids) for m in (self.m1, self.m2, self.m3, self.m4)], [1, 1, 2, 1])


class TestReadingImportApart(TransactionCase):
    """A file loaded by a transaction that has written nothing yet (a request of the web client): the reader
    looks up each chunk's meters and readings on a connection of its own, with the protocol of a lookup on the
    request's own cursor. On the demo data, committed: each test in a fresh cursor, rolled back at the end, and
    the reader's connection back in the pool."""

    @contextmanager
    def _fresh_env(self, user=None):
        used = self._pool_in_use()
        cr = self.registry.cursor()
        try:
            env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
            yield env(user=user) if user else env
        finally:
            cr.rollback()
            cr.close()
        self.assertEqual(self._pool_in_use(), used, "the reader's cursor went back to the pool")

    @staticmethod
    def _pool_in_use():
        return len([1 for _cnx, used in sql_db._Pool._connections if used])

    @staticmethod
    def _recorder(env, calls):
        """``_ChunkLookup.look_up`` recording (thread name, on the request's cursor, lines) of each call."""
        original = neopro_reading_file._ChunkLookup.look_up

        def recording(lookup, cr, lines, file_id=None):
            calls.append((threading.current_thread().name, cr is env.cr, len(lines)))
            return original(lookup, cr, lines, file_id)
        return patch.object(neopro_reading_file._ChunkLookup, 'look_up', recording)

    @staticmethod
    def _demo_meters(env, before, visible=None):
        """``[(visible, serial, digits, last value, last date, ЛС, service code, meters of that ЛС and
        service)]`` of the demo's active meters whose last reading is dated before ``before``."""
        env.cr.execute("""
            SELECT m.id = ANY(%s), m.serial_number, m.digits, r.value, r.date, a.account_number, sv.code,
                   (SELECT count(*) FROM neopro_meter o
                     WHERE o.account_id = m.account_id AND o.service_id = m.service_id AND o.active)
              FROM neopro_meter m
              JOIN neopro_account a ON a.id = m.account_id
              JOIN neopro_service sv ON sv.id = m.service_id
              JOIN LATERAL (SELECT value, date FROM neopro_meter_reading WHERE meter_id = m.id
                             ORDER BY date DESC LIMIT 1) r ON TRUE
             WHERE m.active AND m.removal_date IS NULL AND r.date < %s AND r.value >= 1 AND m.digits >= 4
               AND (SELECT count(*) FROM neopro_meter o WHERE o.serial_number = m.serial_number) = 1
          ORDER BY m.id""", (visible or [], before))
        return env.cr.fetchall()

    def test_lookups_on_a_connection_of_their_own(self):
        """As the demo inspector, whose record rules hold on the reader's connection too: a meter of another
        branch is unknown to him."""
        today = utility_today()
        with self._fresh_env() as admin_env:
            inspector = admin_env.ref('neopro_billing.user_inspector_demo')
            visible = admin_env(user=inspector)['neopro.meter'].search([]).ids
            rows = self._demo_meters(admin_env, today, visible)
            meters = [row[1:5] for row in rows if row[0]][:3]
            hidden = [row[1] for row in rows if not row[0]][:1]
            self.assertEqual((len(meters), len(hidden)), (3, 1), "the demo data has meters read before today, in "
                                                                 "the inspector's branch and in another")
            (serial_a, _d, last_a, _date), (serial_b, _d, last_b, _date), (serial_c, _d, last_c, date_c) = meters
            day = '.'.join(reversed(today.split('-')))
            data = readings_csv([(serial_a, day, '%.3f' % (last_a + 5)), (serial_b, day, '%.3f' % (last_b - 0.5)),
                                 ('NO-SUCH-METER-1', day, '1'), (hidden[0], day, '99999')])
            env = admin_env(user=inspector)
            Files, generic = env['neopro.reading.file'], env.ref('neopro_billing.reading_format_generic_csv')
            self.assertTrue(Files._can_look_up_apart())
            calls = []
            with self._recorder(env, calls), patch.object(type(Files), '_import_chunk_lines', 1):
                record = Files._import_file(generic, data, 'apart.csv')
            # every chunk looked up by the reader, on its own cursor
            self.assertEqual(calls, [('neopro-file-reader', False, 1)] * 4)
            self.assertEqual([(e.line_number, e.reason, e.serial_number) for e in record.error_ids], [
                (3, 'lower', serial_b), (4, 'unknown_meter', 'NO-SUCH-METER-1'), (5, 'unknown_meter', hidden[0])])
            self.assertEqual((record.total_records, record.loaded_count, record.user_id), (4, 1, inspector))
            self.assertEqual([(r.meter_id.serial_number, r.date, r.value) for r in record.reading_ids],
                             [(serial_a, today, last_a + 5)])
            # this transaction has written now: the next file is looked up on its own cursor, with the same rules
            self.assertFalse(Files._can_look_up_apart())
            calls.clear()
            with self._recorder(env, calls):
                again = Files._import_file(generic, readings_csv([
                    (serial_a, day, '%.3f' % (last_a + 6)), (serial_c, day, '%.3f' % (last_c - 0.5))]), 'own.csv')
            self.assertEqual(calls, [(threading.current_thread().name, True, 2)])
            number = neopro_reading_file._number
            self.assertEqual([(e.line_number, e.reason, e.message) for e in again.error_ids], [
                (2, 'duplicate_earlier', 'Meter %s has a reading of %s already: %s'
                 % (serial_a, day, number(last_a + 5))),
                (3, 'lower', 'The reading %.3f is lower than the previous reading %s of %s' % (
                    last_c - 0.5, number(last_c), '.'.join(reversed(date_c.split('-')))))])

    def test_a_meters_lines_across_chunks_and_by_account(self):
        """The reader's connection does not see the chunks the request wrote: a meter's lines in later chunks are
        checked against its earlier ones all the same (lower, the same day), and a line by ЛС and service finds its
        meter there too; a chunk going back in a meter's dates loads the whole file again, looked up by the request.
        Dated in the open period, its 2nd to 4th days."""
        with self._fresh_env() as env:
            period = env['neopro.period']._get_open_period()
            start = fields.Date.from_string(period.date_start)
            days = [(start + datetime.timedelta(days=n)).strftime('%d.%m.%Y') for n in range(4)]
            rows = [row for row in self._demo_meters(env, period.date_start) if row[7] == 1]
            self.assertGreaterEqual(len(rows), 2, 'the demo data has meters read before the open period')
            serial_a, last_a = rows[0][1], rows[0][3]
            serial_b, last_b, account_b, code_b = rows[1][1], rows[1][3], rows[1][5], rows[1][6]
            header = ('serial_number', 'account_number', 'service', 'date', 'value')
            data = readings_csv([
                (serial_a, '', '', days[1], '%.3f' % (last_a + 1)),
                (serial_a, '', '', days[2], '%.3f' % (last_a + 0.5)),  # lower than the line before
                (serial_a, '', '', days[3], '%.3f' % (last_a + 2)),
                (serial_a, '', '', days[3], '%.3f' % (last_a + 3)),  # the same day again
                ('', account_b, code_b, days[2], '%.3f' % (last_b + 1)),
            ], header=header)
            Files, generic = env['neopro.reading.file'], env.ref('neopro_billing.reading_format_generic_csv')
            calls = []
            with self._recorder(env, calls), patch.object(type(Files), '_import_chunk_lines', 1), \
                    utility_day(fields.Date.to_string(start + datetime.timedelta(days=5))):
                record = Files._import_file(generic, data, 'across.csv')
            self.assertEqual(calls, [('neopro-file-reader', False, 1)] * 5)
            self.assertEqual([(e.line_number, e.reason) for e in record.error_ids],
                             [(3, 'lower'), (5, 'duplicate_line')])
            self.assertEqual(sorted((r.meter_id.serial_number, r.date) for r in record.reading_ids), sorted([
                (serial_a, fields.Date.to_string(start + datetime.timedelta(days=1))),
                (serial_a, fields.Date.to_string(start + datetime.timedelta(days=3))),
                (serial_b, fields.Date.to_string(start + datetime.timedelta(days=2)))]))

        with self._fresh_env() as env:  # the same meter going back in its dates from a chunk to the next
            Files, generic = env['neopro.reading.file'], env.ref('neopro_billing.reading_format_generic_csv')
            data = readings_csv([(serial_a, days[3], '%.3f' % (last_a + 2)),
                                 (serial_a, days[1], '%.3f' % (last_a + 3))])
            calls = []
            Model = type(Files)
            with self._recorder(env, calls), patch.object(Model, '_import_chunk_lines', 1), \
                    patch.object(Model, '_load_file', autospec=True, side_effect=Model._load_file) as load, \
                    utility_day(fields.Date.to_string(start + datetime.timedelta(days=5))):
                record = Files._import_file(generic, data, 'back.csv')
            self.assertEqual(load.call_count, 2)
            self.assertEqual(calls[0], ('neopro-file-reader', False, 1))
            self.assertEqual(calls[-1], (threading.current_thread().name, True, 2))  # the whole file, here
            self.assertEqual([(e.line_number, e.reason) for e in record.error_ids], [(2, 'lower')])
            self.assertEqual([(r.date, r.value) for r in record.reading_ids],
                             [(fields.Date.to_string(start + datetime.timedelta(days=1)), last_a + 3)])

    def test_no_connection_of_their_own_to_be_had(self):
        """The connection pool full: the request looks every chunk up itself, and the file loads the same."""
        with self._fresh_env() as env:
            Files = env['neopro.reading.file']
            self.assertTrue(Files._can_look_up_apart())
            today = utility_today()
            serial, last = self._demo_meters(env, today)[0][1:4:2]
            day = '.'.join(reversed(today.split('-')))
            data = readings_csv([(serial, day, '%.3f' % (last - 0.5)), ('NO-SUCH-METER-2', day, '1')])
            calls = []
            with patch.object(type(self.registry), 'cursor', side_effect=psycopg2.pool.PoolError('full')), \
                    self._recorder(env, calls), patch.object(type(Files), '_import_chunk_lines', 1):
                record = Files._import_file(env.ref('neopro_billing.reading_format_generic_csv'), data, 'full.csv')
            self.assertEqual(calls, [(threading.current_thread().name, True, 1)] * 2)
            self.assertEqual([(e.line_number, e.reason) for e in record.error_ids],
                             [(2, 'lower'), (3, 'unknown_meter')])

    def test_meter_made_after_the_request_began(self):
        """A meter committed after the request's first statement: the reader's newer snapshot finds it, the
        write's foreign key (the request's snapshot) does not — the file is loaded again, looked up by the request,
        and the line is an unknown meter, not a failed load."""
        serial = 'APART-RACE'
        self._remove_meter(serial)  # left by a run killed half-way
        with self._fresh_env() as env:
            env.cr.execute('SELECT 1')  # the request's snapshot, taken now
            with self.registry.cursor() as other:  # commits: the meter is removed again below
                other_env = api.Environment(other, SUPERUSER_ID, {})
                subscriber = other_env.ref('neopro_billing.subscriber_12345_demo')
                other_env['neopro.meter'].create({
                    'serial_number': serial, 'subscriber_id': subscriber.id, 'digits': 5,
                    'service_id': other_env.ref('neopro_billing.service_cold_water').id})
            try:
                Files, generic = env['neopro.reading.file'], env.ref('neopro_billing.reading_format_generic_csv')
                day = '.'.join(reversed(utility_today().split('-')))
                Model, calls = type(Files), []
                with patch.object(Model, '_load_file', autospec=True, side_effect=Model._load_file) as load, \
                        self._recorder(env, calls):
                    record = Files._import_file(generic, readings_csv([(serial, day, '12')]), 'race.csv')
                self.assertEqual(load.call_count, 2)
                # looked up by the reader (which found the meter), then the whole file by the request
                self.assertEqual(calls, [('neopro-file-reader', False, 1), (threading.current_thread().name, True, 1)])
                self.assertEqual([(e.line_number, e.reason, e.message) for e in record.error_ids],
                                 [(2, 'unknown_meter', 'Meter %s not found' % serial)])
                self.assertEqual(record.loaded_count, 0)
            finally:
                self._remove_meter(serial)

    def _remove_meter(self, serial):
        with self.registry.cursor() as other:  # commits
            api.Environment(other, SUPERUSER_ID, {})['neopro.meter'].with_context(active_test=False).search(
                [('serial_number', '=', serial)]).unlink()


class TestReadingSheet(BillingCase):
    """The inspectors' sheet: made by route, filled in, loaded back unchanged."""

    @classmethod
    def setUpClass(cls):
        super(TestReadingSheet, cls).setUpClass()
        env = cls.env
        cls.inspector = env['neopro.inspector'].create({'name': 'Контролер Сидоров', 'branch_id': cls.branch1.id})
        cls.sub = cls._create_subscriber('RS-1', 'Иванов Иван', premise=cls.flat45, inspector_id=cls.inspector.id)
        cls.sub2 = cls._create_subscriber('RS-2', 'Петров Петр', branch=cls.branch2, house=cls.house2)
        cls.m1 = cls._create_meter('RS-001', cls.sub, location='Ванная')
        cls.m2 = cls._create_meter('RS-002', cls.sub, service=cls.hot, location='Кухня')
        cls.m3 = cls._create_meter('RS-003', cls.sub2)
        cls._read(cls.m1, '2023-03-05', 100.5)

    def _sheet(self, **route):
        wizard = self.env['neopro.reading.sheet'].create(route)
        wizard.action_make_sheet()
        return wizard

    def test_route_by_inspector_filled_and_loaded_back(self):
        import openpyxl
        wizard = self._sheet(inspector_id=self.inspector.id)
        self.assertEqual(wizard.meter_count, 2)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.sheet_file)))
        sheet = book.active
        self.assertEqual([c.value for c in sheet[4]], [
            'No.', 'Account number', 'Address', 'Owner', 'Service', 'Serial number', 'Place of installation',
            'Previous reading', 'Previous reading date', 'Reading date', 'New reading'])
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
        self.assertEqual([(r[1], r[5], r[6], r[7], r[8] and r[8].date().isoformat(), r[9], r[10]) for r in rows], [
            ('RS-1', 'RS-001', 'Ванная', 100.5, '2023-03-05', None, None),
            ('RS-1', 'RS-002', 'Кухня', 0, None, None, None),
        ])
        self.assertEqual(rows[0][2], self.sub.address)
        # the inspector fills the first meter only, with a date
        sheet.cell(row=5, column=10).value = '20.03.2023'
        sheet.cell(row=5, column=11).value = 112.75
        out = io.BytesIO()
        book.save(out)
        wizard = self.env['neopro.reading.import'].create({
            'format_id': self.env.ref('neopro_billing.reading_format_sheet_xlsx').id,
            'data_file': base64.b64encode(out.getvalue()), 'filename': 'route.xlsx'})
        record = self.env['neopro.reading.file'].browse(wizard.action_import()['res_id'])
        self.assertEqual((record.total_records, record.loaded_count, record.error_count), (1, 1, 0))
        self.assertEqual([(r.date, r.value, r.source) for r in self.m1.reading_ids.sorted('date')],
                         [('2023-03-05', 100.5, 'subscriber'), ('2023-03-20', 112.75, 'inspector')])
        self.assertFalse(self.m2.reading_ids)

    def test_routes(self):
        self.assertEqual(self._sheet(branch_id=self.branch2.id).meter_count, 1)
        self.assertEqual(self._sheet(house_id=self.house.id).meter_count, 2)
        self.assertEqual(self._sheet(street_id=self.street.id).meter_count, 3)
        with self.assertRaisesRegex(UserError, 'No meter in service'):
            self._sheet(house_id=self.env['neopro.house'].create({'street_id': self.street.id, 'number': '99'}).id)
