"""Resource bounds (issue 11 item 11): files beyond a size, an unpacked size or a row count, ranges of apartments,
absurd report and History parameters."""
import io
import zipfile
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError

from ..lib import file_parser
from .common import BillingCase
from .payment_files import generic_csv


class TestFileBounds(BillingCase):

    def setUp(self):
        super(TestFileBounds, self).setUp()
        self.csv = self.env.ref('neopro_billing.payment_format_generic_csv')
        self.xlsx = self.env.ref('neopro_billing.payment_format_kaspi_xlsx')

    def test_too_many_rows(self):
        data = generic_csv([['1', 'A', '1', '01.03.2023', 'T%d' % n] for n in range(6)])
        with patch.object(file_parser, 'MAX_ROWS', 5):
            with self.assertRaisesRegex(UserError, 'more than 5 rows'):
                self.csv._parse_file(data)
        self.assertEqual(len(self.csv._parse_file(data).lines), 6)

    def test_too_large(self):
        with patch.object(file_parser, 'MAX_FILE_BYTES', 10):
            with self.assertRaisesRegex(UserError, 'too large'):
                self.csv._parse_file(generic_csv([['1', 'A', '1', '01.03.2023', 'T1']]))

    def test_zip_bomb(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
            archive.writestr('xl/worksheets/sheet1.xml', b'<row/>' * 200000)  # 1.2 MB unpacked
        with patch.object(file_parser, 'MAX_UNPACKED_BYTES', 1024 * 1024):
            with self.assertRaisesRegex(UserError, 'unpacks to more than'):
                self.xlsx._parse_file(buffer.getvalue())


class TestParameterBounds(BillingCase):

    def test_report_parameters(self):
        Wizard = self.env['neopro.report.wizard']
        for vals in ({'debt_months': 10 ** 6}, {'debt_months': -1}, {'days_ahead': 10 ** 7}, {'min_debt': -5.0}):
            with self.assertRaises(ValidationError, msg=vals):
                Wizard.create(dict(vals, report='debtors'))
        self.assertEqual(Wizard.create({'report': 'debtors', 'debt_months': 600}).debt_months, 600)

    def test_history_range(self):
        sub = self._create_billed_subscriber('RB-1', services=[])
        action = sub.action_history()
        History = self.env[action['res_model']].with_context(**action['context'])
        with self.assertRaisesRegex(ValidationError, 'RB-1: the history covers the years 1900 – 2999, not 0001-01-01'):
            History.create({'date_from': '0001-01-01', 'date_to': '9999-12-31'})
        with self.assertRaisesRegex(ValidationError, 'not 9999-12-31'):
            History.create({'date_from': '2000-01-01', 'date_to': '9999-12-31'})
        self.assertEqual(History.create({'date_from': '2000-01-01', 'date_to': '2999-12-31'}).balance_closing, 0.0)


class TestApartmentRange(BillingCase):

    def test_range_in_one_insert(self):
        city = self.env['neopro.city'].create({'name': 'Range city'})
        wizard = self.env['neopro.address.wizard'].create({
            'city_id': city.id, 'street_name': 'Range street', 'house_number': '7', 'apartment_from': 1,
            'apartment_to': 2000})
        house = self.env['neopro.house'].browse(wizard.action_create()['res_id'])
        self.assertEqual(house.premise_count, 2000)
        last = house.premise_ids.sorted('sequence')[-1]
        self.assertEqual((last.number, last.sequence, last.full_address, last.active),
                         ('2000', 2000, '%s, 2000' % house.full_address, True))
        with self.assertRaisesRegex(UserError, 'has these apartments already: 5'):
            self.env['neopro.address.wizard'].create({
                'city_id': city.id, 'street_id': house.street_id.id, 'house_number': '7', 'apartment_from': 5,
                'apartment_to': 5}).action_create()
