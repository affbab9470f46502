"""Fixture of the payment tests: an open period, accounts to pay, the shipped banks, file builders."""
from . import payment_files
from .common import NeoproCase, set_period_state


class NeoproPaymentCase(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(NeoproPaymentCase, cls).setUpClass()
        env = cls.env
        cls.period = cls._open_period('2025-09-01', '2025-09-30')
        cls.kaspi = env.ref('neopro_billing.bank_kaspi')
        cls.kazpost = env.ref('neopro_billing.bank_kazpost')
        cls.generic = env.ref('neopro_billing.payment_format_generic_csv')
        cls._release_account_numbers('12345', '5555', '777', '888')
        cls.frolov = cls._create_subscriber('12345', 'Фролов Степан', premise=cls.flat45)
        cls.sokolova = cls._create_subscriber('5555', 'Соколова Светлана', branch=cls.branch2, house=cls.house2)
        cls.rogov = cls._create_subscriber('777', 'Рогов Григорий', active=False)
        cls.legal_category = env['neopro.subscriber.category'].create(
            {'name': 'Test organisations', 'code': 'TORG', 'legal_entity': True})
        cls.vesna = env['res.partner'].create({'name': 'ОАО "Весна"', 'is_company': True})
        cls.contract = env['neopro.contract'].create({
            'name': '1306548', 'account_number': '888', 'partner_id': cls.vesna.id, 'branch_id': cls.branch1.id,
            'category_id': cls.legal_category.id})

    @classmethod
    def _open_period(cls, date_start, date_end):
        """Close whatever period is open and open this month."""
        periods = cls.env['neopro.period']
        set_period_state(periods.search([('state', '=', 'open')]), 'closed')
        return periods.create({'date_start': date_start, 'date_end': date_end})

    def _import(self, bank, data, filename, payment_format=None, user=None):
        """Load ``data`` as the wizard does; returns the payment file."""
        Files = self.env['neopro.payment.file']
        if user:
            Files = Files.sudo(user)
        return Files._import_registry(bank, payment_format or bank.neopro_payment_format_id, data, filename)

    def _protocol(self, payment_file):
        """The load protocol as (line, account, payer, reason) tuples."""
        return [(e.line_number, e.account_number or '', e.payer_name or '', e.reason)
                for e in payment_file.error_ids.sorted('line_number')]

    @staticmethod
    def _kaspi_file(rows=None, **kw):
        return payment_files.kaspi_xlsx(payment_files.GOLDEN_KASPI_ROWS if rows is None else rows, **kw)

    @staticmethod
    def _kazpost_file(rows=None, **kw):
        return payment_files.kazpost_xls(payment_files.GOLDEN_KAZPOST_ROWS if rows is None else rows, **kw)

    @staticmethod
    def _generic_file(rows=None, **kw):
        return payment_files.generic_csv(payment_files.GOLDEN_GENERIC_ROWS if rows is None else rows, **kw)
