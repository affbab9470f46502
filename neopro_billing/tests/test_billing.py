"""Charges of the period calculation (RULES §6), exact to the tiyn, on the 31-day period 03.2023."""
from .common import BillingCase


class TestBilling(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestBilling, cls).setUpClass()
        # Metered: 120.000 before the period, 125.000 and 132.456 in it → 12.456 m³ × 100.00.
        cls.metered = cls._create_billed_subscriber('B-METER')
        cls.meter = cls._create_meter('M-METER', cls.metered, installation_date='2020-01-01')
        cls._read(cls.meter, '2023-02-20', 120.0)
        cls._read(cls.meter, '2023-03-10', 125.0)
        cls._read(cls.meter, '2023-03-25', 132.456)
        # Norm: 3 residents × 3.5 m³.
        cls.norm = cls._create_billed_subscriber('B-NORM', residents=3)
        # Average: no reading in March; the last three months with readings used 18.5, 7 and 10 m³.
        cls.average = cls._create_billed_subscriber('B-AVG')
        meter = cls._create_meter('M-AVG', cls.average, installation_date='2022-10-01', initial_value=80.0)
        for date, value in (('2022-11-14', 90.0), ('2022-12-15', 100.0), ('2023-01-15', 107.0), ('2023-02-16', 125.5)):
            cls._read(meter, date, value)
        # Sewage = metered cold 12.456 + hot by norm 2 × 2.5.
        cls.sewer = cls._create_billed_subscriber('B-SEW', services=[cls.cold, cls.hot, cls.sewage])
        meter = cls._create_meter('M-SEW', cls.sewer, installation_date='2020-01-01')
        cls._read(meter, '2023-02-20', 50.0)
        cls._read(meter, '2023-03-20', 62.456)
        # Prorated tariff: 100.00 for 15 days, 124.00 for 16 days.
        cls.category2 = cls.env['neopro.subscriber.category'].create({'name': 'Test category 2', 'code': 'TBS2'})
        cls._create_tariff(cls.cold, cls.category2, 100.0, '2015-01-01', '2023-03-15')
        cls._create_tariff(cls.cold, cls.category2, 124.0, '2023-03-16')
        cls.prorated = cls._create_billed_subscriber('B-PRO')
        cls.prorated.category_id = cls.category2
        # Connected on the 11th: 21 days of 31.
        cls.midmonth = cls._create_billed_subscriber('B-MID', services=[])
        cls.env['neopro.service.connection'].create({'subscriber_id': cls.midmonth.id, 'service_id': cls.cold.id,
                                                     'date_start': '2023-03-11'})
        # Rollover of a 4-digit counter: 9990 → 15 is 25 m³.
        cls.rollover = cls._create_billed_subscriber('B-ROLL')
        meter = cls._create_meter('M-ROLL', cls.rollover, digits=4, installation_date='2020-01-01')
        cls._read(meter, '2023-02-25', 9990.0)
        cls._read(meter, '2023-03-25', 15.0)
        # Meter replaced on the 10th: 10 m³ on the old one, 4.5 on the new one.
        cls.replaced = cls._create_billed_subscriber('B-REPL')
        old = cls._create_meter('M-OLD', cls.replaced, installation_date='2020-01-01')
        cls._read(old, '2023-02-25', 140.0)
        cls._read(old, '2023-03-10', 150.0)
        old.write({'removal_date': '2023-03-10', 'active': False})
        new = cls._create_meter('M-NEW', cls.replaced, installation_date='2023-03-10')
        cls._read(new, '2023-03-28', 4.5)
        # Verification overdue since 2022-01-01: norm, whatever the readings.
        cls.overdue = cls._create_billed_subscriber('B-OVER')
        meter = cls._create_meter('M-OVER', cls.overdue, installation_date='2018-01-01',
                                  verification_date='2018-01-01', verification_interval=48)
        cls._read(meter, '2023-02-25', 10.0)
        cls._read(meter, '2023-03-25', 30.0)
        # Contract: cold fixed 40 m³, hot metered 12.5 m³, sewage of both.
        cls.contract = cls._create_contract('C-1')
        cls.point_fixed = cls._create_point(cls.contract, cls.cold, volume=40.0)
        cls.point_hot = cls._create_point(cls.contract, cls.hot)
        meter = cls._create_meter('M-C1', cls.point_hot, service=cls.hot, installation_date='2020-01-01')
        cls._read(meter, '2023-02-28', 1000.0)
        cls._read(meter, '2023-03-31', 1012.5)
        cls.point_sewage = cls._create_point(cls.contract, cls.sewage)
        cls.period.action_calculate()

    def assertLine(self, line, volume, basis, amount, price=None, date='2023-03-31'):
        self.assertAlmostEqual(line.volume, volume, places=3)
        self.assertEqual(line.basis, basis)
        self.assertAlmostEqual(line.amount, amount, places=2)
        if price is not None:
            self.assertAlmostEqual(line.price, price, places=4)
        self.assertTrue(line.is_auto)
        self.assertEqual(line.date, date)

    def test_metered(self):
        self.assertLine(self._line(self.metered, self.cold), 12.456, 'meter', 1245.60, 100.0)

    def test_norm(self):
        self.assertLine(self._line(self.norm, self.cold), 10.5, 'norm', 1050.00)

    def test_average_of_last_three_months(self):
        self.assertLine(self._line(self.average, self.cold), 11.833, 'average', 1183.30)

    def test_sewage_is_cold_plus_hot(self):
        self.assertLine(self._line(self.sewer, self.cold), 12.456, 'meter', 1245.60)
        self.assertLine(self._line(self.sewer, self.hot), 5.0, 'norm', 1500.00)
        self.assertLine(self._line(self.sewer, self.sewage), 17.456, 'sewage', 1396.48, 80.0)

    def test_tariff_change_prorated_by_days(self):
        # 7 m³ × (100.00 × 15 + 124.00 × 16) / 31 = 786.709677…
        self.assertLine(self._line(self.prorated, self.cold), 7.0, 'norm', 786.71, 112.3871)

    def test_connection_mid_month_prorated(self):
        # 7 m³ × 21 / 31 = 4.742 m³.
        self.assertLine(self._line(self.midmonth, self.cold), 4.742, 'norm', 474.20)

    def test_rollover(self):
        self.assertLine(self._line(self.rollover, self.cold), 25.0, 'meter', 2500.00)

    def test_replaced_meters_summed(self):
        self.assertLine(self._line(self.replaced, self.cold), 14.5, 'meter', 1450.00)

    def test_overdue_meter_bills_norm(self):
        self.assertLine(self._line(self.overdue, self.cold), 7.0, 'norm', 700.00)

    def test_inactive_meter_bills_norm(self):
        self.meter.active = False
        self.period.action_calculate()
        self.assertLine(self._line(self.metered, self.cold), 7.0, 'norm', 700.00)

    def test_contract_points(self):
        lines = self._lines(self.contract)
        by_point = {line.metering_point_id: line for line in lines}
        self.assertEqual(len(lines), 3)
        self.assertLine(by_point[self.point_fixed], 40.0, 'fixed', 6000.00, 150.0)
        self.assertLine(by_point[self.point_hot], 12.5, 'meter', 5000.00, 400.0)
        self.assertLine(by_point[self.point_sewage], 52.5, 'sewage', 4725.00, 90.0)
        self.assertEqual(self._figures(self.contract), [0.0, 0.0, 15725.00, 0.0, 0.0, 15725.00])

    def test_billing_line_of_subscriber(self):
        self.assertEqual(self._figures(self.sewer), [0.0, 0.0, 4142.08, 0.0, 0.0, 4142.08])
        balance = self.env['neopro.balance'].search([('subscriber_id', '=', self.sewer.id),
                                                     ('period_id', '=', self.period.id)])
        self.assertEqual(balance.amount_charged, 4142.08)
        self.assertEqual(balance.branch_id, self.branch1)

    def test_recalculation_is_idempotent(self):
        manual = self.env['neopro.operation'].create({
            'operation_type': 'charge', 'subscriber_id': self.norm.id, 'amount': 55.0, 'date': '2023-03-05',
            'basis': 'manual', 'name': 'Extra work'})
        before = {op.id: (op.amount, op.volume, op.basis, op.write_date)
                  for op in self.env['neopro.operation'].search([('period_id', '=', self.period.id)])}
        self.period.action_calculate()
        self.period.action_calculate()
        after = {op.id: (op.amount, op.volume, op.basis, op.write_date)
                 for op in self.env['neopro.operation'].search([('period_id', '=', self.period.id)])}
        self.assertEqual(before, after)
        self.assertTrue(manual.exists())
        self.assertEqual(self.norm.amount_charged, 1105.00)

    def test_recalculation_follows_new_reading(self):
        line = self._line(self.metered, self.cold)
        self._read(self.meter, '2023-03-30', 140.0)
        self.period.action_calculate()
        self.assertEqual(self._line(self.metered, self.cold), line, 'the line is updated in place')
        self.assertLine(line, 20.0, 'meter', 2000.00)
        self.assertEqual(self.metered.amount_charged, 2000.00)

    def test_disconnection_mid_month_prorated(self):
        # Disconnected after the 20th: 10.5 m³ × 20 / 31 = 6.774 m³.
        self.norm.connection_ids.write({'date_end': '2023-03-20'})
        self.period.action_calculate()
        self.assertLine(self._line(self.norm, self.cold), 6.774, 'norm', 677.40)

    def test_disconnected_service_loses_its_line(self):
        self.norm.connection_ids.write({'date_end': '2023-02-28'})
        self.period.action_calculate()
        self.assertFalse(self._lines(self.norm))
        self.assertEqual(self.norm.balance_end, 0.0)

    def test_intermediate_calculation_date(self):
        self.period.action_calculate('2023-03-15')
        # Readings up to the 15th: 125.000 − 120.000; the norm for 15 days of 31.
        self.assertEqual(self._line(self.metered, self.cold).volume, 5.0)
        self.assertLine(self._line(self.norm, self.cold), 5.081, 'norm', 508.10, date='2023-03-15')
        self.assertEqual(self.period.date_calculated, '2023-03-15')

    def test_orm_reads_the_sql_figures(self):
        """The lines and balances written with SQL are what the ORM reads, through its cache too."""
        self.env.cr.execute("""SELECT account_id, SUM(amount)::text FROM neopro_operation
                                WHERE period_id = %s AND operation_type = 'charge' GROUP BY 1""", (self.period.id,))
        sql = {account: float(total) for account, total in self.env.cr.fetchall()}
        for sub in (self.metered, self.norm, self.average, self.sewer, self.prorated, self.midmonth, self.rollover,
                    self.replaced, self.overdue):
            self.assertAlmostEqual(sum(self._lines(sub).mapped('amount')), sql[sub.account_id.id], places=2)
            self.assertAlmostEqual(sub.amount_charged, sql[sub.account_id.id], places=2)
            self.assertAlmostEqual(sub.period_charge_ids and sum(sub.period_charge_ids.mapped('amount')),
                                   sql[sub.account_id.id], places=2)
        self.assertAlmostEqual(self.contract.amount_charged, sql[self.contract.account_id.id], places=2)
        # A second calculation after a reading changes the cached figures as well.
        self.assertEqual(self.metered.amount_charged, 1245.60)
        self._read(self.meter, '2023-03-30', 133.456)
        self.period.action_calculate()
        self.assertEqual(self.metered.amount_charged, 1345.60)
        self.assertEqual(self.metered.balance_end, 1345.60)

    def test_norms_panel(self):
        line = self._line(self.norm, self.cold)
        self.assertEqual(self.norm.period_charge_ids, line)
        self.assertEqual(line.norm_volume, 10.5)
        self.assertEqual(self._line(self.contract, self.cold).norm_volume, 40.0)

    def test_lists_sort_and_filter_by_debt(self):
        Sub = self.env['neopro.subscriber']
        debtors = Sub.search([('balance_end', '>', 1400), ('account_number', '=like', 'B-%')], order='balance_end desc')
        self.assertEqual(debtors.mapped('account_number'), ['B-SEW', 'B-ROLL', 'B-REPL'])

    def test_forms_open_for_every_role(self):
        """Each billing role reads every field its subscriber and contract forms show (an inspector sees no
        money: the ledger lines and the six figures are removed from its form, issue 11)."""
        for role in ('inspector', 'operator', 'accountant'):
            user = self.env['res.users'].create({
                'name': 'Form %s' % role, 'login': 'test_form_%s' % role,
                'groups_id': [(6, 0, [self.env.ref('neopro_billing.group_%s' % role).id])],
                'neopro_branch_ids': [(6, 0, [self.branch1.id])],
            })
            for record in (self.sewer, self.contract):
                model = self.env[record._name].sudo(user)
                view = model.fields_view_get(view_type='form')
                values = model.browse(record.id).read(list(view['fields']))[0]
                if role == 'inspector':
                    self.assertNotIn('balance_end', values)
                else:
                    self.assertEqual(values['balance_end'], record.balance_end)
                self.assertEqual('period_charge_ids' in view['fields'], role != 'inspector')
