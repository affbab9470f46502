from odoo.exceptions import ValidationError
from odoo.tools import mute_logger
import psycopg2

from .common import NeoproCase


class TestSubscriber(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(TestSubscriber, cls).setUpClass()
        cls.frolov = cls._create_subscriber('12345', 'Фролов Степан', premise=cls.flat45)
        cls.meter = cls._create_meter('6748', cls.frolov)

    def test_name_split_and_address(self):
        self.assertEqual(self.frolov.last_name, 'Фролов')
        self.assertEqual(self.frolov.first_name, 'Степан')
        self.assertEqual(self.frolov.address, 'Testgrad, Test street, 2, 45')
        self.frolov.patronymic = 'Иванович'
        self.assertEqual(self.frolov.name, 'Фролов Степан Иванович')

    def test_account_number_unique(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self._create_subscriber('12345', 'Двойник Иван')

    def test_search_one_box(self):
        Sub = self.env['neopro.subscriber']
        for text in ('12345', 'Фролов', 'Test street, 2, 45', '6748'):
            found = Sub.name_search(text)
            self.assertEqual([r[0] for r in found], [self.frolov.id], text)

    def test_meter_count(self):
        self.assertEqual(self.frolov.meter_count, 1)
        self.meter.active = False
        self.assertEqual(self.frolov.meter_count, 0)

    def test_iin_must_be_12_digits(self):
        with self.assertRaises(ValidationError):
            self.frolov.iin = '12345'
