"""Fixture of the report and receipt tests: two billed months (01.2023 closed, 02.2023 open and calculated).

January (31 days), calculated by the engine:
- 70001 (branch 1, Test street 2, apartment 45, 2 residents; cold, hot, sewage): cold meter 100 → 110 = 10 m³
  (1 000.00), hot by norm 2 × 2.5 = 5 m³ (1 500.00), sewage 15 m³ (1 200.00): 3 700.00;
- 70002 (branch 1, Test street 2, 1 resident; cold by norm 3.5 m³): 350.00;
- 70003 (branch 2, Test street 6, 3 residents; cold by norm 10.5 m³, its meter has no reading): 1 050.00;
- "=SUM(A1:A2)" 70004 (branch 1, phone "+77010000000", no service): a manual charge of 500.00 without service;
- contract 79001 (branch 1): a cold metering point with a fixed 10 m³ (1 500.00).
January is closed; in February: 70001 pays 3 700.00 on 10.02 (Kaspi), 70002 pays 200.00 on 12.02 (Halyk) and gets a
correction of −50.00, the contract pays 1 500.00 on 15.02 (cash, no bank); 70001's cold meter reads 118 on 20.02
(8 m³). February is calculated (charges and the late-payment penalties from 26.02).
The common-house meter of Test street 2 reads 990 (31.12.2022), 1 000 (31.01) and 1 030 (27.02).
"""
from .common import BillingCase


class ReportCase(BillingCase):
    period_start = '2023-01-01'

    @classmethod
    def setUpClass(cls):
        super(ReportCase, cls).setUpClass()
        env = cls.env
        cls.kaspi = env['res.bank'].create({'name': 'Test Kaspi', 'bic': 'CASPKZKA'})
        cls.halyk = env['res.bank'].create({'name': 'Test Halyk', 'bic': 'HSBKKZKX'})
        cls.branch1.write({'bin': '990140001233', 'bank_account': 'KZ86125KZT5004100100', 'bank_id': cls.kaspi.id,
                           'address': 'Testgrad, Test street 1', 'phone': '+7 7112 50-00-00'})
        cls.flat1 = env['neopro.premise'].create({'house_id': cls.house.id, 'number': '1', 'sequence': 1})
        cls.flat45.sequence = 45
        cls.sub1 = cls._create_billed_subscriber('70001', services=[cls.cold, cls.hot, cls.sewage],
                                                 premise=cls.flat45)
        cls.sub1.name = 'Фролов Степан'
        cls.meter1 = cls._create_meter('M-70001', cls.sub1, installation_date='2020-06-01',
                                       verification_date='2020-06-01', verification_interval=48)
        cls.sub2 = cls._create_billed_subscriber('70002', residents=1, premise=cls.flat1)
        cls.sub3 = cls._create_billed_subscriber('70003', residents=3, branch=cls.branch2, house=cls.house2)
        cls.meter3 = cls._create_meter('M-70003', cls.sub3, installation_date='2019-03-01',
                                       verification_date='2019-03-01', verification_interval=48)
        cls.sub4 = cls._create_billed_subscriber('70004', services=[], residents=1, phone='+77010000000')
        cls.sub4.name = '=SUM(A1:A2)'
        cls._release_account_numbers('79001')
        cls.contract = cls._create_contract('79001')
        cls._create_point(cls.contract, cls.cold, volume=10.0)
        cls.house_meter = cls._create_meter('M-HOUSE', cls.house, installation_date='2020-01-01',
                                            verification_date='2022-01-01')
        for date, value in (('2022-12-31', 990.0), ('2023-01-31', 1000.0), ('2023-02-27', 1030.0)):
            cls._read(cls.house_meter, date, value)
        cls._read(cls.meter1, '2022-12-20', 100.0)
        cls._read(cls.meter1, '2023-01-20', 110.0)
        cls._operation(cls.sub4, 'charge', 500.0, '2023-01-15', name='Connection works')
        cls.january = cls.period
        cls.january.action_calculate()
        cls.february = cls._close(cls.january)
        bank = env.ref('neopro_billing.payment_source_bank')
        cash = env.ref('neopro_billing.payment_source_cash')
        cls._operation(cls.sub1, 'payment', 3700.0, '2023-02-10', bank_id=cls.kaspi.id, payment_source_id=bank.id)
        cls._operation(cls.sub2, 'payment', 200.0, '2023-02-12', bank_id=cls.halyk.id, payment_source_id=bank.id,
                       payer_name='Иванов И.')
        cls._operation(cls.sub2, 'correction', -50.0, '2023-02-12', name='Recalculation')
        cls._operation(cls.contract, 'payment', 1500.0, '2023-02-15', payment_source_id=cash.id)
        cls._read(cls.meter1, '2023-02-20', 118.0)
        cls.february.action_calculate()

    def _balance(self, account, period=None):
        """The balance row of an account in a period (February by default)."""
        field = 'subscriber_id' if account._name == 'neopro.subscriber' else 'contract_id'
        return self.env['neopro.balance'].search([(field, '=', account.id),
                                                  ('period_id', '=', (period or self.february).id)])
