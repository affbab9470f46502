"""Go-live import (RULES §14): the template round trip, every kind of problem by sheet / row / column, all or
nothing, a second load changes nothing, administrators only."""
import base64
import io

from odoo.exceptions import AccessError

from ..lib import kz_id
from .common import BillingCase, set_period_state


def make_bin(first_eleven):
    return first_eleven + str(kz_id.check_digit(first_eleven))


class TestGoliveImport(BillingCase):
    period_start = '2016-01-01'

    @classmethod
    def setUpClass(cls):
        super(TestGoliveImport, cls).setUpClass()
        cls._release_account_numbers('GL-1', 'GL-2', 'GL-C1', 'GL-C0', 'GL-S0')
        cls.bin = make_bin('98012340000')
        cls.taken = cls._create_contract('GL-C0')  # a contract's ЛС, taken for a subscriber row
        cls.old = cls._create_subscriber('GL-S0', 'Старый Абонент')

    def _template(self):
        import openpyxl
        wizard = self.env['neopro.golive.import'].create({})
        wizard.action_download_template()
        self.assertEqual(wizard.template_filename, 'golive_template.xlsx')
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.template_file)))

    def _workbook(self, subscribers=(), legal=(), meters=(), balances=()):
        """The shipped template filled with rows (values in the order of the template's columns)."""
        book = self._template()
        for name, rows in (('Абоненты', subscribers), ('Юрлица', legal), ('Счетчики', meters),
                           ('Сальдо', balances)):
            for row in rows:
                book[name].append(list(row))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def _run(self, data, load=False, env=None):
        wizard = (env or self.env)['neopro.golive.import'].create({'data_file': base64.b64encode(data),
                                                                   'filename': 'golive.xlsx'})
        wizard.action_check()
        if load and wizard.state == 'checked':
            wizard.action_load()
        return wizard

    def _good_file(self):
        return self._workbook(
            subscribers=[
                ['GL-1', 'Иванов', 'Иван', 'Иванович', 'T1', 'TBS', 3, 'Новоград', 'Речная', '7', '12',
                 'cold_water, sewage'],
                ['GL-2', 'Петрова', 'Анна', None, 'Test branch 2', 'Test residents', 1, 'Testgrad', 'Test street', '2',
                 '45', None],
            ],
            legal=[
                ['GL-C1', self.bin, 'ТОО Водопользователь', 'Д-17', 'T1', 'TLE', 'Котельная', 'cold_water', 'GLM-3',
                 None],
                ['GL-C1', self.bin, 'ТОО Водопользователь', 'Д-17', 'T1', 'TLE', 'Склад', 'sewage', None, 12.5],
            ],
            meters=[
                ['GLM-1', 'cold_water', None, 'GL-1', '01.06.2014', 123.456, '31.12.2015', '01.06.2014', 5],
                ['GLM-3', 'cold_water', None, 'GL-C1', '01.02.2015', 4567, '30.12.2015', None, 6],
            ],
            balances=[['GL-1', '1 500,50'], ['GL-2', -200], ['GL-C1', 98765.43]],
        )

    def _counts(self):
        return (self.env['neopro.account'].search_count([('account_number', 'in', ['GL-1', 'GL-2', 'GL-C1'])]),
                self.env['neopro.meter'].search_count([('serial_number', 'in', ['GLM-1', 'GLM-3'])]),
                self.env['neopro.meter.reading'].search_count([('meter_id.serial_number', 'in', ['GLM-1', 'GLM-3'])]),
                self.env['neopro.balance'].search_count([('account_id.account_number', 'in',
                                                          ['GL-1', 'GL-2', 'GL-C1'])]),
                self.env['neopro.metering.point'].search_count([('contract_id.account_number', '=', 'GL-C1')]),
                self.env['res.partner'].search_count([('neopro_bin', '=', self.bin)]),
                self.env['neopro.city'].search_count([('name', '=', 'Новоград')]))

    # the tables the import writes to: a second load of the same file adds no row to any of them
    TABLES = ('neopro_account', 'neopro_subscriber', 'neopro_contract', 'neopro_metering_point', 'neopro_meter',
              'neopro_meter_reading', 'neopro_balance', 'neopro_service_connection', 'neopro_city', 'neopro_street',
              'neopro_house', 'neopro_premise', 'res_partner', 'mail_message')

    def _table_counts(self):
        counts = {}
        for table in self.TABLES:
            self.env.cr.execute('SELECT count(*), max(write_date) FROM "%s"' % table)
            counts[table] = self.env.cr.fetchone()
        return counts

    def _assert_stored_as_computed(self, records, names):
        """The stored computed fields the loader wrote are what the model's compute methods give."""
        records.invalidate_cache()
        written = records.read(names)
        for name in names:
            records._recompute_todo(records._fields[name])
        records.recompute()
        records.invalidate_cache()
        self.assertEqual(records.read(names), written, '%s: %s' % (records._name, names))

    def test_template_sheets(self):
        book = self._template()
        self.assertEqual(book.sheetnames[1:], ['Абоненты', 'Юрлица', 'Счетчики', 'Сальдо'])
        self.assertEqual([c.value for c in book['Сальдо'][1]], ['ЛС', 'Сумма'])
        self.assertEqual([c.value for c in book['Абоненты'][1]][:6],
                         ['ЛС', 'Фамилия', 'Имя', 'Отчество', 'Участок', 'Категория'])

    def test_round_trip(self):
        data = self._good_file()
        wizard = self._run(data)
        self.assertEqual(wizard.state, 'checked', wizard.protocol)
        self.assertEqual(wizard.problem_count, 0)
        self.assertEqual(self._counts(), (0, 0, 0, 0, 0, 0, 0), 'the dry run writes nothing')
        wizard.action_load()
        self.assertEqual(wizard.state, 'done', wizard.protocol)
        self.assertIn('Sheet "Абоненты": 2 rows, 2 new, 0 loaded before.', wizard.protocol)
        self.assertEqual(self._counts(), (3, 2, 2, 3, 2, 1, 1))

        sub1 = self.env['neopro.subscriber'].search([('account_number', '=', 'GL-1')])
        self.assertEqual((sub1.name, sub1.branch_id, sub1.category_id, sub1.residents),
                         ('Иванов Иван Иванович', self.branch1, self.category, 3))
        self.assertEqual((sub1.premise_id.number, sub1.house_id.number, sub1.house_id.street_id.name,
                          sub1.house_id.city_id.name, sub1.house_id.branch_id),
                         ('12', '7', 'Речная', 'Новоград', self.branch1))
        self.assertEqual(sub1.service_ids, self.cold | self.sewage)
        sub2 = self.env['neopro.subscriber'].search([('account_number', '=', 'GL-2')])
        self.assertEqual((sub2.name, sub2.branch_id, sub2.premise_id), ('Петрова Анна', self.branch2, self.flat45))

        contract = self.env['neopro.contract'].search([('account_number', '=', 'GL-C1')])
        self.assertEqual((contract.name, contract.partner_id.name, contract.partner_id.neopro_bin,
                          contract.branch_id, contract.category_id),
                         ('Д-17', 'ТОО Водопользователь', self.bin, self.branch1, self.legal_category))
        cold_point = contract.metering_point_ids.filtered(lambda p: p.service_id == self.cold)
        sewage_point = contract.metering_point_ids.filtered(lambda p: p.service_id == self.sewage)
        self.assertEqual(cold_point.meter_id.serial_number, 'GLM-3')
        self.assertEqual((sewage_point.volume, sewage_point.meter_id.id), (12.5, False))

        meter1 = sub1.meter_ids
        self.assertEqual((meter1.serial_number, meter1.service_id, meter1.installation_date, meter1.verification_date,
                          meter1.digits), ('GLM-1', self.cold, '2014-06-01', '2014-06-01', 5))
        self.assertEqual([(r.date, r.value) for r in meter1.reading_ids], [('2015-12-31', 123.456)])
        meter3 = cold_point.meter_id
        self.assertEqual((meter3.account_id, meter3.digits), (contract.account_id, 6))
        self.assertEqual([(r.date, r.value) for r in meter3.reading_ids], [('2015-12-30', 4567.0)])

        for account, amount in (('GL-1', 1500.50), ('GL-2', -200.0), ('GL-C1', 98765.43)):
            balance = self.env['neopro.balance'].search([('account_id.account_number', '=', account)])
            self.assertEqual((balance.period_id, balance.balance_start, balance.amount_charged, balance.balance_end),
                             (self.period, amount, 0.0, amount))
        self.assertEqual((sub1.balance_start, sub1.balance_end, sub2.balance_end, contract.balance_end),
                         (1500.50, 1500.50, -200.0, 98765.43))

        # what the loader wrote set-based is what the ORM gives: the holder fields, addresses, owners, counts
        self.assertEqual((sub1.account_id.holder_name, sub1.account_id.payer_name, sub1.account_id.holder_address,
                          sub1.account_id.holder_active, sub1.address),
                         ('Иванов Иван Иванович', 'Иванов Иван Иванович', 'Новоград, Речная, 7, 12', True,
                          'Новоград, Речная, 7, 12'))
        self.assertEqual((sub2.address, sub2.house_id, sub1.meter_count, sub2.meter_count),
                         (self.flat45.full_address, self.house, 1, 0))
        self.assertEqual((meter1.account_id, meter1.branch_id, meter1.owner_name, meter1.address,
                          meter1.next_verification_date, meter1.verification_interval, meter1.active),
                         (sub1.account_id, self.branch1, 'Иванов Иван Иванович', 'Новоград, Речная, 7, 12',
                          '2018-06-01', 48, True))
        self.assertEqual((meter3.contract_id, meter3.branch_id, meter3.owner_name, cold_point.meter_id),
                         (contract, self.branch1, 'ТОО Водопользователь', meter3))
        reading1 = meter1.reading_ids
        self.assertEqual((reading1.service_id, reading1.subscriber_id, reading1.branch_id, reading1.source),
                         (self.cold, sub1, self.branch1, 'migration'))
        subscribers = sub1 | sub2
        self._assert_stored_as_computed(subscribers.mapped('account_id'), [
            'holder_name', 'payer_name', 'holder_address', 'holder_active', 'holder_partner_id'])
        self._assert_stored_as_computed(subscribers, ['name', 'address', 'meter_count'])
        self._assert_stored_as_computed(sub1.house_id, ['city_id', 'full_address'])
        self._assert_stored_as_computed(sub1.premise_id, ['full_address'])
        self._assert_stored_as_computed(sub1.connection_ids, ['branch_id'])
        self._assert_stored_as_computed(meter1 | meter3, ['contract_id', 'account_id', 'branch_id', 'owner_name',
                                                          'address', 'next_verification_date'])
        self._assert_stored_as_computed(meter1.reading_ids | meter3.reading_ids,
                                        ['service_id', 'subscriber_id', 'branch_id'])
        self.assertEqual((cold_point.name, cold_point.branch_id, sewage_point.name),
                         ('Котельная', self.branch1, 'Склад'))
        self._assert_stored_as_computed(contract.metering_point_ids, ['meter_id', 'branch_id', 'address'])
        self._assert_stored_as_computed(contract.account_id, ['holder_name', 'payer_name', 'holder_address',
                                                              'holder_active', 'holder_partner_id'])
        self.assertEqual(len(contract.message_ids), 1)
        partner = contract.partner_id
        self.assertEqual((partner.is_company, partner.neopro_is_contractor, partner.neopro_branch_id,
                          partner.commercial_partner_id, partner.display_name, partner.active, partner.customer),
                         (True, True, self.branch1, partner, 'ТОО Водопользователь', True, True))
        self.assertEqual((contract.state, contract.active, contract.account_id.holder_name,
                          contract.account_id.holder_type), ('active', True, 'ТОО Водопользователь № Д-17', 'contract'))
        # the first line of the chatter, as a record made on the screen has it
        self.assertEqual([(m.body, m.author_id) for m in sub1.message_ids],
                         [('<p>New record: %s</p>' % self.env['ir.model']._get('neopro.subscriber').name,
                           self.env.user.partner_id)])
        self.assertEqual(len(meter1.message_ids), 1)

        # the same file again: checked clean, loads, changes nothing
        before = self._table_counts()
        again = self._run(data, load=True)
        self.assertEqual(again.state, 'done', again.protocol)
        self.assertIn('Sheet "Абоненты": 2 rows, 0 new, 2 loaded before.', again.protocol)
        self.assertIn('Sheet "Юрлица": 2 rows, 0 new, 2 loaded before.', again.protocol)
        self.assertIn('Sheet "Счетчики": 2 rows, 0 new, 2 loaded before.', again.protocol)
        self.assertIn('Sheet "Сальдо": 3 rows, 0 new, 3 loaded before.', again.protocol)
        self.assertEqual(self._counts(), (3, 2, 2, 3, 2, 1, 1))
        self.assertEqual(self._table_counts(), before, 'a second load writes nothing')
        self.assertEqual(contract.balance_end, 98765.43)

        # a conflicting row on a second load is refused in the dry run, and nothing of that file is written
        conflict = self._workbook(
            subscribers=[['GL-1', 'Сидоров', 'Иван', 'Иванович', 'T1', 'TBS', 3, 'Новоград', 'Речная', '7', '12',
                          None]],
            meters=[['GLM-1', 'cold_water', None, 'GL-1', '01.06.2014', 130, '31.01.2016', '01.06.2014', 5],
                    ['GLM-3', 'cold_water', None, 'GL-1', None, None, None, None, None]],
            balances=[['GL-2', 300]])
        wizard = self._run(conflict)
        self.assertEqual(wizard.state, 'failed')
        problems = wizard.protocol.split('\n')
        self.assertIn('Sheet "Абоненты", row 2, column "ЛС": the account GL-1 exists already with other data '
                      '(Фамилия); the import does not change it.', problems)
        self.assertIn('Sheet "Сальдо", row 2, column "Сумма": the account GL-2 has the opening balance -200.00 in '
                      '%s already.' % self.period.name, problems)
        self.assertIn('Sheet "Счетчики", row 2, column "Показание": the meter GLM-1 exists already without the '
                      'reading of 2016-01-31; the import does not change it.', problems)
        self.assertIn('Sheet "Счетчики", row 3, column "Заводской №": the meter GLM-3 belongs to another account '
                      'already.', problems)
        self.assertEqual(wizard.problem_count, 4, wizard.protocol)
        self.assertEqual(sub1.name, 'Иванов Иван Иванович')

    def test_problems(self):
        """Each kind of problem, by sheet, row and column; all or nothing: the good rows are not written either."""
        bad_bin = self.bin[:11] + str((int(self.bin[11]) + 1) % 10)
        data = self._workbook(
            subscribers=[
                ['GL-C0', 'Иванов', 'Иван', None, 'T1', 'TBS', 1, None, None, None, None, None],
                ['GL-1', 'Иванов', None, None, 'ZZ', 'TBS', 1, None, None, None, None, None],
                ['GL-2', 'Петров', None, None, 'T1', 'TBS', 'abc', 'Testgrad', None, '5', None, 'gas'],
                ['GL-1', 'Повтор', None, None, 'T1', 'TBS', 1, None, None, None, None, None],
            ],
            legal=[['GL-C1', bad_bin, 'ТОО Ошибка', 'Д-1', 'T1', 'TLE', None, 'cold_water', None, None]],
            meters=[
                ['GLM-1', 'cold_water', None, 'GL-S0', None, 5, '32.12.2015', None, None],
                ['GLM-2', 'cold_water', None, 'GL-404', None, None, None, None, None],
                ['GLM-5', 'cold_water', None, 'GL-C0', None, None, None, None, None],
                ['GLM-6', 'hot_water', None, 'GL-S0', None, 12345, '31.12.2015', None, 3],
            ],
            balances=[['GL-C0', '12.345'], ['GL-404', 10], ['GL-C0', 1]],
        )
        wizard = self._run(data)
        self.assertEqual(wizard.state, 'failed')
        problems = wizard.protocol.split('\n')
        expected = [
            'Sheet "Абоненты", row 2, column "ЛС": the number GL-C0 belongs to another account already.',
            'Sheet "Абоненты", row 3, column "Участок": unknown branch "ZZ".',
            'Sheet "Абоненты", row 4, column "Проживающих": "abc" is not a whole number.',
            'Sheet "Абоненты", row 4, column "Услуги": unknown service "gas".',
            'Sheet "Абоненты", row 4, column "Улица": the address needs the city, the street and the house.',
            'Sheet "Абоненты", row 5, column "ЛС": GL-1 is given on row 3 already.',
            'Sheet "Юрлица", row 2, column "БИН": "%s" is no valid BIN: 12 digits, the last one the check digit.'
            % bad_bin,
            'Sheet "Юрлица", row 2, column "Счетчик №": give the meter serial number or the fixed volume.',
            'Sheet "Счетчики", row 2, column "Дата показания": "32.12.2015" is not a date (DD.MM.YYYY).',
            'Sheet "Счетчики", row 3, column "ЛС владельца": no account GL-404 (neither in the database nor in the '
            'file).',
            'Sheet "Счетчики", row 4, column "ЛС владельца": no metering point of the contract GL-C0 names the '
            'meter GLM-5 (sheet "Юрлица").',
            'Sheet "Сальдо", row 2, column "Сумма": "12.345" is not an amount in tenge.',
            'Sheet "Сальдо", row 3, column "ЛС": no account GL-404 (neither in the database nor in the file).',
            'Sheet "Сальдо", row 4, column "ЛС": GL-C0 is given on row 2 already.',
        ]
        for line in expected:
            self.assertIn(line, problems)
        self.assertEqual(wizard.problem_count, len(expected) + 1, wizard.protocol)  # + the model's refusal below
        self.assertEqual(len([p for p in problems if p.startswith('Sheet "Счетчики", row 5, column "Показание": '
                                                                  'Meter GLM-6: the reading 12345.0 has more')]), 1)
        self.assertEqual(self._counts(), (0, 0, 0, 0, 0, 0, 0))

        # the real load of a file with problems writes nothing (one good subscriber row, one bad balance row)
        partial = self._workbook(
            subscribers=[['GL-1', 'Иванов', 'Иван', None, 'T1', 'TBS', 1, 'Новоград', 'Речная', '7', None, None]],
            balances=[['GL-1', 'x']])
        wizard = self.env['neopro.golive.import'].create({'data_file': base64.b64encode(partial)})
        wizard.action_load()
        self.assertEqual(wizard.state, 'failed')
        self.assertIn('Sheet "Сальдо", row 2, column "Сумма": "x" is not an amount in tenge.', wizard.protocol)
        self.assertIn('Nothing was written.', wizard.protocol)
        self.assertEqual(self._counts(), (0, 0, 0, 0, 0, 0, 0))

    def test_account_sequence(self):
        """A loaded account number of a branch's sequence moves it past the number, as a subscriber saved on the
        screen does; dates in the future and in a closed period are refused."""
        sequence = self.branch1._get_account_sequence()
        number = 'T1%05d' % (sequence.number_next_actual + 40)
        self._release_account_numbers(number)
        data = self._workbook(
            subscribers=[[number, 'Сидоров', None, None, 'T1', 'TBS', 1, None, None, None, None, None]],
            meters=[['GLM-7', 'cold_water', None, number, None, 5, '31.12.2015', '01.01.2099', 5]])
        wizard = self._run(data)
        self.assertEqual(wizard.protocol.split('\n')[0], 'Sheet "Счетчики", row 2, column "Дата поверки": the date '
                                                         '01.01.2099 is in the future.')
        self.assertEqual(wizard.problem_count, 1, wizard.protocol)
        data = self._workbook(
            subscribers=[[number, 'Сидоров', None, None, 'T1', 'TBS', 1, None, None, None, None, None]])
        wizard = self._run(data, load=True)
        self.assertEqual(wizard.state, 'done', wizard.protocol)
        self.assertEqual(sequence.number_next_actual, int(number[2:]) + 1)
        self.assertEqual(self.env['neopro.subscriber'].search([('account_number', '=', number)]).name, 'Сидоров')

    def test_reading_in_a_closed_period(self):
        """A meter's last reading dated in a closed period is refused (its month's charges are final), as a reading
        typed or loaded from a file is; the day after the closed period is accepted."""
        set_period_state(self.period, 'closed')  # January 2016 closed, February open
        self.env['neopro.period'].create({'date_start': '2016-02-01', 'date_end': '2016-02-29'})
        meters = [['GLM-8', 'cold_water', None, 'GL-S0', None, 15, '31.01.2016', None, 5]]
        wizard = self._run(self._workbook(meters=meters))
        self.assertEqual(wizard.state, 'failed')
        self.assertEqual(wizard.protocol.split('\n')[0], 'Sheet "Счетчики", row 2, column "Дата показания": the '
                         'date 31.01.2016 lies in the closed period %s, whose charges are final.' % self.period.name)
        self.assertEqual(wizard.problem_count, 1, wizard.protocol)
        meters[0][6] = '01.02.2016'
        wizard = self._run(self._workbook(meters=meters), load=True)
        self.assertEqual(wizard.state, 'done', wizard.protocol)
        reading = self.env['neopro.meter.reading'].search([('meter_id.serial_number', '=', 'GLM-8')])
        self.assertEqual((reading.date, reading.value), ('2016-02-01', 15.0))

    def test_old_system_source_is_the_imports_only(self):
        """The last reading of the old system says so («Прежняя система»); no user gives that source to a reading
        nor takes it from one (the old system's readings stay told apart from typed ones)."""
        self.assertEqual(self._run(self._good_file(), load=True).state, 'done')
        migrated = self.env['neopro.meter.reading'].search([('meter_id.serial_number', '=', 'GLM-1')])
        self.assertEqual((migrated.date, migrated.value, migrated.source), ('2015-12-31', 123.456, 'migration'))
        operator = self._create_user('gl_reader', ['group_operator'], branches=self.branch1)
        Readings = self.env['neopro.meter.reading'].sudo(operator)
        with self.assertRaisesRegex(AccessError, 'the go-live import brought from the old system'):
            Readings.browse(migrated.id).write({'source': 'inspector'})
        with self.assertRaisesRegex(AccessError, 'the go-live import brought from the old system'):
            Readings.create({'meter_id': migrated.meter_id.id, 'date': self.period.date_start, 'value': 130,
                             'source': 'migration'})
        typed = Readings.create({'meter_id': migrated.meter_id.id, 'date': self.period.date_start, 'value': 130,
                                 'source': 'inspector'})
        with self.assertRaisesRegex(AccessError, 'the go-live import brought from the old system'):
            typed.write({'source': 'migration'})
        typed.write({'source': 'remote', 'value': 131})  # any other source stays the user's to give
        migrated.invalidate_cache()
        self.assertEqual((migrated.source, typed.source, typed.value), ('migration', 'remote', 131.0))

    def test_point_of_other_service(self):
        """A meter of a metering point measures the point's service (neopro.meter._check_metering_point_service)."""
        data = self._workbook(
            legal=[['GL-C1', self.bin, 'ТОО Водопользователь', 'Д-17', 'T1', 'TLE', 'Склад', 'sewage', 'GLM-9',
                    None]],
            meters=[['GLM-9', 'cold_water', None, 'GL-C1', None, 10, '30.12.2015', None, 5]])
        wizard = self._run(data, load=True)
        self.assertEqual(wizard.state, 'failed')
        self.assertEqual(wizard.protocol.split('\n')[0], 'Sheet "Счетчики", row 2, column "Услуга": the metering '
                                                         'point of the meter GLM-9 (sheet "Юрлица") is of another '
                                                         'service.')
        self.assertEqual(self._counts(), (0, 0, 0, 0, 0, 0, 0))

    def test_russian_messages(self):
        data = self._workbook(subscribers=[['GL-C0', 'Иванов', None, None, 'T1', 'TBS', 1, None, None, None, None,
                                            None]])
        ru = self.env(context=dict(self.env.context, lang='ru_RU'))
        if not ru['res.lang'].search_count([('code', '=', 'ru_RU')]):
            self.skipTest('Russian is not installed')
        wizard = self._run(data, env=ru)
        self.assertIn('Лист "Абоненты", строка 2, столбец "ЛС": номер GL-C0 уже есть у другого счёта.',
                      wizard.protocol.split('\n'))

    def test_operator_refused(self):
        operator = self._create_user('gl_operator', ['group_operator'], branches=self.branch1)
        data = self._good_file()
        wizard = self.env['neopro.golive.import'].sudo(operator).create({'data_file': base64.b64encode(data)})
        for action in (wizard.action_check, wizard.action_load, wizard.action_download_template):
            with self.assertRaisesRegex(AccessError, 'Only administrators may run the go-live import'):
                action()
        self.assertEqual(self._counts(), (0, 0, 0, 0, 0, 0, 0))
        admin = self._create_user('gl_admin', ['group_administrator'])
        wizard = self._run(data, load=True, env=self.env(user=admin.id))
        self.assertEqual(wizard.state, 'done', wizard.protocol)
        self.assertEqual(self._counts(), (3, 2, 2, 3, 2, 1, 1))
