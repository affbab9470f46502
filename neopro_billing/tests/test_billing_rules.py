"""Billing rules of RULES §12 (docs/RULES.md) with exact tenge figures: average then actual (the reversal), the cap
of months billed by average, a meter replaced after averaged months, tiered tariffs, the penalty write-off and its
run, temporary absence, the intermediate calculation's basis."""
from odoo.exceptions import AccessError, ValidationError

from .common import BillingCase


class SequenceCase(BillingCase):
    """Three months 01–03.2023; the periods are calculated and closed one after the other."""
    period_start = '2023-01-01'

    @classmethod
    def _history(cls, meter):
        """Readings 1000 (20.10), 1010 (20.11), 1022 (20.12), 1036 (20.01): 10, 12 and 14 m³ → average 12."""
        for day, value in (('2022-10-20', 1000.0), ('2022-11-20', 1010.0), ('2022-12-20', 1022.0),
                           ('2023-01-20', 1036.0)):
            cls._read(meter, day, value)

    @classmethod
    def _run_months(cls, months):
        """Calculate and close each month but the last; returns the periods (the last one open, calculated)."""
        periods = [cls.period]
        for _month in range(months - 1):
            periods[-1].action_calculate()
            periods.append(cls._close(periods[-1]))
        periods[-1].action_calculate()
        return periods


class TestAverageThenActual(SequenceCase):

    @classmethod
    def setUpClass(cls):
        super(TestAverageThenActual, cls).setUpClass()
        # The issue's sequence: January read 1036, February not read, March read 1066.
        cls.sub = cls._create_billed_subscriber('R-SEQ')
        meter = cls._create_meter('R-SEQ-M', cls.sub, installation_date='2022-10-01', initial_value=995.0)
        cls._history(meter)
        cls._read(meter, '2023-03-20', 1066.0)
        # A meter that counted less than its average: March read 1041, 5 m³ since January, 12 billed by average.
        cls.credit = cls._create_billed_subscriber('R-CREDIT')
        meter = cls._create_meter('R-CREDIT-M', cls.credit, installation_date='2022-10-01', initial_value=995.0)
        cls._history(meter)
        cls._read(meter, '2023-03-20', 1041.0)
        # Replaced in March after an averaged February: the old meter's final 1050 on the 10th, the new one from 0
        # to 6 on the 28th.
        cls.replaced = cls._create_billed_subscriber('R-REPL')
        cls.old = cls._create_meter('R-REPL-OLD', cls.replaced, installation_date='2022-10-01', initial_value=995.0)
        cls._history(cls.old)
        cls._read(cls.old, '2023-03-10', 1050.0)
        cls.new = cls._create_meter('R-REPL-NEW', cls.replaced, installation_date='2023-03-10')
        cls._read(cls.new, '2023-03-28', 6.0)
        # A contract's metered hot-water point, the same readings (legal tariff 400.00).
        cls.contract = cls._create_contract('R-CONTRACT')
        cls.point = cls._create_point(cls.contract, cls.hot)
        meter = cls._create_meter('R-POINT-M', cls.point, service=cls.hot, installation_date='2022-10-01',
                                  initial_value=995.0)
        cls._history(meter)
        cls._read(meter, '2023-03-20', 1066.0)
        cls.jan, cls.feb, cls.mar = cls._run_months(3)
        # the old meter leaves service once March is open (a reading of the closed months is never touched)
        cls.old.write({'removal_date': '2023-03-10', 'active': False})
        cls.mar.action_calculate()

    def _amounts(self, account, service):
        return [self._line(account, service, period).amount for period in (self.jan, self.feb, self.mar)]

    def test_three_months_bill_what_the_meter_counted(self):
        lines = [self._line(self.sub, self.cold, period) for period in (self.jan, self.feb, self.mar)]
        self.assertEqual([line.basis for line in lines], ['meter', 'average', 'meter'])
        self.assertEqual([line.volume for line in lines], [14.0, 12.0, 18.0])
        self.assertEqual([line.amount for line in lines], [1400.00, 1200.00, 1800.00])
        self.assertEqual(sum(line.volume for line in lines), 1066.0 - 1022.0)
        self.assertEqual(lines[2].reversed_volume, 12.0)
        self.assertEqual(lines[2].basis_text, 'Meter; counted 30 m³ less 12 m³ billed by average')

    def test_negative_result_is_an_average_reversal_credit(self):
        line = self._line(self.credit, self.cold, self.mar)
        self.assertEqual((line.basis, line.volume, line.amount), ('average_reversal', -7.0, -700.00))
        self.assertEqual(self._amounts(self.credit, self.cold), [1400.00, 1200.00, -700.00])
        self.assertEqual(self.credit.amount_charged, -700.00)
        self.assertEqual(self.credit.balance_end,
                         round(self.credit.balance_start - 700.00 + self.credit.amount_penalty, 2))

    def test_replaced_meter_reconciles_its_averaged_month(self):
        # March: old meter 1050 − 1036 − 12 = 2, new meter 6 → 8 m³; the quarter 14 + 12 + 8 = 34 = 28 + 6.
        line = self._line(self.replaced, self.cold, self.mar)
        self.assertEqual((line.basis, line.volume, line.amount), ('meter', 8.0, 800.00))
        self.assertEqual(self._amounts(self.replaced, self.cold), [1400.00, 1200.00, 800.00])

    def test_contract_point_keeps_the_invariant(self):
        self.assertEqual(self._amounts(self.contract, self.hot), [5600.00, 4800.00, 7200.00])
        self.assertEqual(self._line(self.contract, self.hot, self.mar).metering_point_id, self.point)

    def test_averages_are_recorded_per_meter(self):
        averages = self.env['neopro.meter.average'].search([('account_id', '=', self.sub.account_id.id)])
        self.assertEqual([(a.period_id, a.volume) for a in averages], [(self.feb, 12.0)])

    def test_recalculation_keeps_the_reversal(self):
        self.mar.action_calculate()
        self.mar.action_calculate()
        self.assertEqual(self._line(self.sub, self.cold, self.mar).amount, 1800.00)


class TestAverageOfReadingsOverSeveralMonths(SequenceCase):
    """A meter read every other month: each reading counts 20 m³ over two months. The average of a month without
    reading is the monthly consumption (10 m³), not the 20 m³ one reading counted; and after an averaged month the
    next average does not count the averaged month twice."""

    @classmethod
    def setUpClass(cls):
        super(TestAverageOfReadingsOverSeveralMonths, cls).setUpClass()
        cls.sub = cls._create_billed_subscriber('R-BIMONTH')
        meter = cls._create_meter('R-BIMONTH-M', cls.sub, installation_date='2022-07-01', initial_value=1000.0)
        for day, value in (('2022-07-20', 1000.0), ('2022-09-20', 1020.0), ('2022-11-20', 1040.0),
                           ('2023-01-20', 1060.0), ('2023-03-20', 1080.0)):
            cls._read(meter, day, value)
        cls.jan, cls.feb, cls.mar = cls._run_months(3)

    def test_average_is_the_monthly_share(self):
        lines = [self._line(self.sub, self.cold, period) for period in (self.jan, self.feb, self.mar)]
        # January: 20 m³ since November; February: average of January, November, September at 20 / 2 each;
        # March: 20 m³ since January less the 10 m³ billed by average
        self.assertEqual([line.basis for line in lines], ['meter', 'average', 'meter'])
        self.assertEqual([line.volume for line in lines], [20.0, 10.0, 10.0])
        self.assertEqual([line.amount for line in lines], [2000.00, 1000.00, 1000.00])
        self.assertEqual(sum(line.volume for line in lines), 1080.0 - 1040.0)


class TestAverageCap(SequenceCase):

    @classmethod
    def setUpClass(cls):
        super(TestAverageCap, cls).setUpClass()
        cls.env['ir.config_parameter'].set_param('neopro_billing.average_months', '2')
        cls.sub = cls._create_billed_subscriber('R-CAP')
        meter = cls._create_meter('R-CAP-M', cls.sub, installation_date='2022-10-01', initial_value=995.0)
        cls._history(meter)
        cls._read(meter, '2023-05-20', 1080.0)
        cls.periods = cls._run_months(5)

    def test_average_for_the_cap_then_norm_then_reversal(self):
        lines = [self._line(self.sub, self.cold, period) for period in self.periods]
        # January read 14; February and March by average (12); April by norm (2 residents × 3.5); May read:
        # 1080 − 1036 = 44 less the 24 billed by average (the norm month is not reconciled).
        self.assertEqual([line.basis for line in lines], ['meter', 'average', 'average', 'norm', 'meter'])
        self.assertEqual([line.volume for line in lines], [14.0, 12.0, 12.0, 7.0, 20.0])
        self.assertEqual([line.amount for line in lines], [1400.00, 1200.00, 1200.00, 700.00, 2000.00])


class TestTieredTariffs(BillingCase):
    """Bands on the 31-day period 03.2023 (slab example of RULES §12)."""

    @classmethod
    def _banded_category(cls, code, tariffs):
        category = cls.env['neopro.subscriber.category'].create({'name': 'Bands %s' % code, 'code': code})
        for date_from, date_to, bands, vals in tariffs:
            tariff = cls._create_tariff(cls.cold, category, bands[0][1], date_from, date_to)
            tariff.write(dict(vals, band_ids=[(0, 0, {'volume_from': f, 'price': p}) for f, p in bands]))
        return category

    @classmethod
    def _metered(cls, account, category, volume, residents=2):
        sub = cls._create_billed_subscriber(account, residents=residents)
        sub.category_id = category
        meter = cls._create_meter(account + '-M', sub, installation_date='2020-01-01')
        cls._read(meter, '2023-02-25', 100.0)
        cls._read(meter, '2023-03-25', 100.0 + volume)
        return sub

    @classmethod
    def setUpClass(cls):
        super(TestTieredTariffs, cls).setUpClass()
        slabs = [(0, 2.0), (10, 2.5), (20, 8.0), (30, 12.0)]
        cls.slab = cls._banded_category('SLAB', [('2015-01-01', False, slabs, {'minimum_amount': 100.0})])
        cls.sub25 = cls._metered('T-25', cls.slab, 25.0)
        cls.sub31 = cls._metered('T-31', cls.slab, 31.0)
        resident = cls._banded_category('RES', [('2015-01-01', False, [(0, 2.0), (5, 4.0)],
                                                 {'band_basis': 'resident'})])
        cls.per_resident = cls._metered('T-RES', resident, 20.0, residents=3)
        change = cls._banded_category('CHG', [('2015-01-01', '2023-03-15', [(0, 2.0), (10, 3.0)], {}),
                                              ('2023-03-16', False, [(0, 2.5), (10, 4.0)], {})])
        cls.changed = cls._metered('T-CHG', change, 31.0)
        cls.period.action_calculate()

    def test_tariff_form_data(self):
        tariff = self.env['neopro.tariff'].search([('category_id', '=', self.slab.id)])
        self.assertEqual(tariff.band_ids.mapped('volume_from'), [0.0, 10.0, 20.0, 30.0])
        self.assertEqual((tariff.band_basis, tariff.minimum_amount), ('account', 100.0))

    def test_slab_minimum(self):
        # 10 × 2 + 10 × 2.5 + 5 × 8 = 85.00, below the minimum 100.00
        line = self._line(self.sub25, self.cold)
        self.assertEqual((line.volume, line.amount), (25.0, 100.00))
        self.assertIn('tariff minimum 100,00', line.basis_text)

    def test_slab_each_band_at_its_price(self):
        # 10 × 2 + 10 × 2.5 + 10 × 8 + 1 × 12 = 137.00
        line = self._line(self.sub31, self.cold)
        self.assertEqual((line.volume, line.amount), (31.0, 137.00))
        bands, minimum = line._get_bands()
        self.assertEqual([(b['from'], b['to'], b['volume'], b['price'], b['amount']) for b in bands],
                         [(0, 10, 10, 2, 20), (10, 20, 10, 2.5, 25), (20, 30, 10, 8, 80), (30, None, 1, 12, 12)])
        self.assertFalse(minimum)
        self.assertEqual(line.basis_text, 'Meter; up to 10 m³: 10 m³ × 2,00 = 20,00; 10–20 m³: 10 m³ × 2,50 = 25,00; '
                                          '20–30 m³: 10 m³ × 8,00 = 80,00; over 30 m³: 1 m³ × 12,00 = 12,00')

    def test_receipt_prints_the_bands(self):
        receipt = self.env['neopro.receipt']._get_receipts(self.sub31, self.period)[0]
        line = receipt['lines'][0]
        self.assertEqual((line['basis'], line['amount']), ('Meter', 137.00))
        self.assertEqual(line['note'], 'up to 10 m³: 10 m³ × 2,00 = 20,00; 10–20 m³: 10 m³ × 2,50 = 25,00; '
                                       '20–30 m³: 10 m³ × 8,00 = 80,00; over 30 m³: 1 m³ × 12,00 = 12,00')

    def test_bands_per_resident(self):
        # 3 residents: the first band reaches 15 m³; 15 × 2 + 5 × 4 = 50.00
        self.assertEqual(self._line(self.per_resident, self.cold).amount, 50.00)

    def test_tariff_change_splits_volume_and_scales_bands(self):
        # 15 days: 15 m³, first band up to 10 × 15/31 = 4.839 m³ → 4.839 × 2 + 10.161 × 3 = 40.16129…
        # 16 days: 16 m³, first band up to 10 × 16/31 = 5.161 m³ → 5.161 × 2.5 + 10.839 × 4 = 56.25806…; 96.42
        line = self._line(self.changed, self.cold)
        self.assertEqual((line.volume, line.amount), (31.0, 96.42))
        self.assertEqual(len(line._get_bands()[0]), 4)

    def test_no_bands_is_volume_times_price(self):
        flat = self._create_billed_subscriber('T-FLAT')
        self.period.action_calculate()
        line = self._line(flat, self.cold)
        self.assertEqual((line.volume, line.amount, line.price, line.band_lines), (7.0, 700.00, 100.0, False))


class TestPenaltyWriteoff(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestPenaltyWriteoff, cls).setUpClass()
        cls.paid = cls._create_subscriber('W-PAID', 'Paid')
        cls.owing = cls._create_subscriber('W-OWING', 'Owing')
        for sub in (cls.paid, cls.owing):
            cls._operation(sub, 'charge', 500.00, '2023-03-02', basis='manual', name='Debt')
            cls._operation(sub, 'penalty', 12.34, '2023-03-02', name='Penalty of the debt')
        cls._operation(cls.paid, 'payment', 500.00, '2023-03-05')
        cls._operation(cls.owing, 'payment', 300.00, '2023-03-05')
        cls.operator = cls._create_user('w_operator', ['group_operator'], cls.branch1)
        cls.accountant = cls._create_user('w_accountant', ['group_accountant'], cls.branch1)

    def test_operator_cannot_write_off(self):
        with self.assertRaises(AccessError):
            self.env['neopro.operation'].sudo(self.operator).create({
                'operation_type': 'penalty', 'amount': -12.34, 'date': '2023-03-06',
                'subscriber_id': self.paid.id, 'name': 'Goodwill'})

    def test_accountant_writes_off_with_a_reason(self):
        Operation = self.env['neopro.operation'].sudo(self.accountant)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            Operation.create({'operation_type': 'penalty', 'amount': -12.34, 'date': '2023-03-06',
                              'subscriber_id': self.paid.id})
        Operation.create({'operation_type': 'penalty', 'amount': -12.34, 'date': '2023-03-06',
                          'subscriber_id': self.paid.id, 'name': 'Goodwill'})
        self.assertEqual(sorted(self._lines(self.paid, 'penalty').mapped('amount')), [-12.34, 12.34])
        self.paid.invalidate_cache()
        self.assertEqual(self.paid.amount_penalty, 0.0)
        self.assertEqual(self.paid.balance_end, 0.0)

    def test_writeoff_from_the_entry_dialog(self):
        action = self.paid.sudo(self.accountant).with_context(neopro_operation_type='writeoff').action_operation_entry()
        entry = self.env['neopro.operation.entry'].sudo(self.accountant).with_context(**action['context']).create({
            'amount': 12.34, 'date': '2023-03-06', 'name': 'Court decision 5'})
        self.assertEqual(entry.operation_type, 'writeoff')
        entry.action_confirm()
        writeoff = self._lines(self.paid, 'penalty').filtered(lambda o: o.amount < 0)
        self.assertEqual((writeoff.amount, writeoff.name, writeoff.create_uid), (-12.34, 'Court decision 5',
                                                                                 self.accountant))
        entry = self.env['neopro.operation.entry'].sudo(self.operator).with_context(**action['context']).create({
            'amount': 1.0, 'date': '2023-03-06', 'name': 'Goodwill'})
        with self.assertRaises(AccessError):
            entry.action_confirm()

    def test_writeoff_run(self):
        wizard = self.env['neopro.penalty.writeoff'].sudo(self.accountant).create({'date': '2023-03-10'})
        wizard.action_preview()
        self.assertEqual((wizard.state, wizard.account_count, wizard.amount_total), ('preview', 1, 12.34))
        wizard.action_apply()
        self.assertEqual(wizard.state, 'done')
        self.paid.invalidate_cache()
        writeoff = self._lines(self.paid, 'penalty').filtered(lambda o: o.amount < 0)
        self.assertEqual((writeoff.amount, writeoff.name), (-12.34, 'The debt is paid: the penalty is written off'))
        self.assertEqual((self.paid.amount_penalty, self.paid.balance_end), (0.0, 0.0))
        self.assertEqual((self.owing.amount_penalty, self.owing.balance_end), (12.34, 212.34))
        self.assertIn('1 accounts, 12.34', self.period.message_ids[0].body)
        # a second run finds nothing left
        again = self.env['neopro.penalty.writeoff'].sudo(self.accountant).create({'date': '2023-03-10'})
        again.action_preview()
        self.assertEqual((again.account_count, again.amount_total), (0, 0.0))

    def test_operator_cannot_run(self):
        wizard = self.env['neopro.penalty.writeoff'].sudo(self.operator).create({'date': '2023-03-10'})
        with self.assertRaises(AccessError):
            wizard.action_apply()


class TestAbsenceAndIntermediate(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestAbsenceAndIntermediate, cls).setUpClass()
        cls.absent = cls._create_billed_subscriber('A-ABS')
        cls.env['neopro.absence'].create({'subscriber_id': cls.absent.id, 'date_from': '2023-03-01',
                                          'date_to': '2023-03-10', 'residents': 1, 'document_number': '17'})
        # Two cold meters: one read on the 1st, one with history and no reading yet (the demo's 12345).
        cls.two = cls._create_billed_subscriber('A-TWO')
        read = cls._create_meter('A-TWO-R', cls.two, installation_date='2020-01-01')
        cls._read(read, '2023-02-24', 12.0)
        cls._read(read, '2023-03-01', 13.0)
        unread = cls._create_meter('A-TWO-U', cls.two, installation_date='2020-01-01')
        for day, value in (('2022-12-23', 64.0), ('2023-01-23', 68.0), ('2023-02-23', 71.0)):
            cls._read(unread, day, value)
        cls._read(unread, '2022-11-23', 62.0)

    def test_absence_prorates_the_norm(self):
        self.period.action_calculate()
        # (2 × 3.5 × 31 − 1 × 3.5 × 10) / 31 = 5.871 m³
        line = self._line(self.absent, self.cold)
        self.assertEqual((line.basis, line.volume, line.amount), ('norm', 5.871, 587.10))
        self.assertIn('temporary absence: 1 of 2 residents 01.03.2023–10.03.2023 (document 17)', line.basis_text)

    def test_absence_needs_a_document_and_fewer_residents(self):
        with self.assertRaises(ValidationError):
            self.env['neopro.absence'].create({'subscriber_id': self.absent.id, 'date_from': '2023-03-01',
                                               'date_to': '2023-03-10', 'residents': 3, 'document_number': '18'})

    def test_intermediate_keeps_the_basis_of_the_full_month(self):
        # Full month: 1 m³ read + the unread meter's average (4 + 3 + 2) / 3 = 3 → 4.0 by average.
        self.period.action_calculate()
        line = self._line(self.two, self.cold)
        self.assertEqual((line.basis, line.volume), ('average', 4.0))
        # On the 2nd: 1 m³ read + 3 × 2 / 31 = 0.194 → 1.194, still by average, and it says so.
        self.period.action_calculate('2023-03-02')
        line = self._line(self.two, self.cold)
        self.assertEqual((line.basis, line.volume, line.amount), ('average', 1.194, 119.40))
        self.assertEqual(line.basis_text, 'Average; intermediate: prorated to 02.03.2023')

    def test_wizard_says_it_is_prorated(self):
        wizard = self.env['neopro.period.calculate'].create({'date': '2023-03-02'})
        self.assertEqual(wizard.intermediate_note,
                         'Prorated to 02.03.2023: norms, averages and fixed volumes for 2 of 31 days, meters by the '
                         'readings up to that day; each line keeps the basis the full month would have with these '
                         'readings.')
        self.assertFalse(self.env['neopro.period.calculate'].create({'date': '2023-03-31'}).intermediate_note)
