"""Receipts (квитанции): their figures, the QR payment code, the batch wizard and the PDF (manual §4.2)."""
import base64
import io

import qrcode
from PIL import Image

from odoo.exceptions import AccessError, UserError

from ..report.neopro_receipt import QR_BORDER, QR_BOX_SIZE
from .common import PdfCase, render_pdf_text, utility_day
from .common_report import ReportCase

# The Kaspi payment page of 70001's receipt for 02.2023 (the test settings below, 3 340.00 due).
PAYLOAD_70001 = 'https://kaspi.kz/pay/vodokanal-test?service_id=4521&7788=70001&amount=3340.00'
KASPI_SETTINGS = {'alias': 'vodokanal-test', 'service_id': '4521', 'account_field': '7788'}


def read_qr_matrix(png_base64):
    """The modules of a QR PNG (dark = True), quiet zone included, sampled at the centre of each module."""
    image = Image.open(io.BytesIO(base64.b64decode(png_base64))).convert('L')
    size = image.size[0] // QR_BOX_SIZE
    return [[image.getpixel((x * QR_BOX_SIZE + QR_BOX_SIZE // 2, y * QR_BOX_SIZE + QR_BOX_SIZE // 2)) < 128
             for x in range(size)] for y in range(size)]


def qr_matrix(payload):
    """The modules qrcode itself makes of ``payload`` (UTF-8, error correction M, smallest version)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER)
    code.add_data(payload.encode('utf-8'))
    code.make(fit=True)
    return code.get_matrix()


class TestReceipt(ReportCase):

    @classmethod
    def setUpClass(cls):
        super(TestReceipt, cls).setUpClass()
        cls.set_kaspi(**KASPI_SETTINGS)
        cls.env.user.company_id.write({'neopro_kbe': '16', 'neopro_knp': '859', 'neopro_vat_rate': 12.0})
        cls.contract.partner_id.neopro_bin = '050140003214'

    @classmethod
    def set_kaspi(cls, alias='', service_id='', account_field=''):
        set_param = cls.env['ir.config_parameter'].sudo().set_param
        for key, value in (('alias', alias), ('service_id', service_id), ('account_field', account_field)):
            set_param('neopro_billing.kaspi_pay_' + key, value)

    def receipt(self, account, period=None):
        receipts = self.env['neopro.receipt']._get_receipts(account, period or self.february)
        self.assertEqual(len(receipts), 1)
        return receipts[0]

    def test_account_and_payer(self):
        receipt = self.receipt(self.sub1)
        self.assertEqual((receipt['account_number'], receipt['payer'], receipt['residents'], receipt['period']),
                         ('70001', 'Фролов Степан', 2, '02.2023'))
        self.assertEqual(receipt['address'], 'Testgrad, Test street, 2, 45')

    def test_service_lines_with_readings(self):
        lines = [(line['service'], line['basis'], [(m['serial'], m['previous'], m['current']) for m in line['meters']],
                  line['volume'], line['price'], line['amount']) for line in self.receipt(self.sub1)['lines']]
        self.assertEqual(lines, [
            (self.cold.name, 'Meter', [('M-70001', 110.0, 118.0)], 8.0, 100.0, 800.0),
            (self.hot.name, 'Norm', [], 5.0, 300.0, 1500.0),
            (self.sewage.name, 'Sewage (cold + hot)', [], 13.0, 80.0, 1040.0),
        ])

    def test_billing_line_and_due_date(self):
        receipt = self.receipt(self.sub2)
        figures = receipt['figures']
        self.assertEqual([figures[f] for f in ('balance_start', 'amount_paid', 'amount_charged', 'amount_correction',
                                               'amount_penalty', 'balance_end')],
                         [350.0, 200.0, 350.0, -50.0, 0.19, 450.19])
        self.assertEqual((receipt['amount_due'], receipt['due_date']), (450.19, '2023-03-25'))

    def test_due_day_is_the_penalty_parameter(self):
        self.env['ir.config_parameter'].set_param('neopro_billing.penalty_due_day', '20')
        self.assertEqual(self.receipt(self.sub2)['due_date'], '2023-03-20')

    def test_closed_period(self):
        receipt = self.receipt(self.sub1, self.january)
        self.assertEqual((receipt['figures']['balance_end'], receipt['due_date']), (3700.0, '2023-02-25'))
        self.assertEqual(receipt['lines'][0]['meters'], [{'serial': 'M-70001', 'previous': 100.0, 'current': 110.0}])

    def test_meter_without_reading(self):
        line = self.receipt(self.sub3)['lines'][0]
        self.assertEqual((line['basis'], line['meters']), ('Norm', [{'serial': 'M-70003', 'previous': 0.0,
                                                                     'current': None}]))

    def test_meter_removed_before_the_receipt_day_is_left_out(self):
        """A meter removed on the period's last day (the receipt's day for a past period) is not on the receipt; one
        removed after it is."""
        self.meter3.removal_date = '2023-02-28'
        self.assertEqual(self.receipt(self.sub3)['lines'][0]['meters'], [])
        self.meter3.removal_date = '2023-03-01'
        self.assertEqual([m['serial'] for m in self.receipt(self.sub3)['lines'][0]['meters']], ['M-70003'])

    def test_meter_removed_today_leaves_the_open_period_receipt(self):
        """The open period's receipt is printed today: a meter removed today is gone from it."""
        self.meter3.removal_date = '2023-02-10'
        with utility_day('2023-02-10'):
            self.assertEqual(self.receipt(self.sub3)['lines'][0]['meters'], [])
        with utility_day('2023-02-09'):
            self.assertEqual([m['serial'] for m in self.receipt(self.sub3)['lines'][0]['meters']], ['M-70003'])

    def test_contract(self):
        receipt = self.receipt(self.contract)
        self.assertEqual((receipt['payer'], receipt['contract'], receipt['residents'], receipt['buyer_bin']),
                         ('Test Water Users LLP', 'C-79001', False, '050140003214'))
        # 1 500.00 charged, VAT 12 % included: 1 500 × 12 / 112 = 160.714… → 160.71
        self.assertEqual(receipt['vat'], {'rate': 12.0, 'amount': 160.71})
        self.assertEqual([(line['basis'], line['volume'], line['amount']) for line in receipt['lines']],
                         [('Fixed volume', 10.0, 1500.0)])

    def test_resident_has_no_buyer_bin_nor_vat(self):
        receipt = self.receipt(self.sub1)
        self.assertEqual((receipt['buyer_bin'], receipt['vat']), (False, False))

    def test_no_vat_line_when_not_a_vat_payer(self):
        self.env.user.company_id.neopro_vat_rate = 0.0
        self.assertFalse(self.receipt(self.contract)['vat'])

    def test_payee_requisites(self):
        payee = self.receipt(self.sub1)['payee']
        self.assertEqual((payee['name'], payee['bin'], payee['iban'], payee['bank'], payee['bic'], payee['kbe'],
                          payee['knp']),
                         (self.env.user.company_id.name, '990140001233', 'KZ86125KZT5004100100', 'Test Kaspi',
                          'CASPKZKA', '16', '859'))

    def test_qr_payload_is_the_kaspi_page(self):
        receipt = self.receipt(self.sub1)
        self.assertEqual(receipt['qr_payload'], PAYLOAD_70001)
        self.assertEqual(receipt['qr_payload'], self.sub1.account_id._get_kaspi_pay_url(3340.0))

    def test_qr_image_encodes_payload(self):
        """No QR decoder is installed: the image's modules must be those qrcode makes of the expected link."""
        receipt = self.receipt(self.sub1)
        self.assertEqual(read_qr_matrix(receipt['qr_image']), qr_matrix(PAYLOAD_70001))

    def test_no_qr_without_kaspi_settings(self):
        self.set_kaspi(alias='vodokanal-test', service_id='4521')  # the account field is missing
        receipt = self.receipt(self.sub1)
        self.assertEqual((receipt['qr_payload'], receipt['qr_image']), (False, False))
        html = self.env.ref('neopro_billing.neopro_receipt_report').render_qweb_html(self.sub1.ids)[0].decode()
        self.assertNotIn('data:image/png;base64,', html)
        self.assertIn('KZ86125KZT5004100100', html)

    def test_advance_pays_nothing(self):
        self._operation(self.sub2, 'payment', 1000.0, '2023-02-20')
        receipt = self.receipt(self.sub2)
        self.assertEqual((receipt['figures']['balance_end'], receipt['amount_due']), (-549.81, 0.0))
        self.assertEqual(receipt['qr_payload'], 'https://kaspi.kz/pay/vodokanal-test?service_id=4521&7788=70002')

    def test_manual_charge_shows_its_amount(self):
        """A manual charge has no volume nor tariff: the receipt shows its amount only, not "0,00"."""
        self._operation(self.sub4, 'charge', 500.0, '2023-02-15', name='Connection works', basis='manual')
        line, = self.receipt(self.sub4)['lines']
        self.assertEqual((line['service'], line['basis'], line['volume'], line['price'], line['amount']),
                         ('Connection works', 'Manual', None, None, 500.0))
        html = self.env.ref('neopro_billing.neopro_receipt_report').render_qweb_html(self.sub4.ids)[0].decode()
        # meter, readings, volume and tariff cells are empty, then the amount
        self.assertRegex(html, r'<td><span>Manual</span></td>(\s*<td[^>]*>\s*</td>){5}'
                               r'\s*<td[^>]*><span[^>]*>500\.00</span>')

    def test_meter_list_once(self):
        """A second charge line of the cold water (a manual one) does not repeat the meter list."""
        self._operation(self.sub1, 'charge', 120.0, '2023-02-21', service_id=self.cold.id, name='Seal replaced')
        lines = [(line['service'], line['amount'], [m['serial'] for m in line['meters']])
                 for line in self.receipt(self.sub1)['lines']]
        self.assertEqual(lines[:2], [(self.cold.name, 800.0, ['M-70001']), (self.cold.name, 120.0, [])])

    def test_receipt_button(self):
        action = self.sub1.action_receipt()
        self.assertEqual((action['report_type'], action['report_name']), ('qweb-pdf', 'neopro_billing.report_receipt'))
        action = self.contract.action_receipt()
        self.assertEqual(action['report_name'], 'neopro_billing.report_receipt_contract')

    def test_receipt_html(self):
        report = self.env.ref('neopro_billing.neopro_receipt_report')
        html = report.render_qweb_html(self.sub1.ids)[0].decode()
        self.assertEqual(html.count('o_neopro_receipt'), 1)
        self.assertIn('data:image/png;base64,', html)
        for text in ('70001', 'Фролов Степан', 'M-70001', 'KZ86125KZT5004100100', '02.2023', '990140001233',
                     'CASPKZKA', 'Test Kaspi'):
            self.assertIn(text, html)
        for amount in ('3,340.00', '3,700.00', '1,040.00', '800.00'):
            self.assertIn(amount, html)
        self.assertEqual(html.count('M-70001'), 1, 'the meter list appears once')

    def test_receipt_html_in_kazakh_and_russian(self):
        """The receipt prints the labels as Kazakh utilities do, Kazakh / Russian, whatever the user's language."""
        report = self.env.ref('neopro_billing.neopro_receipt_report')
        html = report.render_qweb_html(self.sub1.ids)[0].decode()
        for label in ('Төлем алушы / Получатель', 'БСН / БИН', 'ЖСК / ИИК', 'БСК / БИК', 'Кбе', 'ТМК / КНП',
                      'Дербес шот / Лицевой счёт', 'Төлеуші / Плательщик', 'Төлеуге / К оплате',
                      'Төлеу мерзімі / Оплатить до', 'Көлемі, м³ / Объём, м³', 'Шот-хабарлама / Счёт-извещение'):
            self.assertIn(label, html)
        self.assertNotIn('ҚҚС', html, 'a resident\'s receipt has no VAT line')
        self.assertRegex(html, r'<td>Кбе</td>\s*<td>\s*16\s*<span[^>]*>ТМК / КНП</span> 859')
        self.assertRegex(html, r'<td>ЖСК / ИИК</td>\s*<td>KZ86125KZT5004100100</td>')
        self.assertRegex(html, r'<td>БСК / БИК</td>\s*<td>CASPKZKA</td>')
        self.assertRegex(html, r'<td>БСН / БИН</td>\s*<td>990140001233</td>')

    def test_contract_html_buyer_bin_and_vat(self):
        report = self.env.ref('neopro_billing.neopro_receipt_report_contract').with_context(lang='ru_RU')
        html = report.render_qweb_html(self.contract.ids)[0].decode()
        self.assertRegex(html, r'Төлеушінің БСН / БИН плательщика</td>\s*<td>050140003214</td>')
        self.assertRegex(html, r'оның ішінде ҚҚС / в т\.ч\. НДС 12%:\s*<span[^>]*>160,71')

    def test_receipt_file_name(self):
        report = self.env.ref('neopro_billing.neopro_receipt_report')
        self.assertEqual(report.print_report_name, 'object._get_receipt_filename()')
        self.assertEqual(self.sub1.with_context(lang='ru_RU')._get_receipt_filename(), 'Квитанция 70001')
        wizard = self.env['neopro.receipt.wizard'].create({'period_id': self.february.id})
        self.assertEqual(wizard.with_context(lang='ru_RU')._get_receipt_filename(), 'Квитанции 02.2023')
        history = self.env['neopro.history'].create({'account_id': self.sub1.account_id.id})
        self.assertEqual(history.with_context(lang='ru_RU')._get_reconciliation_filename(), 'Акт сверки 70001')
        self.assertEqual(self.env.ref('neopro_billing.neopro_reconciliation_report').print_report_name,
                         'object._get_reconciliation_filename()')

    def test_receipt_bound_to_subscriber_list(self):
        report = self.env.ref('neopro_billing.neopro_receipt_report')
        self.assertEqual(report.binding_model_id.model, 'neopro.subscriber')

    def test_inspector_cannot_print(self):
        inspector = self._create_user('receipt_inspector', ['group_inspector'], self.branch1)
        with self.assertRaises(AccessError):
            self.env['neopro.receipt'].sudo(inspector)._get_receipts(self.sub1.sudo(inspector), self.february)


class TestReceiptWizard(ReportCase):

    def wizard(self, **vals):
        return self.env['neopro.receipt.wizard'].create(dict(vals, period_id=self.february.id))

    def test_branch_in_address_order(self):
        wizard = self.wizard(branch_id=self.branch1.id)
        self.assertEqual(wizard._get_accounts().mapped('account_number'), ['70002', '70001', '70004'])
        self.assertEqual(wizard.account_count, 3)

    def test_house(self):
        self.assertEqual(self.wizard(house_id=self.house2.id)._get_accounts().mapped('account_number'), ['70003'])

    def test_street(self):
        accounts = self.wizard(street_id=self.street.id)._get_accounts()
        self.assertEqual(accounts.mapped('account_number'), ['70002', '70001', '70004', '70003'])

    def test_only_due(self):
        self._operation(self.sub2, 'payment', 1000.0, '2023-02-20')
        wizard = self.wizard(branch_id=self.branch1.id, only_due=True)
        self.assertEqual(wizard._get_accounts().mapped('account_number'), ['70001', '70004'])

    def test_contracts(self):
        wizard = self.wizard(branch_id=self.branch1.id, account_kind='contract')
        self.assertEqual(wizard._get_accounts().mapped('account_number'), ['79001'])

    def test_one_document(self):
        wizard = self.wizard(branch_id=self.branch1.id)
        action = wizard.action_print()
        self.assertEqual(action['report_name'], 'neopro_billing.report_receipt_batch')
        html = self.env.ref('neopro_billing.neopro_receipt_report_batch').render_qweb_html(wizard.ids)[0].decode()
        self.assertEqual(html.count('<!DOCTYPE html>'), 1)
        self.assertEqual(html.count('o_neopro_receipt'), 3)
        self.assertEqual(html.count('page-break-after: always'), 2)
        self.assertLess(html.index('70002'), html.index('70001'))

    def test_nothing_to_print(self):
        with self.assertRaises(UserError):
            self.wizard(branch_id=self.branch2.id, account_kind='contract').action_print()


class TestReceiptPdf(PdfCase):
    """Receipts rendered by wkhtmltopdf."""

    def setUp(self):
        super(TestReceiptPdf, self).setUp()
        env = self.test_env
        bank = env['res.bank'].create({'name': 'PDF Kaspi', 'bic': 'CASPKZKA'})
        branch = env['neopro.branch'].create({'name': 'PDF branch', 'code': 'PDFR', 'bin': '990140001233',
                                              'bank_account': 'KZ86125KZT5004100100', 'bank_id': bank.id})
        category = env['neopro.subscriber.category'].create({'name': 'PDF receipts', 'code': 'PDFRC'})
        cold = env.ref('neopro_billing.service_cold_water')
        self.period = env['neopro.period'].create({'date_start': '2023-02-01', 'date_end': '2023-02-28'})
        Operation = env['neopro.operation']
        self.subs = env['neopro.subscriber']
        for account, name, volume in (('PDF-70001', 'Фролов Степан', 12.5), ('PDF-70002', 'Соколова Светлана', 3.0)):
            sub = env['neopro.subscriber'].create({'account_number': account, 'name': name, 'branch_id': branch.id,
                                                   'category_id': category.id, 'residents': 2})
            meter = env['neopro.meter'].create({'serial_number': 'S-' + account, 'service_id': cold.id,
                                                'subscriber_id': sub.id, 'installation_date': '2020-01-01'})
            env['neopro.meter.reading'].create({'meter_id': meter.id, 'date': '2023-01-20', 'value': 100.0})
            env['neopro.meter.reading'].create({'meter_id': meter.id, 'date': '2023-02-20', 'value': 100.0 + volume})
            Operation.create({'operation_type': 'charge', 'subscriber_id': sub.id, 'service_id': cold.id,
                              'volume': volume, 'basis': 'meter', 'price': 120.5, 'amount': round(volume * 120.5, 2),
                              'date': '2023-02-28'})
            self.subs |= sub
        Operation.create({'operation_type': 'payment', 'subscriber_id': self.subs[1].id, 'amount': 100.0,
                          'date': '2023-02-10'})

    def test_pdf(self):
        env = self.test_env
        wizard = env['neopro.receipt.wizard'].create({'period_id': self.period.id,
                                                      'branch_id': self.subs[0].branch_id.id})
        report = env.ref('neopro_billing.neopro_receipt_report_batch')
        text, bodies = render_pdf_text(env, report, wizard.ids)
        self.assertEqual(bodies, 1)  # one document, one receipt a page
        pages = text.rstrip('\f').split('\f')
        self.assertEqual(len(pages), 2)
        first, second = pages
        for expected in ('PDF-70001', 'Фролов Степан', 'S-PDF-70001', 'KZ86125KZT5004100100', '990140001233',
                         '02.2023', '25.03.2023'):
            self.assertIn(expected, first)
        self.assertRegex(first, r'1\s?506,25')  # 12.5 m³ × 120.50, in the Russian number format
        self.assertRegex(first, r'12,500')
        self.assertIn('PDF-70002', second)
        self.assertIn('25.03.2023', second)
        self.assertRegex(second, r'361,50')  # charged 3 × 120.50
        self.assertRegex(second, r'261,50')  # due: 361.50 − 100.00 paid
