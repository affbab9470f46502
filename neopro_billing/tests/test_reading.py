import psycopg2

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import NeoproCase


class TestReading(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(TestReading, cls).setUpClass()
        cls.sub = cls._create_subscriber('T-R-1', 'Старых Виктор', house=cls.house)
        cls.meter = cls._create_meter('T98434', cls.sub, digits=5)
        cls.Reading = cls.env['neopro.meter.reading']
        cls.first = cls._read('2025-08-28', 41)

    @classmethod
    def _read(cls, day, value, meter=None, **vals):
        vals.update({'meter_id': (meter or cls.meter).id, 'date': day, 'value': value})
        return cls.Reading.create(vals)

    def test_higher_and_equal_values_accepted(self):
        second = self._read('2025-09-28', 45.5)
        third = self._read('2025-10-28', 45.5)
        self.assertEqual(second.consumption, 4.5)
        self.assertEqual(third.previous_value, 45.5)
        self.assertEqual(third.consumption, 0)

    def test_lower_value_refused_with_a_clear_message(self):
        with self.assertRaises(ValidationError) as caught:
            self._read('2025-09-28', 39)
        message = caught.exception.name
        for part in ('T98434', '39', '28.09.2025', 'lower than the previous reading', '41', '28.08.2025',
                     'mark the meter as replaced'):
            self.assertIn(part, message)

    def test_lower_value_refused_on_correction(self):
        second = self._read('2025-09-28', 45)
        with self.assertRaisesRegex(ValidationError, 'lower than the previous reading'):
            second.value = 40

    def test_rollover_by_digits_accepted(self):
        self.meter.digits = 4
        self._read('2025-09-28', 9990)
        after = self._read('2025-10-28', 15)
        self.assertEqual(after.consumption, 25)

    def test_not_a_rollover_when_the_jump_is_too_big(self):
        """500 → 400 on a 5-digit counter would mean 99,900 m³ in a month: a typing error."""
        self._read('2025-09-28', 500)
        with self.assertRaisesRegex(ValidationError, 'lower than the previous reading'):
            self._read('2025-10-28', 400)

    def test_no_rollover_on_a_counter_without_digits(self):
        self.meter.digits = 0
        self._read('2025-09-28', 9990)
        with self.assertRaises(ValidationError):
            self._read('2025-10-28', 15)

    def test_reset_or_replacement_accepted(self):
        self._read('2025-09-28', 500)
        reset = self._read('2025-10-28', 3, is_reset=True)
        self.assertEqual(reset.consumption, 3)
        self.assertEqual(self.meter._consumption(500, 3, is_reset=True), 3)

    def test_one_reading_per_meter_and_day(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self._read('2025-08-28', 42)

    def test_same_day_on_another_meter_allowed(self):
        other = self._create_meter('T0954', self.sub, service=self.hot)
        reading = self._read('2025-08-28', 60, meter=other)
        self.assertEqual(reading.branch_id, self.branch1)
        self.assertEqual(reading.subscriber_id, self.sub)
        self.assertEqual(reading.service_id, self.hot)

    def test_reading_inserted_before_a_lower_later_reading_refused(self):
        self._read('2025-10-28', 50)
        with self.assertRaisesRegex(ValidationError, 'higher than the later reading 50'):
            self._read('2025-09-28', 55)

    def test_reading_inserted_between_two_readings_accepted(self):
        later = self._read('2025-10-28', 50)
        middle = self._read('2025-09-28', 45)
        self.assertEqual(middle.consumption, 4)
        later.invalidate_cache()
        self.assertEqual(later.previous_value, 45)
        self.assertEqual(later.consumption, 5)

    def test_later_reading_after_a_rollover_keeps_consistency(self):
        meter = self._create_meter('T0957', self.sub, digits=4)
        self._read('2025-10-28', 5, meter=meter)
        # 9990 entered late, before 5: the later reading is then a rollover, allowed
        self._read('2025-09-28', 9990, meter=meter)
        with self.assertRaisesRegex(ValidationError, 'higher than the later reading 5'):
            self._read('2025-09-29', 500, meter=meter)

    def test_digits_overflow_refused(self):
        self.meter.digits = 4
        with self.assertRaisesRegex(ValidationError, 'more digits than the counter'):
            self._read('2025-09-28', 10000)

    def test_negative_refused(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self._read('2025-09-28', -1)

    def test_reading_after_removal_refused(self):
        self.meter.removal_date = '2025-09-15'
        with self.assertRaisesRegex(ValidationError, 'was removed on 15.09.2025'):
            self._read('2025-09-28', 45)

    def test_first_reading_counts_from_the_initial_value(self):
        meter = self._create_meter('T0955', self.sub, initial_value=10)
        reading = self._read('2025-09-28', 14, meter=meter)
        self.assertEqual(reading.previous_value, 10)
        self.assertEqual(reading.consumption, 4)

    def test_new_reading_in_a_form_computes_without_saving(self):
        """The editable readings list of the meter form computes consumption on unsaved lines."""
        line = self.Reading.new({'meter_id': self.meter.id, 'date': '2025-09-28', 'value': 46})
        self.assertEqual(line.previous_value, 41)
        self.assertEqual(line.consumption, 5)
        empty = self.Reading.new({})
        self.assertEqual(empty.consumption, 0)

    def test_last_readings_in_one_query(self):
        other = self._create_meter('T0956', self.sub)
        self._read('2025-09-28', 45)
        self._read('2025-10-28', 50)
        self._read('2025-09-01', 7, meter=other)
        last = self.Reading._get_last_readings([self.meter.id, other.id], '2025-10-28')
        self.assertEqual((last[self.meter.id]['date'], last[self.meter.id]['value']), ('2025-09-28', 45))
        self.assertEqual(last[other.id]['value'], 7)
        last = self.Reading._get_last_readings([self.meter.id], '2025-10-28', strict=False)
        self.assertEqual(last[self.meter.id]['value'], 50)
        self.assertEqual(self.Reading._get_last_readings([], '2025-10-28'), {})
